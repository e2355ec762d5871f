import { Body, Controller, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import { ConfigNameSchema } from '@ledger/events';
import { ResponseSchemas, TypeBoxValidationPipe } from '@ledger/platform';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { UnknownExperimentError } from '../errors/ledger-errors';
import { HttpCallContext } from '../http/http-call-context.decorator';
import { type CallContext } from '@ledger/ledger';
import { InvalidContextError, OfrepErrorFilter } from './ofrep-error.filter';
import {
  type OfrepBulkEvaluationSuccess,
  OfrepBulkEvaluationFailureSchema,
  OfrepBulkEvaluationSuccessSchema,
  type OfrepEvaluationRequest,
  OfrepEvaluationFailureSchema,
  OfrepEvaluationRequestSchema,
  type OfrepEvaluationSuccess,
  OfrepEvaluationSuccessSchema,
} from './ofrep.dto';
import { OfrepService } from './ofrep.service';

// A key no experiment can have names none: FLAG_NOT_FOUND, as OFREP asks, rather than a bad request.
const flagKeyPipe = new TypeBoxValidationPipe(ConfigNameSchema, 'flag key', () => new UnknownExperimentError('with that key'));
const requestPipe = new TypeBoxValidationPipe(
  OfrepEvaluationRequestSchema,
  'OFREP evaluation request',
  (problems) => new InvalidContextError(`the evaluation request is invalid: ${problems.join('; ')}`, { problems }),
);

/** The OpenFeature Remote Evaluation Protocol: a flag is an experiment, its value the unit's group's parameters. */
@Controller('ofrep/v1/evaluate')
@RequireScopes('evaluate')
@UseFilters(OfrepErrorFilter)
export class OfrepHttpController {
  constructor(private readonly ofrep: OfrepService) {}

  @Post('flags/:key')
  @HttpCode(200)
  @ResponseSchemas({ 200: OfrepEvaluationSuccessSchema, 400: OfrepEvaluationFailureSchema, 404: OfrepEvaluationFailureSchema })
  async evaluateFlag(@Param('key', flagKeyPipe) key: string, @Body(requestPipe) body: OfrepEvaluationRequest, @HttpCallContext('evaluation') call: CallContext): Promise<OfrepEvaluationSuccess> {
    const answer = await this.ofrep.evaluateFlag(key, body.context, call);
    if (answer.kind === 'failed') throw new InvalidContextError(answer.failure.errorDetails ?? 'the evaluation context is invalid');
    return answer.success;
  }

  @Post('flags')
  @HttpCode(200)
  @ResponseSchemas({ 200: OfrepBulkEvaluationSuccessSchema, 400: OfrepBulkEvaluationFailureSchema })
  async evaluateFlags(@Body(requestPipe) body: OfrepEvaluationRequest, @HttpCallContext('evaluation') call: CallContext): Promise<OfrepBulkEvaluationSuccess> {
    const answers = await this.ofrep.evaluateFlags(body.context, call);
    return { flags: answers.map((answer) => (answer.kind === 'evaluated' ? answer.success : answer.failure)) };
  }
}
