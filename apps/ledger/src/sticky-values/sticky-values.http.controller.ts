import { Body, Controller, HttpCode, Param, Put } from '@nestjs/common';
import { RequestId, TypeBoxValidationPipe } from '@ledger/platform';
import { InvalidPersistenceKeyError } from '../errors/ledger-errors';
import { ConfigNameParam, PersistenceKeyParam, StickyValuesBodySchema, type StickyValuesBody } from './sticky-values.dto';
import { type AppendedEvent, StickyValuesService } from './sticky-values.service';

const keyPipe = new TypeBoxValidationPipe(PersistenceKeyParam, 'persistence key', () => new InvalidPersistenceKeyError());
const configNamePipe = new TypeBoxValidationPipe(ConfigNameParam, 'config name');
const stickyValuesPipe = new TypeBoxValidationPipe(StickyValuesBodySchema, 'sticky value');

/** Statsig's storage adapter contract over HTTP. */
@Controller('v1/persisted')
export class StickyValuesHttpController {
  constructor(private readonly stickyValues: StickyValuesService) {}

  @Put(':key/:configName')
  @HttpCode(202)
  save(
    @Param('key', keyPipe) key: string,
    @Param('configName', configNamePipe) configName: string,
    @Body(stickyValuesPipe) body: StickyValuesBody,
    @RequestId() requestId: string,
  ): Promise<AppendedEvent> {
    return this.stickyValues.save(key, configName, body, { apiKeyId: null, requestId });
  }
}
