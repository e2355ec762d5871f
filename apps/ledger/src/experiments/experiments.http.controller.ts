import { Body, Controller, Get, HttpCode, Param, Put } from '@nestjs/common';
import { Type } from '@sinclair/typebox';
import { ConfigNameSchema } from '@ledger/events';
import { TypeBoxValidationPipe } from '@ledger/platform';
import { type Principal } from '../auth/api-key';
import { Caller } from '../auth/caller.decorator';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { type PublishedExperiment } from './experiments.repository';
import { ExperimentsService } from './experiments.service';

/** The experiment's name is the config name its sticky values are saved under. */
export const experimentNamePipe = new TypeBoxValidationPipe(ConfigNameSchema, 'experiment name');
const versionPipe = new TypeBoxValidationPipe(Type.String({ pattern: '^[1-9][0-9]{0,8}$' }), 'version');

@Controller('v1/experiments')
export class ExperimentsHttpController {
  constructor(private readonly experiments: ExperimentsService) {}

  @Put(':name')
  @HttpCode(201)
  @RequireScopes('experiments:write')
  publish(@Param('name', experimentNamePipe) name: string, @Body() body: unknown, @Caller() caller: Principal): Promise<PublishedExperiment> {
    return this.experiments.publish(name, body, caller.apiKeyId);
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
