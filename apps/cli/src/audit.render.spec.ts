import { stickyValueFor } from '@ledger/testing';
import { auditTrail, explainStickiness, validateExperimentSpec } from '@ledger/assignment';
import { type LedgerEvent } from '@ledger/events';
import { type AuditAnswer, renderAuditTrail, renderExplanation } from './audit.render';

// Answers as the audit routes will send them: the core's output, through JSON.
const save = (eventId: string, at: string, group: string): LedgerEvent => ({
  type: 'StickyValueSaved',
  version: 2,
  data: {
    persistenceKey: 'test-123:userID',
    configName: 'checkout_button',
    stickyValues: { ...stickyValueFor(group, 3), json_value: {}, rule_id: group, time: null },
    assignment: {
      experiment: 'checkout_button',
      experimentVersion: 3,
      bucketVersion: 1,
      allocationPercent: 20,
      ruleId: group,
      groupName: group,
      buckets: { allocation: 1234, group: 6974 },
      targeting: { passed: true },
      enforceTargeting: false,
      reason: 'Evaluated',
    },
  },
  metadata: { eventId, occurredAt: at, cause: { source: 'evaluation', apiKeyId: 'key-1', requestId: 'req-1', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } },
});
const history: LedgerEvent[] = [
  save('e1', '2026-03-02T09:15:00.000Z', 'Test'),
  save('e2', '2026-03-02T09:15:00.012Z', 'Control'),
  {
    type: 'StickyValueDeleted',
    version: 2,
    data: { persistenceKey: 'test-123:userID', configName: 'checkout_button', reason: 'explicit' },
    metadata: { eventId: 'e3', occurredAt: '2026-03-05T12:00:00.000Z', cause: { source: 'storage_api', apiKeyId: null, requestId: 'req-9' } },
  },
];
const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value));

describe('rendering the audit answers', () => {
  it('renders the trail as a table, one line per entry, with outcome, cause and trace', () => {
    const answer: AuditAnswer = asJson({ key: 'test-123:userID', entries: auditTrail(history), nextCursor: null });
    expect(renderAuditTrail(answer).split('\n')).toEqual([
      'TIME                      EVENT   EXPERIMENT       VERSION  GROUP    RULE     BUCKETS    WHY               OUTCOME           CAUSE                TRACE/REQUEST                     EVENT ID',
      '2026-03-02T09:15:00.000Z  save    checkout_button  v3/b1    Test     Test     1234/6974  targeting passed  saved             evaluation by key-1  4bf92f3577b34da6a3ce929d0e0e4736  e1',
      '2026-03-02T09:15:00.012Z  save    checkout_button  v3/b1    Control  Control  1234/6974  targeting passed  superseded by e1  evaluation by key-1  4bf92f3577b34da6a3ce929d0e0e4736  e2',
      '2026-03-05T12:00:00.000Z  delete  checkout_button  -        Test     -        -          explicit          deleted           storage_api          req-9                             e3',
    ]);
  });

  it('says so when a unit has no entries', () => {
    expect(renderAuditTrail({ key: 'nobody:userID', entries: [] })).toBe('nobody:userID: no saves, deletes or erasures recorded');
  });

  it('renders an explanation as its sentence, then the facts a person checks', () => {
    const validation = validateExperimentSpec('checkout_button', {
      status: 'active',
      allocationPercent: 10,
      groups: [
        { name: 'Control', weight: 50 },
        { name: 'Test', weight: 50 },
      ],
    });
    if (!validation.ok) throw new Error(validation.problems.join('; '));
    const answer = asJson(
      explainStickiness({ key: 'test-123:userID', experiment: 'checkout_button', history: history.slice(0, 2), current: { spec: validation.spec, version: 5 }, asOf: '2026-04-01T00:00:00.000Z' }),
    );
    expect(renderExplanation(answer)).toBe(
      [
        'test-123 is in Test since 2026-03-02 because it was first evaluated under version 3, allocation bucket 1234 below 20.00 %, and a racing save of Control (event e2) reached the log 12 ms later and was superseded, as the first write wins; evaluated now under version 5 (allocation 10.00 %) it would be NotAllocated, so the persisted value keeps it in Test.',
        '',
        'sticky:   yes',
        'group:    Test',
        'since:    2026-03-02T09:15:00.000Z',
        'as of:    2026-04-01T00:00:00.000Z',
        'now:      version 5: live NotAllocated, answered Test (Persisted), would write nothing',
      ].join('\n'),
    );
  });
});
