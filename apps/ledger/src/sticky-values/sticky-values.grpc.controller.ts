import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { type Metadata, type ServerUnaryCall } from '@grpc/grpc-js';
import { Type } from '@sinclair/typebox';
import { DELETE_REASONS, type StickyValues } from '@ledger/events';
import { validatorFor } from '@ledger/platform';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { GrpcErrorFilter } from '../errors/grpc-error.filter';
import { grpcCallContext } from '../grpc/grpc-call-context';
import { InvalidPersistenceKeyError } from '../errors/ledger-errors';
import { fromStruct, type ProtoStruct, toStruct } from '../grpc/protobuf-struct';
import { principalOf } from '../auth/api-key.guard';
import { BatchLoadBodySchema, ConfigNameParam, LoadQuerySchema, PersistenceKeyParam, shownTo, stickyValuesOf } from './sticky-values.dto';
import { StickyValuesLedger, type UserPersistedValues } from '@ledger/ledger';

const validKey = validatorFor(PersistenceKeyParam, 'persistence key', () => new InvalidPersistenceKeyError());
const validConfigName = validatorFor(ConfigNameParam, 'config name');
const validLoadQuery = validatorFor(LoadQuerySchema, 'as_of');
const validBatch = validatorFor(BatchLoadBodySchema, 'batch load');
const validReason = validatorFor(Type.Union(DELETE_REASONS.map((reason) => Type.Literal(reason))), 'reason');

interface LoadResponse {
  key: string;
  values: ProtoStruct;
}
type Outcome = 'SAVED' | 'ALREADY_STICKY' | 'DELETED' | 'ABSENT' | 'ACCEPTED';

/** The same storage contract over gRPC (proto/assignment_ledger/v1/persisted_values.proto). */
@Controller()
@UseFilters(GrpcErrorFilter)
export class StickyValuesGrpcController {
  constructor(private readonly ledger: StickyValuesLedger) {}

  @GrpcMethod('PersistedValues', 'Load')
  @RequireScopes('storage:read')
  async load(request: { key: string; asOf: string }): Promise<LoadResponse> {
    const key = validKey(request.key);
    const { asOf } = validLoadQuery(request.asOf ? { asOf: request.asOf } : {});
    return loadResponse(key, await this.ledger.load(key, asOf ? new Date(asOf) : undefined));
  }

  @GrpcMethod('PersistedValues', 'BatchLoad')
  @RequireScopes('storage:read')
  async batchLoad(request: { keys: string[] }): Promise<{ results: LoadResponse[] }> {
    const { keys } = validBatch({ keys: request.keys ?? [] });
    const loaded = await this.ledger.loadMany(keys);
    return { results: [...loaded].map(([key, values]) => loadResponse(key, values)) };
  }

  @GrpcMethod('PersistedValues', 'Save')
  @RequireScopes('storage:write')
  async save(
    request: { key: string; configName: string; stickyValues: ProtoStruct | null; respondAsync: boolean },
    metadata: Metadata,
    call: ServerUnaryCall<unknown, unknown>,
  ): Promise<{ outcome: Outcome; eventId: string; value: ProtoStruct | null }> {
    const key = validKey(request.key);
    const configName = validConfigName(request.configName);
    const stickyValues = stickyValuesOf(fromStruct(request.stickyValues) ?? {});
    const result = shownTo(
      principalOf(metadata),
      await this.ledger.handle({ type: 'SaveStickyValue', persistenceKey: key, configName, stickyValues }, grpcCallContext(metadata, 'storage_api', call), { async: request.respondAsync }),
    );
    return {
      outcome: result.outcome.toUpperCase() as Outcome,
      eventId: result.eventId ?? '',
      value: 'value' in result && result.value ? toStruct(result.value as StickyValues) : null,
    };
  }

  @GrpcMethod('PersistedValues', 'Delete')
  @RequireScopes('storage:write')
  async delete(
    request: { key: string; configName: string; reason: string; respondAsync: boolean },
    metadata: Metadata,
    call: ServerUnaryCall<unknown, unknown>,
  ): Promise<{ outcome: Outcome; eventId: string }> {
    const key = validKey(request.key);
    const configName = validConfigName(request.configName);
    const reason = validReason(request.reason || 'explicit');
    const result = await this.ledger.handle({ type: 'DeleteStickyValue', persistenceKey: key, configName, reason }, grpcCallContext(metadata, 'storage_api', call), { async: request.respondAsync });
    return { outcome: result.outcome.toUpperCase() as Outcome, eventId: result.eventId ?? '' };
  }
}

function loadResponse(key: string, values: UserPersistedValues): LoadResponse {
  return { key, values: toStruct(values) };
}
