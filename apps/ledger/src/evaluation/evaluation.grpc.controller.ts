import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { type Metadata, type ServerUnaryCall } from '@grpc/grpc-js';
import { Type } from '@sinclair/typebox';
import { validatorFor } from '@ledger/platform';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { GrpcErrorFilter } from '../errors/grpc-error.filter';
import { grpcCallContext } from '../grpc/grpc-call-context';
import { experimentNamePipe } from '../experiments/experiments.http.controller';
import { type PublishedExperiment } from '../experiments/experiments.repository';
import { ExperimentsService } from '../experiments/experiments.service';
import { fromStruct, type ProtoStruct, toStruct } from '../grpc/protobuf-struct';
import { EvaluateBodySchema } from './evaluation.dto';
import { type EvaluationResponse, EvaluationService } from './evaluation.service';

const validBody = validatorFor(EvaluateBodySchema, 'evaluation request');
// Versions start at 1 and proto3 sends an unset field as 0, which means the latest; a negative one means nothing.
const validVersion = validatorFor(Type.Integer({ minimum: 0 }), 'version');

interface EvaluateAllRequest {
  user: ProtoStruct | null;
  persist: { value: boolean } | null;
  enforceTargeting: boolean;
}

/** The evaluation RPC over gRPC (proto/assignment_ledger/v1/evaluation.proto). */
@Controller()
@UseFilters(GrpcErrorFilter)
@RequireScopes('evaluate')
export class EvaluationGrpcController {
  constructor(
    private readonly evaluation: EvaluationService,
    private readonly experiments: ExperimentsService,
  ) {}

  @GrpcMethod('Evaluation', 'Evaluate')
  async evaluate(request: EvaluateAllRequest & { experiment: string }, metadata: Metadata, call: ServerUnaryCall<unknown, unknown>) {
    const name = experimentNamePipe.transform(request.experiment);
    return toResult(await this.evaluation.evaluate(name, body(request), grpcCallContext(metadata, 'evaluation', call)));
  }

  @GrpcMethod('Evaluation', 'EvaluateAll')
  async evaluateAll(request: EvaluateAllRequest, metadata: Metadata, call: ServerUnaryCall<unknown, unknown>) {
    return { results: (await this.evaluation.evaluateAll(body(request), grpcCallContext(metadata, 'evaluation', call))).map(toResult) };
  }

  @GrpcMethod('Evaluation', 'GetExperiment')
  async getExperiment(request: { name: string; version: number }) {
    const name = experimentNamePipe.transform(request.name);
    const version = validVersion(request.version);
    const published: PublishedExperiment = version > 0 ? await this.experiments.version(name, version) : await this.experiments.latest(name);
    return { ...published, spec: toStruct({ ...published.spec }), diff: toStruct(published.diff) };
  }
}

function body(request: EvaluateAllRequest) {
  return validBody({ user: fromStruct(request.user) ?? {}, persist: request.persist?.value ?? true, enforceTargeting: request.enforceTargeting });
}

function toResult(result: EvaluationResponse) {
  return {
    ...result,
    groupName: result.groupName ?? '',
    parameters: toStruct(result.parameters),
    buckets: result.buckets,
    sticky: result.sticky ? { ...result.sticky, experimentVersion: result.sticky.experimentVersion ?? 0 } : null,
    targeting: result.targeting ? toStruct(result.targeting as unknown as Record<string, unknown>) : null,
  };
}
