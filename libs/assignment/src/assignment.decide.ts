import { type AssignmentReason, type AssignmentRecord, type DeleteReason, type StickyValues } from '@ledger/events';
import { allocationBucket, groupAt, groupBucket, isAllocated } from './bucketing';
import { type ExperimentSpec } from './experiment-spec';
import { persistenceKeyFor, type StatsigUser, unitIdFor } from './statsig-user';
import { type StorageCommand } from './persistence.decide';
import { evaluateTargeting, type TargetingOutcome } from './targeting';

export type { AssignmentReason } from '@ledger/events';

/** The unit's sticky value for this experiment, with the bucket version it was assigned under. */
export interface StickyAssignment {
  stickyValues: StickyValues;
  bucketVersion: number;
}

export interface AssignmentOptions {
  /** False means "no persisted values provided" (rule 1): live result, and the sticky value is deleted. */
  persist: boolean;
  /** Check targeting before honouring a sticky value (rule 3). */
  enforceTargeting: boolean;
}

export interface AssignmentResult {
  groupName: string | null;
  ruleId: string;
  parameters: Record<string, unknown>;
  reason: AssignmentReason;
  buckets: { allocation: number; group: number } | null;
  targeting: TargetingOutcome | null;
}

export interface AssignmentDecision {
  result: AssignmentResult;
  /** What the ledger must do, in order (a retired bucket version is deleted, then the new value saved). */
  commands: StorageCommand[];
  /**
   * Whether this decision removes whatever sticky value the unit holds (rules 1 and 2). When no value was
   * seen, the decision appends nothing, so a caller must be sure the absence is not merely unprojected.
   */
  deletesHeldValue: boolean;
}

/**
 * Which group a user is in, and what the ledger must record, following the persistence rules:
 * 1. no persisted values given: live result; an existing sticky value is deleted;
 * 2. experiment not active: live result (not in the experiment); an existing sticky value is deleted;
 * 3. a sticky value exists: it is returned whatever the user or the spec say now (with enforceTargeting,
 *    a user who fails targeting gets the live result and the sticky value is kept); one assigned under a
 *    retired bucket version is deleted and the user evaluated afresh;
 * 4. no sticky value and allocated to a group: saved (the first evaluation) and returned;
 * 5. no sticky value and not in the experiment: live result, nothing saved.
 * Pure: no clock, no randomness; `specVersion` and `time` come from the caller.
 */
export function decideAssignment(spec: ExperimentSpec, specVersion: number, user: StatsigUser, sticky: StickyAssignment | null, options: AssignmentOptions, time: number | null): AssignmentDecision {
  const unitId = unitIdFor(user, spec.idType);
  const persistenceKey = persistenceKeyFor(user, spec.idType);
  if (unitId === undefined || persistenceKey === undefined) {
    return { result: notInExperiment(spec, 'NoUnitID', 'no_unit_id', null, null), commands: [], deletesHeldValue: false };
  }
  const live = spec.status === 'active' ? evaluateLive(spec, unitId, user) : inactive(spec, unitId);
  const configName = spec.name;
  const deleteSticky = (reason: DeleteReason): StorageCommand[] => (sticky ? [{ type: 'DeleteStickyValue', persistenceKey, configName, reason }] : []);

  if (!options.persist) return { result: live, commands: deleteSticky('persisted_values_not_provided'), deletesHeldValue: true };
  if (spec.status !== 'active') return { result: live, commands: deleteSticky('experiment_inactive'), deletesHeldValue: true };

  const retired = sticky !== null && sticky.bucketVersion < spec.minBucketVersion;
  if (sticky && !retired) {
    if (options.enforceTargeting && live.targeting?.passed === false) return { result: live, commands: [], deletesHeldValue: false };
    return { result: persisted(sticky.stickyValues, live), commands: [], deletesHeldValue: false };
  }
  const commands = retired ? deleteSticky('bucket_version_retired') : [];
  if (live.reason !== 'Evaluated') return { result: live, commands, deletesHeldValue: false };
  return {
    result: live,
    commands: [
      ...commands,
      { type: 'SaveStickyValue', persistenceKey, configName, stickyValues: toStickyValues(live, specVersion, time), assignment: assignmentRecord(spec, specVersion, live, options) },
    ],
    deletesHeldValue: false,
  };
}

function evaluateLive(spec: ExperimentSpec, unitId: string, user: StatsigUser): AssignmentResult {
  const buckets = { allocation: allocationBucket(spec.salt, spec.bucketVersion, unitId), group: groupBucket(spec.salt, spec.bucketVersion, unitId) };
  const targeting = evaluateTargeting(spec.targeting, user);
  if (!targeting.passed) return notInExperiment(spec, 'TargetingFailed', 'targeting_failed', buckets, targeting);
  const group = isAllocated(buckets.allocation, spec.allocationPercent) ? groupAt(spec.groups, buckets.group) : undefined;
  if (!group) return notInExperiment(spec, 'NotAllocated', 'not_allocated', buckets, targeting);
  return { groupName: group.name, ruleId: group.name, parameters: { ...spec.defaultParameters, ...group.parameters }, reason: 'Evaluated', buckets, targeting };
}

function inactive(spec: ExperimentSpec, unitId: string): AssignmentResult {
  const buckets = { allocation: allocationBucket(spec.salt, spec.bucketVersion, unitId), group: groupBucket(spec.salt, spec.bucketVersion, unitId) };
  return notInExperiment(spec, 'Inactive', 'inactive', buckets, null);
}

function notInExperiment(spec: ExperimentSpec, reason: AssignmentReason, ruleId: string, buckets: AssignmentResult['buckets'], targeting: TargetingOutcome | null): AssignmentResult {
  return { groupName: null, ruleId, parameters: { ...spec.defaultParameters }, reason, buckets, targeting };
}

function persisted(sticky: StickyValues, live: AssignmentResult): AssignmentResult {
  return {
    groupName: sticky.group_name,
    ruleId: sticky.rule_id ?? 'persisted',
    parameters: sticky.json_value ?? {},
    reason: 'Persisted',
    buckets: live.buckets,
    targeting: live.targeting,
  };
}

/** Why the unit got its group, as the saved event records it for the audit trail. */
function assignmentRecord(spec: ExperimentSpec, specVersion: number, live: AssignmentResult, options: AssignmentOptions): AssignmentRecord {
  return {
    experiment: spec.name,
    experimentVersion: specVersion,
    bucketVersion: spec.bucketVersion,
    allocationPercent: spec.allocationPercent,
    ruleId: live.ruleId,
    groupName: live.groupName,
    buckets: live.buckets!,
    targeting: live.targeting,
    enforceTargeting: options.enforceTargeting,
    reason: live.reason,
  };
}

/** The sticky value in Statsig's shape, so SDK adapters can load what the evaluation saved. */
function toStickyValues(result: AssignmentResult, specVersion: number, time: number | null): StickyValues {
  return {
    value: true,
    json_value: result.parameters,
    rule_id: result.ruleId,
    group_name: result.groupName,
    secondary_exposures: [],
    undelegated_secondary_exposures: null,
    config_delegate: null,
    explicit_parameters: null,
    time,
    config_version: specVersion,
  };
}
