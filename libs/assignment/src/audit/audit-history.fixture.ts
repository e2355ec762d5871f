import { type AssignmentRecord, type DeleteReason, type EventCause, type LedgerEvent } from '@ledger/events';
import { type ExperimentSpec, validateExperimentSpec } from '../experiment-spec';

/** Builders for the audit tests' stories: one unit (test-123), readable times, fixed event ids. */

export const KEY = 'test-123:userID';

const cause = (apiKeyId: string | null = 'key-sdk'): EventCause => ({ source: 'evaluation', apiKeyId, requestId: 'req-1' });

export const evaluationRecord = (overrides: Partial<AssignmentRecord> = {}): AssignmentRecord => ({
  experiment: 'checkout_button',
  experimentVersion: 3,
  bucketVersion: 1,
  allocationPercent: 20,
  ruleId: 'Test',
  groupName: 'Test',
  buckets: { allocation: 1234, group: 6974 },
  targeting: { passed: true },
  enforceTargeting: false,
  reason: 'Evaluated',
  ...overrides,
});

interface SaveOptions {
  eventId: string;
  at: string;
  group?: string;
  /** Null for a value an SDK saved directly (no evaluation block). */
  assignment?: AssignmentRecord | null;
  experiment?: string;
  cause?: EventCause;
}

export const saved = ({ eventId, at, group = 'Test', assignment, experiment = 'checkout_button', cause: given }: SaveOptions): LedgerEvent => {
  const record = assignment === undefined ? evaluationRecord({ groupName: group, ruleId: group, experiment }) : assignment;
  return {
    type: 'StickyValueSaved',
    version: 2,
    data: {
      persistenceKey: KEY,
      configName: experiment,
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
        config_version: record?.experimentVersion ?? 2,
      },
      ...(record ? { assignment: record } : {}),
    },
    metadata: { eventId, occurredAt: at, cause: given ?? (record ? cause() : { source: 'storage_api', apiKeyId: 'key-sdk', requestId: 'req-2' }) },
  };
};

export const deleted = ({
  eventId,
  at,
  reason,
  experiment = 'checkout_button',
  apiKeyId = 'key-sdk',
}: {
  eventId: string;
  at: string;
  reason: DeleteReason;
  experiment?: string;
  apiKeyId?: string | null;
}): LedgerEvent => ({
  type: 'StickyValueDeleted',
  version: 2,
  data: { persistenceKey: KEY, configName: experiment, reason },
  metadata: { eventId, occurredAt: at, cause: { source: reason === 'explicit' ? 'storage_api' : 'evaluation', apiKeyId, requestId: 'req-3' } },
});

export const erased = ({ eventId, at }: { eventId: string; at: string }): LedgerEvent => ({
  type: 'UnitErased',
  version: 1,
  data: { persistenceKey: KEY },
  metadata: { eventId, occurredAt: at, cause: { source: 'storage_api', apiKeyId: 'key-admin', requestId: 'req-4', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } },
});

/**
 * checkout_button as published now. test-123 has allocation bucket 8026 and group bucket 6974 under bucket
 * version 1 (Test in a 50/50 split), and allocation bucket 7736 and group bucket 5890 (Test too) under bucket version 2.
 */
export const currentSpec = (overrides: Record<string, unknown> = {}): ExperimentSpec => {
  const result = validateExperimentSpec('checkout_button', {
    idType: 'userID',
    status: 'active',
    allocationPercent: 10,
    groups: [
      { name: 'Control', weight: 50 },
      { name: 'Test', weight: 50 },
    ],
    ...overrides,
  });
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.spec;
};
