import { type DeleteReason, type EventSource, type LedgerEvent } from '@ledger/events';
import { type AssignmentReason, type AssignmentResult, decideAssignment } from '../assignment.decide';
import { type ExperimentSpec } from '../experiment-spec';
import { type StatsigUser } from '../statsig-user';
import { ABSENT, foldEvents } from '../sticky-state.evolve';
import { type TargetingCondition } from '../targeting';
import { auditTrail, type AuditedEvent, type DeleteAuditEntry, type SaveAuditEntry } from './audit-trail.evolve';
import { idTypeOfKey, unitIdOfKey } from './audit-format';
import { renderExplanation } from './stickiness-explanation.render';

/** The experiment as published now: the version an evaluation would use. */
export interface CurrentExperiment {
  spec: ExperimentSpec;
  version: number;
}

export interface ExplainStickinessInput {
  key: string;
  experiment: string;
  /** The unit's events in log order (all experiments: an erasure concerns them all). */
  history: Iterable<AuditedEvent>;
  /** Null when the experiment has no published version. */
  current: CurrentExperiment | null;
  /** The moment explained (RFC 3339); the caller passes its clock's now when none is asked for. */
  asOf: string;
  /** The user's attributes for targeting; without them only the unit id (from the key) is known. */
  user?: StatsigUser;
  /** Whether the evaluation now is asked to check targeting before honouring the sticky value. */
  enforceTargeting?: boolean;
}

/** How the save that put (or last put) the value there was evaluated; null when an SDK saved it directly. */
export interface SaveEvaluation {
  experimentVersion: number;
  bucketVersion: number;
  allocationPercent: number | null;
  buckets: { allocation: number; group: number };
  ruleId: string | null;
  enforceTargeting: boolean | null;
}

/** The facts an explanation is rendered from, in the order they are told. */
export type StickinessFact =
  | { fact: 'NeverEvaluated'; unitId: string; experiment: string; asOf: string }
  | { fact: 'Erased'; unitId: string; experiment: string; eventId: string; at: string; source: EventSource; apiKeyId: string | null; removedValue: boolean }
  | { fact: 'Saved'; unitId: string; experiment: string; eventId: string; at: string; groupName: string | null; source: EventSource; apiKeyId: string | null; evaluation: SaveEvaluation | null }
  | { fact: 'SaveSuperseded'; eventId: string; at: string; groupName: string | null; winnerEventId: string; winnerGroupName: string | null; millisecondsLater: number }
  | { fact: 'Deleted'; eventId: string; at: string; reason: DeleteReason; source: EventSource; apiKeyId: string | null; removedBucketVersion: number | null }
  | { fact: 'ExperimentNotPublished'; experiment: string }
  | {
      fact: 'EvaluatedNow';
      experimentVersion: number;
      status: ExperimentSpec['status'];
      allocationPercent: number;
      live: { reason: AssignmentReason; groupName: string | null; buckets: { allocation: number; group: number } | null };
      answer: { reason: AssignmentReason; groupName: string | null };
      wouldAppend: WouldAppend[];
      /** The spec targets, but no user attributes were given: targeting was judged on the unit id alone. */
      judgedOnUnitIdOnly: boolean;
    }
  | { fact: 'TargetingFailsNow'; failedCondition: number; condition: TargetingCondition; enforceTargeting: boolean }
  | { fact: 'BucketVersionRetired'; heldBucketVersion: number; minBucketVersion: number };

export type WouldAppend = { type: 'StickyValueSaved'; groupName: string | null } | { type: 'StickyValueDeleted'; reason: DeleteReason };

/** What an evaluation would make of the unit now, computed by the pure core; nothing is written. */
export interface EvaluatedNow {
  experimentVersion: number;
  enforceTargeting: boolean;
  /** A fresh evaluation, as a unit holding no value would get it. */
  live: AssignmentResult;
  /** What the evaluation would answer, given the value the unit holds (persist: true). */
  answer: AssignmentResult;
  wouldAppend: WouldAppend[];
}

export interface StickinessExplanation {
  key: string;
  experiment: string;
  asOf: string;
  sticky: boolean;
  /** When the value held was saved; null when none is held. */
  since: string | null;
  group: string | null;
  explanation: string;
  because: StickinessFact[];
  ifEvaluatedNow: EvaluatedNow | null;
}

/**
 * Why a unit is (or is not) sticky in an experiment at `asOf`, and what an evaluation under the current
 * version would make of it. Pure: a function of the history, the current spec and the moment asked about.
 */
