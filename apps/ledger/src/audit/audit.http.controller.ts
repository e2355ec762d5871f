import { Controller, Delete, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { type AuditEntry, type StickinessExplanation } from '@ledger/assignment';
import { type CallContext, type EraseResult, type ExperimentAssignments } from '@ledger/ledger';
import { TypeBoxValidationPipe } from '@ledger/platform';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { InvalidPersistenceKeyError } from '../errors/ledger-errors';
import { experimentNamePipe } from '../experiments/experiments.http.controller';
import { HttpCallContext } from '../http/http-call-context.decorator';
import { PersistenceKeyParam } from '../sticky-values/sticky-values.dto';
import { AssignmentsQuerySchema, type AssignmentsQuery, AuditQuerySchema, type AuditQuery, DEFAULT_AUDIT_PAGE, ExplainQuerySchema, type ExplainQuery } from './audit.dto';
import { AuditService } from './audit.service';

const keyPipe = new TypeBoxValidationPipe(PersistenceKeyParam, 'persistence key', () => new InvalidPersistenceKeyError());
const auditQueryPipe = new TypeBoxValidationPipe(AuditQuerySchema, 'query');
const explainQueryPipe = new TypeBoxValidationPipe(ExplainQuerySchema, 'query');
const assignmentsQueryPipe = new TypeBoxValidationPipe(AssignmentsQuerySchema, 'query');

/** The audit trail: a unit's history and why it is sticky (scope `audit:read`). */
@Controller('v1/audit')
export class AuditHttpController {
  constructor(private readonly audit: AuditService) {}

  @Get(':key')
  @RequireScopes('audit:read')
  trail(@Param('key', keyPipe) key: string, @Query(auditQueryPipe) query: AuditQuery): Promise<{ key: string; entries: AuditEntry[]; nextCursor: string | null }> {
    return this.audit.trail(key, { experiment: query.experiment, cursor: query.cursor, limit: query.limit === undefined ? DEFAULT_AUDIT_PAGE : Number(query.limit) });
  }

  @Get(':key/:experiment/explain')
  @RequireScopes('audit:read')
  explain(@Param('key', keyPipe) key: string, @Param('experiment', experimentNamePipe) experiment: string, @Query(explainQueryPipe) query: ExplainQuery): Promise<StickinessExplanation> {
    // The adapter reads the clock; the core explains as of the moment it is given.
    return this.audit.explain(key, experiment, query.asOf ? new Date(query.asOf).toISOString() : new Date().toISOString());
  }
}

/** An experiment's assignments now, from the read model's counters; `?format=ndjson` exports every sticky unit. */
@Controller('v1/experiments')
export class ExperimentAssignmentsHttpController {
  constructor(private readonly audit: AuditService) {}

  @Get(':name/assignments')
  @RequireScopes('audit:read')
  async assignments(@Param('name', experimentNamePipe) name: string, @Query(assignmentsQueryPipe) query: AssignmentsQuery, @Res() reply: FastifyReply): Promise<void> {
    if (query.format !== 'ndjson') {
      const assignments: ExperimentAssignments = await this.audit.assignments(name);
      await reply.send(assignments);
      return;
    }
    const units = await this.audit.stickyUnits(name);
    await reply.header('content-type', 'application/x-ndjson').send(units);
  }
}

/** Erasure of a unit (admin): its values and history leave the read model and every audit view. */
@Controller('v1/units')
export class UnitsHttpController {
  constructor(private readonly audit: AuditService) {}

  @Delete(':key')
  @RequireScopes('admin')
  async erase(
    @Param('key', keyPipe) key: string,
    @Headers('prefer') prefer: string | undefined,
    @HttpCallContext('storage_api') context: CallContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EraseResult & { key: string }> {
    const result = await this.audit.erase(key, context, /\brespond-async\b/i.test(prefer ?? ''));
    void reply.status(result.outcome === 'accepted' ? 202 : 200);
    return { key, ...result };
  }
}
