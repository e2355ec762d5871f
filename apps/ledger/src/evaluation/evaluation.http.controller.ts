import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { TypeBoxValidationPipe } from '@ledger/platform';
import { HttpCallContext } from '../http/http-call-context.decorator';
import { type CallContext } from '@ledger/ledger';
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
  evaluate(@Param('name', experimentNamePipe) name: string, @Body(evaluateBodyPipe) body: EvaluateBody, @HttpCallContext('evaluation') context: CallContext): Promise<EvaluationResponse> {
    return this.evaluation.evaluate(name, body, context);
  }

  @Post('evaluate')
  @HttpCode(200)
  async evaluateAll(@Body(evaluateBodyPipe) body: EvaluateBody, @HttpCallContext('evaluation') context: CallContext): Promise<{ results: EvaluationResponse[] }> {
    return { results: await this.evaluation.evaluateAll(body, context) };
  }
}
