import fc from 'fast-check';
import { DELETE_REASONS } from './sticky-value-deleted.v1';
import { EVENT_SOURCES } from './event-metadata.schema';
import { decodeLedgerEvent, encodeLedgerEvent, type LedgerEvent } from './ledger-event';

/** Any text, including quotes, backslashes, control characters, astral characters and lone surrogates. */
const text = fc.string({ unit: 'binary', maxLength: 24 });
const json = fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
const orNull = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });

const persistenceKey = fc
  .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).filter((unit) => !/[\u0000-\u001f]/.test(unit)), fc.constantFrom('userID', 'stableID', 'companyID'))
  .map(([unit, idType]) => `${unit}:${idType}`);
const configName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,30}$/);
const metadata = fc.record({
  eventId: fc.uuid(),
  occurredAt: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString()),
  caller: fc.record({ apiKeyId: orNull(fc.string({ unit: 'binary', minLength: 1, maxLength: 24 })) }),
  correlationId: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  source: fc.constantFrom(...EVENT_SOURCES),
});

const saved: fc.Arbitrary<LedgerEvent> = fc.record(
  {
    type: fc.constant('StickyValueSaved' as const),
    version: fc.constant(1 as const),
    data: fc.record(
      {
        persistenceKey,
        configName,
        stickyValues: fc.record({
          value: fc.boolean(),
          json_value: orNull(json),
          rule_id: orNull(text),
          group_name: orNull(text),
          secondary_exposures: fc.array(json, { maxLength: 2 }),
          undelegated_secondary_exposures: orNull(fc.array(json, { maxLength: 2 })),
          config_delegate: orNull(text),
          explicit_parameters: orNull(fc.array(text, { maxLength: 3 })),
          time: orNull(fc.double({ noNaN: true, noDefaultInfinity: true })),
          config_version: orNull(fc.nat()),
        }),
        evaluation: json,
      },
      { requiredKeys: ['persistenceKey', 'configName', 'stickyValues'] },
    ),
    metadata,
  },
);
const deleted: fc.Arbitrary<LedgerEvent> = fc.record({
  type: fc.constant('StickyValueDeleted' as const),
  version: fc.constant(1 as const),
  data: fc.record({ persistenceKey, configName, reason: fc.constantFrom(...DELETE_REASONS) }),
  metadata,
});

describe('ledger event codec', () => {
  it('reads back every valid event it writes, whatever text the caller put in it', () => {
    fc.assert(
      fc.property(fc.oneof(saved, deleted), (event) => {
        expect(decodeLedgerEvent(encodeLedgerEvent(event))).toEqual(JSON.parse(JSON.stringify(event)));
      }),
      { numRuns: 2000 },
    );
  });
});
