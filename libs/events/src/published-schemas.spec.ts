import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLISHED_SCHEMAS_DIR, publishedSchemaFiles } from './published-schemas';

describe('published event schemas', () => {
  it.each(publishedSchemaFiles())('$file matches the event type in code, so no published version is changed in place', ({ file, json }) => {
    expect(readFileSync(join(PUBLISHED_SCHEMAS_DIR, file), 'utf8')).toBe(json);
  });
});
