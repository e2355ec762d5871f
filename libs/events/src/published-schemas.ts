import { join } from 'node:path';
import { LEDGER_EVENT_SCHEMAS } from './ledger-event';

/** Folder of the published JSON Schema files, one per event type and version. */
export const PUBLISHED_SCHEMAS_DIR = join(__dirname, '..', 'schemas');

/** File name and JSON text of each event version's published schema. */
export function publishedSchemaFiles(): Array<{ file: string; json: string }> {
  return LEDGER_EVENT_SCHEMAS.map((schema) => ({
    file: `${schema.properties.type.const}.v${schema.properties.version.const}.schema.json`,
    json: `${JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...schema }, null, 2)}\n`,
  }));
}
