import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { InvalidRequestError } from '@ledger/platform';
import { HttpErrorFilter } from '../errors/http-error.filter';
import { UnknownExperimentError } from '../errors/ledger-errors';
import { type OfrepBulkEvaluationFailure, type OfrepErrorCode, type OfrepEvaluationFailure } from './ofrep.dto';

/** The context is not one the ledger can evaluate: an attribute it cannot carry, or no unit for the experiment. */
export class InvalidContextError extends InvalidRequestError {
  override readonly code = 'INVALID_CONTEXT';
}

/**
 * OFREP's failures in OFREP's shape (`{key, errorCode, errorDetails}`; without `key` on the bulk route), so
 * OpenFeature providers see FLAG_NOT_FOUND and INVALID_CONTEXT. Everything else (401, 403, 429, 503, 500)
 * keeps the ledger's `{"error": {...}}` answer: OFREP defines no body for those statuses. So does a body
 * that is not JSON, refused by the body parser before any route (or its filter) runs.
 */
@Catch()
export class OfrepErrorFilter implements ExceptionFilter {
  private readonly ledgerErrors = new HttpErrorFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    const failure = ofrepFailureOf(exception);
    if (!failure) return this.ledgerErrors.catch(exception, host);
    const key = (host.switchToHttp().getRequest<FastifyRequest>().params as { key?: string } | undefined)?.key;
    const errorDetails = failure.errorCode === 'FLAG_NOT_FOUND' ? `no experiment is named ${JSON.stringify((key ?? '').slice(0, 200))}` : failure.errorDetails;
    const body: OfrepEvaluationFailure | OfrepBulkEvaluationFailure = key === undefined ? { errorCode: failure.errorCode, errorDetails } : { key, errorCode: failure.errorCode, errorDetails };
    void host.switchToHttp().getResponse<FastifyReply>().status(failure.status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}

function ofrepFailureOf(exception: unknown): { status: 400 | 404; errorCode: OfrepErrorCode; errorDetails: string } | undefined {
  if (exception instanceof UnknownExperimentError) return { status: 404, errorCode: 'FLAG_NOT_FOUND', errorDetails: exception.message };
  // The body is the context alone, so a body the schema refuses is a context the ledger cannot evaluate.
  if (exception instanceof InvalidRequestError) return { status: 400, errorCode: 'INVALID_CONTEXT', errorDetails: exception.message };
  return undefined;
}
