import { Body, Controller, Get, Param, Put, Query, Res } from '@nestjs/common';
import { type Static, Type } from '@sinclair/typebox';
import { type FastifyReply } from 'fastify';
import { ExperimentSpecSchema } from '@ledger/assignment';
import { ConfigNameSchema } from '@ledger/events';
import { BodySchema, TypeBoxValidationPipe } from '@ledger/platform';
import { type Principal } from '../auth/api-key';
import { Caller } from '../auth/caller.decorator';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { type PublishedExperiment } from './experiments.repository';
import { type ExperimentPage, ExperimentsService } from './experiments.service';

/** The experiment's name is the config name its sticky values are saved under. */
export const experimentNamePipe = new TypeBoxValidationPipe(ConfigNameSchema, 'experiment name');
const versionPipe = new TypeBoxValidationPipe(Type.String({ pattern: '^[1-9][0-9]{0,8}$' }), 'version');

const DEFAULT_PAGE_SIZE = 100;
const ListExperimentsQuerySchema = Type.Object(
  {
    // Query values arrive as strings: 1 to 500, without leading zeros.
    limit: Type.Optional(Type.String({ pattern: '^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$' })),
    // Room for the cursor of the longest name (200 characters).
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  },
  { additionalProperties: false },
);
type ListExperimentsQuery = Static<typeof ListExperimentsQuerySchema>;
const listQueryPipe = new TypeBoxValidationPipe(ListExperimentsQuerySchema, 'query');

@Controller('v1/experiments')
export class ExperimentsHttpController {
  constructor(private readonly experiments: ExperimentsService) {}

  @Get()
  @RequireScopes('evaluate')
  list(@Query(listQueryPipe) query: ListExperimentsQuery): Promise<ExperimentPage> {
    return this.experiments.list({ limit: query.limit === undefined ? DEFAULT_PAGE_SIZE : Number(query.limit), cursor: query.cursor });
  }

  /** 201 with the new version; 200 with the latest one when the spec is what it already says, so a re-sent spec is safe. */
  @Put(':name')
  @RequireScopes('experiments:write')
  // The service validates it, to list every problem under INVALID_EXPERIMENT_SPEC.
  @BodySchema(ExperimentSpecSchema)
  async publish(@Param('name', experimentNamePipe) name: string, @Body() body: unknown, @Caller() caller: Principal, @Res({ passthrough: true }) reply: FastifyReply): Promise<PublishedExperiment> {
    const result = await this.experiments.publish(name, body, caller.apiKeyId);
    void reply.status(result.outcome === 'published' ? 201 : 200);
    return result.experiment;
  }

  @Get(':name')
  @RequireScopes('evaluate')
  latest(@Param('name', experimentNamePipe) name: string): Promise<PublishedExperiment> {
    return this.experiments.latest(name);
  }

  @Get(':name/versions')
  @RequireScopes('evaluate')
  async versions(@Param('name', experimentNamePipe) name: string): Promise<{ versions: PublishedExperiment[] }> {
    return { versions: await this.experiments.versions(name) };
  }

  @Get(':name/versions/:version')
  @RequireScopes('evaluate')
  version(@Param('name', experimentNamePipe) name: string, @Param('version', versionPipe) version: string): Promise<PublishedExperiment> {
    return this.experiments.version(name, Number(version));
  }
}
