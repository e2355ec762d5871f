import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { type AuditEntry, type StickinessExplanation } from '@ledger/assignment';
import { type ExperimentAssignments } from '@ledger/ledger';
import { validatorFor } from '@ledger/platform';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { GrpcErrorFilter } from '../errors/grpc-error.filter';
import { InvalidPersistenceKeyError } from '../errors/ledger-errors';
import { experimentNamePipe } from '../experiments/experiments.http.controller';
import { type ProtoStruct, toStruct } from '../grpc/protobuf-struct';
import { PersistenceKeyParam } from '../sticky-values/sticky-values.dto';
import { AuditQuerySchema, DEFAULT_AUDIT_PAGE, ExplainQuerySchema } from './audit.dto';
import { type AuditPage, AuditService } from './audit.service';

const validKey = validatorFor(PersistenceKeyParam, 'persistence key', () => new InvalidPersistenceKeyError());
// The HTTP query's schemas, so both transports accept and refuse the same values.
const validAuditQuery = validatorFor(AuditQuerySchema, 'audit request');
const validExplainQuery = validatorFor(ExplainQuerySchema, 'as_of');

const ENTRY_TYPES = { StickyValueSaved: 'AUDIT_ENTRY_TYPE_STICKY_VALUE_SAVED', StickyValueDeleted: 'AUDIT_ENTRY_TYPE_STICKY_VALUE_DELETED', UnitErased: 'AUDIT_ENTRY_TYPE_UNIT_ERASED' } as const;
const OUTCOMES = {
  saved: 'AUDIT_OUTCOME_SAVED',
  superseded: 'AUDIT_OUTCOME_SUPERSEDED',
  deleted: 'AUDIT_OUTCOME_DELETED',
  absent: 'AUDIT_OUTCOME_ABSENT',
  erased: 'AUDIT_OUTCOME_ERASED',
} as const;

interface AuditRequest {
  key: string;
  experiment: string;
  cursor: string;
  limit: number;
}

/** The audit trail over gRPC (proto/assignment_ledger/v1/audit.proto); proto3's empty values mean "not given". */
@Controller()
@UseFilters(GrpcErrorFilter)
@RequireScopes('audit:read')
export class AuditGrpcController {
  constructor(private readonly audit: AuditService) {}

  @GrpcMethod('AuditService', 'Audit')
  async trail(request: AuditRequest) {
    const key = validKey(request.key);
    // The limit goes through the HTTP query's pattern as the string a query would carry, so a negative one is refused too.
    const query = validAuditQuery({
      ...(request.experiment ? { experiment: request.experiment } : {}),
      ...(request.cursor ? { cursor: request.cursor } : {}),
      ...(request.limit ? { limit: String(request.limit) } : {}),
    });
    return toAuditResponse(await this.audit.trail(key, { experiment: query.experiment, cursor: query.cursor, limit: query.limit === undefined ? DEFAULT_AUDIT_PAGE : Number(query.limit) }));
  }

  @GrpcMethod('AuditService', 'Explain')
  async explain(request: { key: string; experiment: string; asOf: string }) {
    const key = validKey(request.key);
    const experiment = experimentNamePipe.transform(request.experiment);
    const { asOf } = validExplainQuery(request.asOf ? { asOf: request.asOf } : {});
    // The adapter reads the clock; the core explains as of the moment it is given.
    return toExplainResponse(await this.audit.explain(key, experiment, asOf ? new Date(asOf).toISOString() : new Date().toISOString()));
  }

  @GrpcMethod('AuditService', 'Assignments')
  async assignments(request: { experiment: string }) {
    return toAssignmentsResponse(await this.audit.assignments(experimentNamePipe.transform(request.experiment)));
  }
}

function toAuditResponse(page: AuditPage) {
  return { key: page.key, entries: page.entries.map(toAuditEntry), nextCursor: page.nextCursor ?? '' };
}

function toAuditEntry(entry: AuditEntry) {
  const { cause } = entry;
  return {
    type: ENTRY_TYPES[entry.type],
    eventId: entry.eventId,
    at: entry.at,
    key: entry.key,
    experiment: entry.type === 'UnitErased' ? '' : entry.experiment,
    outcome: OUTCOMES[entry.outcome],
    groupName: (entry.type === 'StickyValueSaved' ? entry.groupName : entry.type === 'StickyValueDeleted' ? entry.removed?.groupName : null) ?? '',
    cause: { source: cause.source, apiKeyId: cause.apiKeyId ?? '', requestId: cause.requestId, traceId: cause.traceId ?? '' },
    details: toStruct({ ...entry }),
  };
}

function toExplainResponse(explained: StickinessExplanation) {
  return {
    key: explained.key,
    experiment: explained.experiment,
    asOf: explained.asOf,
    sticky: explained.sticky,
    since: explained.since ?? '',
    group: explained.group ?? '',
    explanation: explained.explanation,
    because: explained.because.map((fact): ProtoStruct => toStruct({ ...fact })),
    ifEvaluatedNow: explained.ifEvaluatedNow ? toStruct({ ...explained.ifEvaluatedNow }) : null,
  };
}

function toAssignmentsResponse(assignments: ExperimentAssignments) {
  return {
    experiment: assignments.experiment,
    groups: assignments.groups.map(({ group, units }) => ({ group: group ?? '', units })),
    days: assignments.days,
  };
}
