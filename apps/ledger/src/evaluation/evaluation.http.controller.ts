import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { RequestId, TypeBoxValidationPipe } from '@ledger/platform';
import { type Principal } from '../auth/api-key';
import { Caller } from '../auth/caller.decorator';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { experimentNamePipe } from '../experiments/experiments.http.controller';
import { type EvaluateBody, EvaluateBodySchema } from './evaluation.dto';
import { type EvaluationResponse, EvaluationService } from './evaluation.service';

const evaluateBodyPipe = new TypeBoxValidationPipe(EvaluateBodySchema, 'evaluation request');

@Controller('v1')
@RequireScopes('evaluate')
export class EvaluationHttpController {
  constructor(private readonly evaluation: EvaluationService) {}

  @Post('experiments/:name/evaluate')
  @HttpCode(200)
  evaluate(@Param('name', experimentNamePipe) name: string, @Body(evaluateBodyPipe) body: EvaluateBody, @Caller() caller: Principal, @RequestId() requestId: string): Promise<EvaluationResponse> {
    return this.evaluation.evaluate(name, body, { apiKeyId: caller.apiKeyId, requestId, source: 'evaluation' });
  }

  @Post('evaluate')
  @HttpCode(200)
  async evaluateAll(@Body(evaluateBodyPipe) body: EvaluateBody, @Caller() caller: Principal, @RequestId() requestId: string): Promise<{ results: EvaluationResponse[] }> {
    return { results: await this.evaluation.evaluateAll(body, { apiKeyId: caller.apiKeyId, requestId, source: 'evaluation' }) };
  }
}
