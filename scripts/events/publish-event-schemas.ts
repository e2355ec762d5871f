/**
 * Writes the JSON Schema of each event version to libs/events/schemas/, for consumers outside this
 * repo (analytics). A published file never changes: a new event version gets a new file.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLISHED_SCHEMAS_DIR, publishedSchemaFiles } from '../../libs/events/src/published-schemas';

const sourceDir = join(__dirname, '..', '..', '..', 'libs', 'events', 'schemas');
const dir = existsSync(sourceDir) ? sourceDir : PUBLISHED_SCHEMAS_DIR;
for (const { file, json } of publishedSchemaFiles()) {
  const path = join(dir, file);
  if (existsSync(path) && readFileSync(path, 'utf8') !== json) {
    console.error(`${file} is published and differs from the code: add a new event version instead of changing this one`);
    process.exitCode = 1;
    continue;
  }
  if (!existsSync(path)) {
    writeFileSync(path, json);
    console.log(`published ${file}`);
  }
}