export function explainStickiness(input: ExplainStickinessInput): StickinessExplanation {
  const { key, experiment, current, asOf } = input;
  const asOfMs = Date.parse(asOf);
  const unitId = unitIdOfKey(key);
  const history = [...input.history].filter((event) => Date.parse(timeOf(event)) <= asOfMs);
  const lastErasure = history.findLastIndex((event) => event.type === 'UnitErased');
  const sinceErasure = history.slice(lastErasure + 1).filter((event): event is LedgerEvent => event.type !== 'UnitErased' && event.data.configName === experiment);
  const state = foldEvents(sinceErasure);

  const entries = auditTrail(history);
  const own = entries.filter((entry): entry is SaveAuditEntry | DeleteAuditEntry => entry.type !== 'UnitErased' && entry.experiment === experiment);
  const lastEffective = own.findLast((entry) => entry.outcome === 'saved' || entry.outcome === 'deleted');
  const holding = state.kind === 'held' ? own.find((entry): entry is SaveAuditEntry => entry.type === 'StickyValueSaved' && entry.eventId === state.savedEventId) : undefined;

  const because: StickinessFact[] = [];
  if (holding) {
    because.push(savedFact(unitId, holding));
    for (const entry of own) {
      if (entry.type === 'StickyValueSaved' && entry.outcome === 'superseded' && entry.supersededBy?.eventId === holding.eventId) {
        because.push({
          fact: 'SaveSuperseded',
          eventId: entry.eventId,
          at: entry.at,
          groupName: entry.groupName,
          winnerEventId: holding.eventId,
          winnerGroupName: holding.groupName,
          millisecondsLater: Date.parse(entry.at) - Date.parse(holding.at),
        });
      }
    }
  } else if (lastEffective?.type === 'StickyValueDeleted') {
    const removed = own.find((entry): entry is SaveAuditEntry => entry.type === 'StickyValueSaved' && entry.eventId === lastEffective.removed?.eventId);
    if (removed) because.push(savedFact(unitId, removed));
    because.push({
      fact: 'Deleted',
      eventId: lastEffective.eventId,
      at: lastEffective.at,
      reason: lastEffective.deleteReason,
      source: lastEffective.cause.source,
      apiKeyId: lastEffective.cause.apiKeyId,
      removedBucketVersion: removed?.bucketVersion ?? null,
    });
  } else if (lastErasure >= 0) {
    const erasure = entries[0]!;
    because.push({
      fact: 'Erased',
      unitId,
      experiment,
      eventId: erasure.eventId,
      at: erasure.at,
      source: erasure.cause.source,
      apiKeyId: erasure.cause.apiKeyId,
      removedValue: erasure.type === 'UnitErased' && erasure.removedValues.includes(experiment),
    });
  } else {
    because.push({ fact: 'NeverEvaluated', unitId, experiment, asOf });
  }

  let ifEvaluatedNow: EvaluatedNow | null = null;
  if (!current) {
    because.push({ fact: 'ExperimentNotPublished', experiment });
  } else {
    const { spec, version } = current;
    const user = input.user ?? userOfKey(key);
    const enforceTargeting = input.enforceTargeting ?? false;
    const options = { persist: true, enforceTargeting };
    const evaluation = { type: 'EvaluateAssignment' as const, spec, specVersion: version, user, options, time: null };
    const live = decideAssignment(evaluation, ABSENT).result;
    const decision = decideAssignment(evaluation, state);
    const wouldAppend: WouldAppend[] = decision.events.flatMap((event): WouldAppend[] =>
      event.type === 'StickyValueSaved'
        ? [{ type: 'StickyValueSaved', groupName: event.data.stickyValues.group_name }]
        : event.type === 'StickyValueDeleted'
          ? [{ type: 'StickyValueDeleted', reason: event.data.reason }]
          : [],
    );
    ifEvaluatedNow = { experimentVersion: version, enforceTargeting, live, answer: decision.result, wouldAppend };
    because.push({
      fact: 'EvaluatedNow',
      experimentVersion: version,
      status: spec.status,
      allocationPercent: spec.allocationPercent,
      live: { reason: live.reason, groupName: live.groupName, buckets: live.buckets },
      answer: { reason: decision.result.reason, groupName: decision.result.groupName },
      wouldAppend,
      judgedOnUnitIdOnly: input.user === undefined && spec.targeting.length > 0,
    });
    // A value an SDK saved directly carries no bucket version; the ledger counts it as the first.
    const heldBucketVersion = state.kind === 'held' ? (state.assignment?.bucketVersion ?? 1) : null;
    if (heldBucketVersion !== null && heldBucketVersion < spec.minBucketVersion) {
      because.push({ fact: 'BucketVersionRetired', heldBucketVersion, minBucketVersion: spec.minBucketVersion });
    }
    if (live.targeting && !live.targeting.passed) {
      because.push({ fact: 'TargetingFailsNow', failedCondition: live.targeting.failedCondition, condition: live.targeting.condition, enforceTargeting });
    }
  }

  return {
    key,
    experiment,
    asOf,
    sticky: state.kind === 'held',
    since: state.kind === 'held' ? state.savedAt : null,
    group: state.kind === 'held' ? state.stickyValues.group_name : null,
    explanation: renderExplanation(because),
    because,
    ifEvaluatedNow,
  };
}

function savedFact(unitId: string, entry: SaveAuditEntry): StickinessFact {
  return {
    fact: 'Saved',
    unitId,
    experiment: entry.experiment,
    eventId: entry.eventId,
    at: entry.at,
    groupName: entry.groupName,
    source: entry.cause.source,
    apiKeyId: entry.cause.apiKeyId,
    evaluation:
      entry.evaluated && entry.buckets && entry.experimentVersion !== null && entry.bucketVersion !== null
        ? {
            experimentVersion: entry.experimentVersion,
            bucketVersion: entry.bucketVersion,
            allocationPercent: entry.allocationPercent,
            buckets: entry.buckets,
            ruleId: entry.ruleId,
            enforceTargeting: entry.enforceTargeting,
          }
        : null,
  };
}

const timeOf = (event: AuditedEvent): string => event.metadata.occurredAt;

/** The user a persistence key names, with no attributes: its unit id under its id type. */
function userOfKey(key: string): StatsigUser {
  const unitId = unitIdOfKey(key);
  const idType = idTypeOfKey(key);
  return idType.toLowerCase() === 'userid' ? { userID: unitId } : { customIDs: { [idType]: unitId } };
}
