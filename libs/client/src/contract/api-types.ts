import { type AssignmentReason, type DeleteReason, type StickyValues, type StickyValuesInput } from './ledger-events';
import { type StatsigUser } from '../../../assignment/src/statsig-user';
import { type ExperimentSpec, type ExperimentSpecInput } from '../../../assignment/src/experiment-spec';
import { type ExperimentDiff } from '../../../assignment/src/experiment-diff';
import { type TargetingOutcome } from '../../../assignment/src/targeting';

export type { AssignmentReason, DeleteReason, ExperimentDiff, ExperimentSpec, ExperimentSpecInput, StatsigUser, StickyValues, StickyValuesInput, TargetingOutcome };

/** Everything saved under one persistence key: config name -> sticky value. */
export type UserPersistedValues = Record<string, StickyValues>;

export type SaveResult =
  | { outcome: 'saved'; value: StickyValues; eventId: string }
  /** The unit already held a value (first write wins); `value` is it, or null for a key without `storage:read`. */
  | { outcome: 'already_sticky'; value: StickyValues | null; eventId: string | null }
  /** Asked with `respondAsync`: the event is in the log; the read model will apply it. */
  | { outcome: 'accepted'; eventId: string | null };

export interface DeleteResult {
  outcome: 'deleted' | 'absent' | 'accepted';
  eventId: string | null;
}

/** What `POST /v1/experiments/{name}/evaluate` (gRPC `Evaluate`) answers. */
export interface EvaluationResult {
  experiment: string;
  /** The spec version evaluated now. */
  version: number;
  groupName: string | null;
  ruleId: string;
  parameters: Record<string, unknown>;
  reason: AssignmentReason;
  buckets: { allocation: number; group: number } | null;
  targeting: TargetingOutcome | null;
  sticky: { key: string; savedAt: string; eventId: string; experimentVersion: number | null } | null;
}

export interface PublishedExperiment {
  name: string;
  version: number;
  spec: ExperimentSpec;
  publishedBy: string;
  publishedAt: string;
  diff: ExperimentDiff;
}

/** Who makes a storage call: recorded in the event's `metadata.cause.source` (`storage_api` when not declared). */
export type StorageCaller = 'sdk_adapter';
