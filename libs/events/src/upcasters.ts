import { type AssignmentRecord } from './assignment-record.schema';
import { type EventMetadata, type EventMetadataV1 } from './event-metadata.schema';
import { type StickyValueDeletedV1 } from './sticky-value-deleted.v1';
import { type StickyValueDeletedV2 } from './sticky-value-deleted.v2';
import { type StickyValueSavedV1 } from './sticky-value-saved.v1';
import { type StickyValueSavedV2 } from './sticky-value-saved.v2';

/**
 * Version 1 records as version 2 reads them. Pure and total: the result is checked against version 2
 * afterwards, and a record beyond its limits is refused (the projector dead-letters it, on every replay).
 */
export function upcastToCurrent(event: StickyValueSavedV1 | StickyValueDeletedV1): StickyValueSavedV2 | StickyValueDeletedV2 {
  const metadata = metadataFromV1(event.metadata);
  if (event.type === 'StickyValueDeleted') return { type: event.type, version: 2, data: event.data, metadata };
  const { persistenceKey, configName, stickyValues, evaluation } = event.data;
  const assignment = evaluation ? assignmentFromV1(configName, evaluation) : undefined;
  return { type: event.type, version: 2, data: { persistenceKey, configName, stickyValues, ...(assignment ? { assignment } : {}) }, metadata };
}

function metadataFromV1({ eventId, occurredAt, caller, correlationId, source }: EventMetadataV1): EventMetadata {
  return { eventId, occurredAt, cause: { source, apiKeyId: caller.apiKeyId, requestId: correlationId } };
}

/**
 * Version 1 kept the evaluation's "why" untyped; the ledger wrote it with these fields. A block without an
 * experiment version is no evaluation record and is left out; what version 1 did not record is null.
 */
function assignmentFromV1(configName: string, evaluation: Record<string, unknown>): AssignmentRecord | undefined {
  if (typeof evaluation.experimentVersion !== 'number') return undefined;
  return {
    experiment: configName,
    experimentVersion: evaluation.experimentVersion,
    bucketVersion: typeof evaluation.bucketVersion === 'number' ? evaluation.bucketVersion : 1,
    allocationPercent: null,
    ruleId: evaluation.ruleId as string,
    groupName: (evaluation.groupName ?? null) as string | null,
    buckets: evaluation.buckets as AssignmentRecord['buckets'],
    targeting: (evaluation.targeting ?? null) as AssignmentRecord['targeting'],
    enforceTargeting: null,
    reason: evaluation.reason as AssignmentRecord['reason'],
  };
}
