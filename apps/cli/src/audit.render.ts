import { type AuditEntry, type StickinessExplanation } from '@ledger/assignment';
import { renderTable } from './table.render';

/** What `GET /v1/audit/{key}` answers. */
export interface AuditAnswer {
  key: string;
  entries: AuditEntry[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/** A unit's audit trail as a table, one line per save, superseded save, delete or erasure, in log order. */
export function renderAuditTrail(answer: Pick<AuditAnswer, 'key' | 'entries'>): string {
  if (answer.entries.length === 0) return `${answer.key}: no saves, deletes or erasures recorded`;
  const rows = answer.entries.map((entry) => {
    const cause = `${entry.cause.source}${entry.cause.apiKeyId ? ` by ${entry.cause.apiKeyId}` : ''}`;
    const trace = entry.cause.traceId ?? entry.cause.requestId;
    switch (entry.type) {
      case 'StickyValueSaved':
        return [
          entry.at,
          'save',
          entry.experiment,
          versions(entry.experimentVersion, entry.bucketVersion),
          entry.groupName,
          entry.ruleId,
          entry.buckets ? `${entry.buckets.allocation}/${entry.buckets.group}` : null,
          entry.evaluated ? targeting(entry.targeting, entry.enforceTargeting) : 'sdk save',
          entry.outcome === 'superseded' && entry.supersededBy ? `superseded by ${entry.supersededBy.eventId}` : entry.outcome,
          cause,
          trace,
          entry.eventId,
        ];
      case 'StickyValueDeleted':
        return [entry.at, 'delete', entry.experiment, null, entry.removed?.groupName, null, null, entry.deleteReason, entry.outcome, cause, trace, entry.eventId];
      case 'UnitErased':
        return [entry.at, 'erasure', entry.removedValues.join(','), null, null, null, null, `${entry.erasedEntries} entries erased`, entry.outcome, cause, trace, entry.eventId];
    }
  });
  return renderTable(['TIME', 'EVENT', 'EXPERIMENT', 'VERSION', 'GROUP', 'RULE', 'BUCKETS', 'WHY', 'OUTCOME', 'CAUSE', 'TRACE/REQUEST', 'EVENT ID'], rows);
}

const versions = (experimentVersion: number | null, bucketVersion: number | null): string | null =>
  experimentVersion === null ? null : `v${experimentVersion}${bucketVersion === null ? '' : `/b${bucketVersion}`}`;

function targeting(outcome: { passed: boolean; condition?: { field: string; operator: string } } | null, enforce: boolean | null): string {
  const text =
    outcome === null ? 'no targeting' : outcome.passed ? 'targeting passed' : `targeting failed (${outcome.condition?.field ?? '?'} ${outcome.condition?.operator ?? ''})`.replace(' )', ')');
  return enforce ? `${text}, enforced` : text;
}

/** The sentence first (what a person asked), then the facts a script would read, one per line. */
export function renderExplanation(answer: StickinessExplanation): string {
  const lines = [answer.explanation, '', `sticky:   ${answer.sticky ? 'yes' : 'no'}`];
  if (answer.sticky) lines.push(`group:    ${answer.group ?? '-'}`, `since:    ${answer.since ?? '-'}`);
  lines.push(`as of:    ${answer.asOf}`);
  const now = answer.ifEvaluatedNow;
  if (now) {
    const live = now.live.reason === 'Evaluated' ? `${now.live.groupName} (Evaluated)` : now.live.reason;
    const answered = now.answer.groupName ? `${now.answer.groupName} (${now.answer.reason})` : now.answer.reason;
    const writes =
      now.wouldAppend.length === 0
        ? 'nothing'
        : now.wouldAppend.map((append) => (append.type === 'StickyValueSaved' ? `save ${append.groupName ?? ''}`.trim() : `delete (${append.reason})`)).join(', then ');
    lines.push(`now:      version ${now.experimentVersion}: live ${live}, answered ${answered}, would write ${writes}`);
  }
  return lines.join('\n');
}
