import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PUBLISHED_SCHEMAS_DIR, publishedSchemaFiles } from './published-schemas';

/** JSON pointers of the properties, anywhere in a schema, that say nothing about what they hold. */
function undescribedProperties(node: unknown, path = ''): string[] {
  if (node === null || typeof node !== 'object') return [];
  const { properties, anyOf, items } = node as { properties?: Record<string, { description?: string }>; anyOf?: unknown[]; items?: unknown };
  const own = Object.entries(properties ?? {}).flatMap(([key, property]) => [...(property.description ? [] : [`${path}/${key}`]), ...undescribedProperties(property, `${path}/${key}`)]);
  return [...own, ...[...(anyOf ?? []), ...(items ? [items] : [])].flatMap((inner) => undescribedProperties(inner, path))];
}

describe('published event schemas', () => {
  it.each(publishedSchemaFiles())('$file matches the event type in code, so no published version is changed in place', ({ file, json }) => {
    expect(readFileSync(join(PUBLISHED_SCHEMAS_DIR, file), 'utf8')).toBe(json);
  });

  // Version 1 was published before this rule; it cannot change now.
  it.each(publishedSchemaFiles().filter(({ file }) => !file.endsWith('.v1.schema.json')))('$file describes every field it has, for consumers of the topic', ({ json }) => {
    expect(undescribedProperties(JSON.parse(json))).toEqual([]);
  });
});
