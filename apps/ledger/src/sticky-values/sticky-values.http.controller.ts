import { Body, Controller, type PipeTransform, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { TypeBoxValidationPipe } from '@ledger/platform';
import { type Principal } from '../auth/api-key';
import { Caller } from '../auth/caller.decorator';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { InvalidPersistenceKeyError } from '../errors/ledger-errors';
import {
  BatchLoadBodySchema,
  type BatchLoadBody,
  ConfigNameParam,
  DeleteQuerySchema,
  type DeleteQuery,
  LoadQuerySchema,
  type LoadQuery,
  PersistenceKeyParam,
  canonicalStickyValues,
  shownTo,
  StickyValuesBodySchema,
} from './sticky-values.dto';
import { type StickyValues } from '@ledger/events';
import { type CallContext, type DeleteResult, type SaveResult, StickyValuesLedger, type UserPersistedValues } from '@ledger/ledger';
import { HttpCallContext } from '../http/http-call-context.decorator';

const keyPipe = new TypeBoxValidationPipe(PersistenceKeyParam, 'persistence key', () => new InvalidPersistenceKeyError());
const configNamePipe = new TypeBoxValidationPipe(ConfigNameParam, 'config name');
const stickyValuesBodyPipe = new TypeBoxValidationPipe(StickyValuesBodySchema, 'sticky value');
const stickyValuesPipe: PipeTransform<unknown, StickyValues> = { transform: (value, metadata) => canonicalStickyValues(stickyValuesBodyPipe.transform(value, metadata)) };
const loadQueryPipe = new TypeBoxValidationPipe(LoadQuerySchema, 'query');
const deleteQueryPipe = new TypeBoxValidationPipe(DeleteQuerySchema, 'query');
const batchLoadPipe = new TypeBoxValidationPipe(BatchLoadBodySchema, 'batch load');

const wantsAsync = (prefer: string | undefined): boolean => /\brespond-async\b/i.test(prefer ?? '');

/** Statsig's storage adapter contract (load / save / delete) over HTTP. */
@Controller('v1/persisted')
export class StickyValuesHttpController {
  constructor(private readonly ledger: StickyValuesLedger) {}

  @Post('batch-load')
  @RequireScopes('storage:read')
  @HttpCode(200)
  async batchLoad(@Body(batchLoadPipe) body: BatchLoadBody): Promise<{ results: Record<string, { values: UserPersistedValues }> }> {
    const loaded = await this.ledger.loadMany(body.keys);
    return { results: Object.fromEntries([...loaded].map(([key, values]) => [key, { values }])) };
  }

  @Get(':key')
  @RequireScopes('storage:read')
  async load(@Param('key', keyPipe) key: string, @Query(loadQueryPipe) query: LoadQuery): Promise<{ key: string; values: UserPersistedValues }> {
    return { key, values: await this.ledger.load(key, query.asOf ? new Date(query.asOf) : undefined) };
  }

  @Put(':key/:configName')
  @RequireScopes('storage:write')
  async save(
    @Param('key', keyPipe) key: string,
    @Param('configName', configNamePipe) configName: string,
    @Body(stickyValuesPipe) stickyValues: StickyValues,
    @Headers('prefer') prefer: string | undefined,
    @HttpCallContext('storage_api') context: CallContext,
    @Caller() caller: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SaveResult & { key: string; configName: string }> {
    const result = await this.ledger.handle({ type: 'SaveStickyValue', persistenceKey: key, configName, stickyValues }, context, { async: wantsAsync(prefer) });
    void reply.status(result.outcome === 'saved' ? 201 : result.outcome === 'accepted' ? 202 : 200);
    if (result.outcome === 'accepted') void reply.header('preference-applied', 'respond-async');
    return { key, configName, ...shownTo(caller, result) };
  }

  @Delete(':key/:configName')
  @RequireScopes('storage:write')
  async delete(
    @Param('key', keyPipe) key: string,
    @Param('configName', configNamePipe) configName: string,
    @Query(deleteQueryPipe) query: DeleteQuery,
    @Headers('prefer') prefer: string | undefined,
    @HttpCallContext('storage_api') context: CallContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DeleteResult & { key: string; configName: string }> {
    const result = await this.ledger.handle({ type: 'DeleteStickyValue', persistenceKey: key, configName, reason: query.reason ?? 'explicit' }, context, { async: wantsAsync(prefer) });
    void reply.status(result.outcome === 'accepted' ? 202 : 200);
    if (result.outcome === 'accepted') void reply.header('preference-applied', 'respond-async');
    return { key, configName, ...result };
  }
}
