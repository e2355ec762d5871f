import { type AssignmentRecord, type DeleteReason, type EventCause, type EventSource, type LedgerEvent } from '@ledger/events';
import { ABSENT, evolve, type ProjectedOutcome, type StickyState } from '../sticky-state.evolve';

/** What a unit's audit trail is folded from, in log order. */
export type AuditedEvent = LedgerEvent;

/** Who caused an entry, as the audit API shows it: the trace id is the one part of a `traceparent` a person looks up. */
export interface AuditCause {
  source: EventSource;
  apiKeyId: string | null;
  requestId: string;
  traceId: string | null;
}

/** The save whose value a unit held when a later event met it. */
export interface HeldSave {
  eventId: string;
  at: string;
  groupName: string | null;
}

export interface SaveAuditEntry {
  type: 'StickyValueSaved';
  eventId: string;
  at: string;
  key: string;
  experiment: string;
  /** The experiment version it was evaluated under; for a value an SDK saved, the `config_version` it sent. */
  experimentVersion: number | null;
  bucketVersion: number | null;
  groupName: string | null;
  ruleId: string | null;
  buckets: { allocation: number; group: number } | null;
  allocationPercent: number | null;
  targeting: AssignmentRecord['targeting'];
  enforceTargeting: boolean | null;
  /** False when an SDK saved the value directly through the storage API: no evaluation block explains it. */
  evaluated: boolean;
  cause: AuditCause;
  outcome: Extract<ProjectedOutcome, 'saved' | 'superseded'>;
  /** For a superseded save: the earlier save that held the value, and so won. */
  supersededBy: HeldSave | null;
}

export interface DeleteAuditEntry {
  type: 'StickyValueDeleted';
  eventId: string;
  at: string;
  key: string;
  experiment: string;
  deleteReason: DeleteReason;
  cause: AuditCause;
  outcome: Extract<ProjectedOutcome, 'deleted' | 'absent'>;
  /** For a delete that took effect: the save whose value it removed. */
  removed: HeldSave | null;
}

export interface ErasureAuditEntry {
  type: 'UnitErased';
  eventId: string;
  at: string;
  key: string;
  cause: AuditCause;
  outcome: 'erased';
  /** How many entries the erasure removed from the trail (their content is gone; the count is not personal data). */
  erasedEntries: number;
  /** The experiments whose values the erasure removed. */
  removedValues: string[];
}

export type AuditEntry = SaveAuditEntry | DeleteAuditEntry | ErasureAuditEntry;

/** One experiment's state in the trail: the log's state plus the group of the save that holds it. */
interface ExperimentTrail {
  state: StickyState;
  heldGroup: string | null;
}

/**
 * A unit's audit trail: every save, superseded save and delete with what the projection made of it,
 * decided by the same evolve the read model is folded with. An erasure drops everything before it
 * (only the erasure itself remains) and the history starts anew.
 */
export function auditTrail(history: Iterable<AuditedEvent>): AuditEntry[] {
  let entries: AuditEntry[] = [];
  let experiments = new Map<string, ExperimentTrail>();
  for (const event of history) {
    if (event.type === 'UnitErased') {
      const removedValues = [...experiments].filter(([, trail]) => trail.state.kind === 'held').map(([experiment]) => experiment);
      const erasedEntries = entries.filter((entry) => entry.type !== 'UnitErased').length;
      entries = [
        {
          type: 'UnitErased',
          eventId: event.metadata.eventId,
          at: event.metadata.occurredAt,
          key: event.data.persistenceKey,
          cause: auditCause(event.metadata.cause),
          outcome: 'erased',
          erasedEntries,
          removedValues: removedValues.sort(),
        },
      ];
      experiments = new Map();
      continue;
    }
    const experiment = event.data.configName;
    const before = experiments.get(experiment) ?? { state: ABSENT, heldGroup: null };
    const { state, outcome } = evolve(before.state, event);
    const held = heldSave(before);
    if (event.type === 'StickyValueSaved') {
      entries.push(saveEntry(event, outcome === 'saved' ? 'saved' : 'superseded', outcome === 'saved' ? null : held));
      experiments.set(experiment, outcome === 'saved' ? { state, heldGroup: event.data.stickyValues.group_name } : before);
    } else {
      entries.push(deleteEntry(event, outcome === 'deleted' ? 'deleted' : 'absent', held));
      experiments.set(experiment, { state, heldGroup: null });
    }
  }
  return entries;
}

/**
 * A later page of a trail, from the page's events and, per experiment, the save that held its value when
 * the page begins (none where the last event before it that took effect was a delete). Nothing else in the
 * past changes what the page shows, so a page costs its own length, not the history's. The read model
 * holds no erasures (an erasure removes the history before it), so neither argument has one.
 */
export function auditTrailPage(heldBefore: readonly AuditedEvent[], page: Iterable<AuditedEvent>): AuditEntry[] {
  return auditTrail([...heldBefore, ...page]).slice(heldBefore.length);
}

function heldSave(trail: ExperimentTrail): HeldSave | null {
  return trail.state.kind === 'held' ? { eventId: trail.state.savedEventId, at: trail.state.savedAt, groupName: trail.heldGroup } : null;
}

type SaveEvent = Extract<LedgerEvent, { type: 'StickyValueSaved' }>;
type DeleteEvent = Extract<LedgerEvent, { type: 'StickyValueDeleted' }>;

function saveEntry(event: SaveEvent, outcome: SaveAuditEntry['outcome'], supersededBy: HeldSave | null): SaveAuditEntry {
  const { persistenceKey, configName, stickyValues, assignment } = event.data;
  return {
    type: 'StickyValueSaved',
    eventId: event.metadata.eventId,
    at: event.metadata.occurredAt,
    key: persistenceKey,
    experiment: configName,
    experimentVersion: assignment?.experimentVersion ?? stickyValues.config_version ?? null,
    bucketVersion: assignment?.bucketVersion ?? null,
    groupName: stickyValues.group_name ?? assignment?.groupName ?? null,
    ruleId: stickyValues.rule_id ?? assignment?.ruleId ?? null,
    buckets: assignment?.buckets ?? null,
    allocationPercent: assignment?.allocationPercent ?? null,
    targeting: assignment?.targeting ?? null,
    enforceTargeting: assignment?.enforceTargeting ?? null,
    evaluated: assignment !== undefined,
    cause: auditCause(event.metadata.cause),
    outcome,
    supersededBy,
  };
}

function deleteEntry(event: DeleteEvent, outcome: DeleteAuditEntry['outcome'], held: HeldSave | null): DeleteAuditEntry {
  return {
    type: 'StickyValueDeleted',
    eventId: event.metadata.eventId,
    at: event.metadata.occurredAt,
    key: event.data.persistenceKey,
    experiment: event.data.configName,
    deleteReason: event.data.reason,
    cause: auditCause(event.metadata.cause),
    outcome,
    removed: outcome === 'deleted' ? held : null,
  };
}

function auditCause(cause: EventCause): AuditCause {
  return { source: cause.source, apiKeyId: cause.apiKeyId, requestId: cause.requestId, traceId: cause.traceparent?.split('-')[1] ?? null };
}
