import { type AssignmentReason, type AssignmentRecord, type DeleteReason, type LedgerEventData, type StickyValues } from '@ledger/events';
import { allocationBucket, groupAt, groupBucket, isAllocated } from './bucketing';
import { type ExperimentSpec } from './experiment-spec';
import { persistenceKeyFor, type StatsigUser, unitIdFor } from './statsig-user';
import { decide, type StorageCommand } from './persistence.decide';
import { ABSENT, type StickyState } from './sticky-state.evolve';
import { evaluateTargeting, type TargetingOutcome } from './targeting';

export type { AssignmentReason } from '@ledger/events';

/** "Which group is this user in?", asked of one published version of an experiment. */
export interface EvaluateAssignment {
  type: 'EvaluateAssignment';
  spec: ExperimentSpec;
  specVersion: number;
  user: StatsigUser;
  options: AssignmentOptions;
  /** Statsig's config time for a saved value (the version's publication), in ms since the epoch. */
  time: number | null;
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
  /** The events to append, in order (a value under a retired bucket version is deleted, then the new one saved). */
  events: LedgerEventData[];
  /**
   * The decision would delete a held value (rules 1 and 2) but saw none: a save acknowledged just before
   * may not be projected yet, so the caller must decide again once the read model has reached its read position.
   */
  judgeAtReadPosition: boolean;
}

/** The persistence key and config name whose state an evaluation decides on; undefined when the user has no unit id. */
export function stickyStateOf(command: EvaluateAssignment): { persistenceKey: string; configName: string } | undefined {
  const persistenceKey = persistenceKeyFor(command.user, command.spec.idType);
  return persistenceKey === undefined ? undefined : { persistenceKey, configName: command.spec.name };
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
 * `state` is the unit's state for the experiment (see stickyStateOf). Pure: no clock, no randomness;
 * `specVersion` and `time` come from the caller.
 */
export function decideAssignment(command: EvaluateAssignment, state: StickyState): AssignmentDecision {
  const { spec, specVersion, user, options, time } = command;
  const unitId = unitIdFor(user, spec.idType);
  const persistenceKey = persistenceKeyFor(user, spec.idType);
  if (unitId === undefined || persistenceKey === undefined) {
    return { result: notInExperiment(spec, 'NoUnitID', 'no_unit_id', null, null), events: [], judgeAtReadPosition: false };
  }
  const live = spec.status === 'active' ? evaluateLive(spec, unitId, user) : inactive(spec, unitId);
  const configName = spec.name;
  const deleteSticky = (reason: DeleteReason): StorageCommand => ({ type: 'DeleteStickyValue', persistenceKey, configName, reason });
  // A held value is deleted; absence is only trusted once the read model has reached the caller's position.
  const removeHeld = (reason: DeleteReason): AssignmentDecision => ({ result: live, events: eventsOf([[deleteSticky(reason), state]]), judgeAtReadPosition: state.kind === 'absent' });

  if (!options.persist) return removeHeld('persisted_values_not_provided');
  if (spec.status !== 'active') return removeHeld('experiment_inactive');

  // A value an SDK saved directly carries no bucket version; it counts as the first.
  const retired = state.kind === 'held' && (state.assignment?.bucketVersion ?? 1) < spec.minBucketVersion;
  if (state.kind === 'held' && !retired) {
    if (options.enforceTargeting && live.targeting?.passed === false) return { result: live, events: [], judgeAtReadPosition: false };
    return { result: persisted(state.stickyValues, live), events: [], judgeAtReadPosition: false };
  }
  const steps: Array<[StorageCommand, StickyState]> = retired ? [[deleteSticky('bucket_version_retired'), state]] : [];
  if (live.reason !== 'Evaluated') return { result: live, events: eventsOf(steps), judgeAtReadPosition: false };
  const save: StorageCommand = {
    type: 'SaveStickyValue',
    persistenceKey,
    configName,
    stickyValues: toStickyValues(live, specVersion, time),
    assignment: assignmentRecord(spec, specVersion, live, options),
  };
  // The save follows the retired value's delete, so it is judged over absence.
  return { result: live, events: eventsOf([...steps, [save, ABSENT]]), judgeAtReadPosition: false };
}

function eventsOf(steps: Array<[StorageCommand, StickyState]>): LedgerEventData[] {
  const events: LedgerEventData[] = [];
  for (const [command, state] of steps) {
    const event = decide(command, state);
    if (event) events.push(event);
  }
  return events;
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
