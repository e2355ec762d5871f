import fc from 'fast-check';
import { EVENT_SOURCES } from './event-metadata.schema';
import { decodeLedgerEvent, encodeLedgerEvent, type LedgerEvent } from './ledger-event';
import { DELETE_REASONS } from './sticky-value-deleted.v1';
import { carriableJsonObject, carriableText } from '../../testing/src/carried-json.arbitraries';

const orNull = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });
const json = carriableJsonObject(3);

const persistenceKey = fc
  .tuple(
    carriableText({ minLength: 1, maxLength: 30 }).filter((unit) => !/[\u0000-\u001f\u007f-\u009f]/.test(unit)),
    fc.constantFrom('userID', 'stableID', 'companyID'),
  )
  .map(([unit, idType]) => `${unit}:${idType}`);
const configName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,30}$/);
const metadata = fc.record({
  eventId: fc.uuid(),
  occurredAt: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString()),
  cause: fc.record(
    {
      source: fc.constantFrom(...EVENT_SOURCES),
      apiKeyId: orNull(carriableText({ minLength: 1, maxLength: 24 })),
      requestId: fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/),
      traceparent: fc.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/),
    },
    { requiredKeys: ['source', 'apiKeyId', 'requestId'] },
  ),
});

const saved: fc.Arbitrary<LedgerEvent> = fc.record({
  type: fc.constant('StickyValueSaved' as const),
  version: fc.constant(2 as const),
  data: fc.record({
    persistenceKey,
    configName,
    stickyValues: fc.record({
      value: fc.boolean(),
      json_value: orNull(json),
      rule_id: orNull(carriableText({ maxLength: 24 })),
      group_name: orNull(carriableText({ maxLength: 24 })),
      secondary_exposures: fc.array(json, { maxLength: 2 }),
      undelegated_secondary_exposures: orNull(fc.array(json, { maxLength: 2 })),
      config_delegate: orNull(carriableText({ maxLength: 24 })),
      explicit_parameters: orNull(fc.array(carriableText({ maxLength: 24 }), { maxLength: 3 })),
      time: orNull(fc.double({ noNaN: true, noDefaultInfinity: true })),
      config_version: orNull(fc.nat()),
    }),
  }),
  metadata,
});
const deleted: fc.Arbitrary<LedgerEvent> = fc.record({
  type: fc.constant('StickyValueDeleted' as const),
  version: fc.constant(2 as const),
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
