import { CURRENT_EVENT_SCHEMAS, LEDGER_EVENT_SCHEMAS } from './ledger-event';
import { publishedSchemaFiles } from './published-schemas';

export { PUBLISHED_SCHEMAS_DIR } from './published-schemas';

/** One published event schema, as the ledger lists it for consumers. */
export interface PublishedSchema {
  /** `<type>.v<version>`, e.g. StickyValueSaved.v2. */
  name: string;
  type: string;
  version: number;
  /** The schema's `$id`: what every record of this type and version names in `ce_dataschema`. */
  id: string;
  /** The published file's name, in libs/events/schemas/ and under /v1/schemas/. */
  file: string;
  /** Whether the ledger writes this version now; older ones stay readable and are upcast when read. */
  current: boolean;
  /** Why it exists, from the schema's own title and description. */
  description: string;
}

const current = new Set<unknown>(CURRENT_EVENT_SCHEMAS);
const files = publishedSchemaFiles();

/** Every version the topic may carry, oldest first within each type. */
export const PUBLISHED_SCHEMAS: readonly PublishedSchema[] = LEDGER_EVENT_SCHEMAS.map((schema, index) => {
  const type = schema.properties.type.const;
  const version = schema.properties.version.const;
  return {
    name: `${type}.v${version}`,
    type,
    version,
    id: schema.$id!,
    file: files[index]!.file,
    current: current.has(schema),
    description: schema.description ?? schema.title ?? `${type} v${version}`,
  };
});

/** Where the ledger serves a published schema file (relative to its public base URL). */
export const schemaUrlPath = (file: string): string => `/v1/schemas/${file}`;
