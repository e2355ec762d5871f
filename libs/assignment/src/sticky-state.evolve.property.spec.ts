import fc from 'fast-check';
import { type LedgerEvent } from '@ledger/events';
import { ABSENT, evolve, foldEvents, type StickyState } from './sticky-state.evolve';

const eventArbitrary: fc.Arbitrary<LedgerEvent> = fc.oneof(
  fc.record({ id: fc.uuid({ version: 4 }), group: fc.constantFrom('Control', 'Test', 'Other') }).map(({ id, group }): LedgerEvent => ({
    type: 'StickyValueSaved',
    version: 2,
    data: {
      persistenceKey: 'u:userID',
      configName: 'exp',
      stickyValues: {
        value: true,
        json_value: {},
        rule_id: group,
        group_name: group,
        secondary_exposures: [],
        undelegated_secondary_exposures: null,
        config_delegate: null,
        explicit_parameters: null,
        time: null,
        config_version: 2,
      },
    },
    metadata: { eventId: id, occurredAt: '2026-11-25T10:00:00.000Z', cause: { source: 'evaluation', apiKeyId: null, requestId: 'c' } },
  })),
  fc.uuid({ version: 4 }).map((id): LedgerEvent => ({
    type: 'StickyValueDeleted',
    version: 2,
    data: { persistenceKey: 'u:userID', configName: 'exp', reason: 'explicit' },
    metadata: { eventId: id, occurredAt: '2026-11-25T10:00:00.000Z', cause: { source: 'storage_api', apiKeyId: null, requestId: 'c' } },
  })),
);

describe('folding the log (properties)', () => {
  it('gives the same state however the log is cut into batches', () => {
    fc.assert(
      fc.property(fc.array(eventArbitrary, { maxLength: 40 }), fc.array(fc.nat(40)), (events, cuts) => {
        const whole = foldEvents(events);
        const bounds = [...new Set([0, ...cuts.map((cut) => Math.min(cut, events.length)), events.length])].sort((a, b) => a - b);
        let state: StickyState = ABSENT;
        for (let i = 0; i + 1 < bounds.length; i++) state = foldEvents(events.slice(bounds[i], bounds[i + 1]), state);
        expect(state).toEqual(whole);
      }),
    );
  });

  it('leaves the earliest of racing saves as the one winner, whatever the later ones say', () => {
    fc.assert(
      fc.property(
        fc.array(
          eventArbitrary.filter((event) => event.type === 'StickyValueSaved'),
          { minLength: 1, maxLength: 10 },
        ),
        (saves) => {
          const state = foldEvents(saves);
          expect(state.kind === 'held' && state.savedEventId).toBe(saves[0]!.metadata.eventId);
          expect(saves.slice(1).every((event) => evolve(state, event).outcome === 'superseded')).toBe(true);
        },
      ),
    );
  });
});
