import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TSchema } from '@sinclair/typebox';
import { eventHeadersFor } from './event-headers';
import { CURRENT_EVENT_SCHEMAS, type LedgerEvent } from './ledger-event';

const GUIDE = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'events.md'), 'utf8');

/** Every property path of a schema (`data.stickyValues.json_value`), through value-or-null unions. */
function fieldPaths(schema: TSchema, prefix = ''): string[] {
  const node = schema as { properties?: Record<string, TSchema>; anyOf?: TSchema[] };
  const own = Object.entries(node.properties ?? {}).flatMap(([name, child]) => [`${prefix}${name}`, ...fieldPaths(child, `${prefix}${name}.`)]);
  return [...own, ...(node.anyOf ?? []).flatMap((branch) => fieldPaths(branch, prefix))];
}

describe('the consumer guide, docs/events.md', () => {
  it.each(CURRENT_EVENT_SCHEMAS.map((schema) => [schema.title, schema] as const))('explains every field of %s', (_title, schema) => {
    const undocumented = fieldPaths(schema).filter((path) => path.includes('.') && !GUIDE.includes(`| \`${path}\` |`));
    expect(undocumented).toEqual([]);
  });

  it('explains every header a record carries', () => {
    const event = { type: 'StickyValueDeleted', version: 2, data: { persistenceKey: 'u:userID' }, metadata: { eventId: 'id', occurredAt: 'now' } } as LedgerEvent;
    const undocumented = Object.keys(eventHeadersFor('urn:x')(event)).filter((name) => !GUIDE.includes(`| \`${name}\` |`));
    expect(undocumented).toEqual([]);
  });
});
