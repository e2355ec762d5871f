import { deleted, erased, evaluationRecord, KEY, saved } from './audit-history.fixture';
import { auditTrail } from './audit-trail.evolve';

describe("a unit's audit trail", () => {
  it('given a first save, a racing save and a delete, each entry carries what the projection made of it', () => {
    // Given
    const history = [
      saved({ eventId: 'e1', at: '2026-03-02T09:15:00.000Z', group: 'Test' }),
      saved({ eventId: 'e2', at: '2026-03-02T09:15:00.012Z', group: 'Control', assignment: evaluationRecord({ groupName: 'Control', ruleId: 'Control', buckets: { allocation: 1234, group: 100 } }) }),
      deleted({ eventId: 'e3', at: '2026-03-05T12:00:00.000Z', reason: 'experiment_inactive' }),
      deleted({ eventId: 'e4', at: '2026-03-05T12:00:00.001Z', reason: 'explicit', apiKeyId: null }),
    ];
    // When
    const trail = auditTrail(history);
    // Then
    expect(trail.map((entry) => [entry.eventId, entry.outcome])).toEqual([
      ['e1', 'saved'],
      ['e2', 'superseded'],
      ['e3', 'deleted'],
      ['e4', 'absent'],
    ]);
    expect(trail[0]).toEqual({
      type: 'StickyValueSaved',
      eventId: 'e1',
      at: '2026-03-02T09:15:00.000Z',
      key: KEY,
      experiment: 'checkout_button',
      experimentVersion: 3,
      bucketVersion: 1,
      groupName: 'Test',
      ruleId: 'Test',
      buckets: { allocation: 1234, group: 6974 },
      allocationPercent: 20,
      targeting: { passed: true },
      enforceTargeting: false,
      evaluated: true,
      cause: { source: 'evaluation', apiKeyId: 'key-sdk', requestId: 'req-1', traceId: null },
      outcome: 'saved',
      supersededBy: null,
    });
    expect(trail[1]).toMatchObject({ groupName: 'Control', outcome: 'superseded', supersededBy: { eventId: 'e1', at: '2026-03-02T09:15:00.000Z', groupName: 'Test' } });
    expect(trail[2]).toEqual({
      type: 'StickyValueDeleted',
      eventId: 'e3',
      at: '2026-03-05T12:00:00.000Z',
      key: KEY,
      experiment: 'checkout_button',
      deleteReason: 'experiment_inactive',
      cause: { source: 'evaluation', apiKeyId: 'key-sdk', requestId: 'req-3', traceId: null },
      outcome: 'deleted',
      removed: { eventId: 'e1', at: '2026-03-02T09:15:00.000Z', groupName: 'Test' },
    });
    expect(trail[3]).toMatchObject({ outcome: 'absent', removed: null, cause: { apiKeyId: null } });
  });

  it('a value an SDK saved directly has no evaluation block: its version is the config_version it sent', () => {
    const [entry] = auditTrail([saved({ eventId: 'e1', at: '2026-03-02T09:15:00.000Z', assignment: null })]);
    expect(entry).toMatchObject({ evaluated: false, experimentVersion: 2, bucketVersion: null, buckets: null, targeting: null, cause: { source: 'storage_api' } });
  });

  it('experiments are folded apart: a save in one does not supersede a save in another', () => {
    const trail = auditTrail([saved({ eventId: 'e1', at: '2026-03-02T09:15:00.000Z' }), saved({ eventId: 'e2', at: '2026-03-02T09:16:00.000Z', experiment: 'other' })]);
    expect(trail.map((entry) => entry.outcome)).toEqual(['saved', 'saved']);
  });

  it('an erasure leaves only itself (with the trace id of its cause), and the history after it starts anew', () => {
    const history = [
      saved({ eventId: 'e1', at: '2026-03-02T09:15:00.000Z' }),
      saved({ eventId: 'e2', at: '2026-03-02T09:16:00.000Z', experiment: 'other' }),
      deleted({ eventId: 'e3', at: '2026-03-03T00:00:00.000Z', reason: 'explicit', experiment: 'other' }),
      erased({ eventId: 'e9', at: '2026-03-04T08:00:00.000Z' }),
      saved({ eventId: 'e10', at: '2026-03-06T10:00:00.000Z', group: 'Control' }),
    ];
    const trail = auditTrail(history);
    expect(trail).toEqual([
      {
        type: 'UnitErased',
        eventId: 'e9',
        at: '2026-03-04T08:00:00.000Z',
        key: KEY,
        cause: { source: 'storage_api', apiKeyId: 'key-admin', requestId: 'req-4', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' },
        outcome: 'erased',
        erasedEntries: 3,
        removedValues: ['checkout_button'],
      },
      // A save after the erasure meets absence again, so it takes effect.
      expect.objectContaining({ eventId: 'e10', outcome: 'saved', supersededBy: null }),
    ]);
  });
});
