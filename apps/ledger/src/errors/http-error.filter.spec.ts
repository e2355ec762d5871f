import { type ArgumentsHost, Logger, ServiceUnavailableException } from '@nestjs/common';
import { BrokerUnavailableError, DatabaseUnavailableError, InvalidRequestError, TooManyRequestsError } from '@ledger/platform';
import { HttpErrorFilter } from './http-error.filter';
import { ProjectionLagError } from '@ledger/ledger';

/** What the filter answered: status and headers, as a fake Fastify reply records them. */
function answerTo(exception: unknown): { status: number; headers: Record<string, string> } {
  const answer = { status: 0, headers: {} as Record<string, string> };
  const reply = {
    status: (status: number) => ((answer.status = status), reply),
    header: (name: string, value: string) => ((answer.headers[name.toLowerCase()] = value), reply),
    send: () => reply,
  };
  const host = { switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ id: 'request-1' }) }) } as unknown as ArgumentsHost;
  new HttpErrorFilter().catch(exception, host);
  return answer;
}

describe('HttpErrorFilter', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it.each([
    ['PROJECTION_LAG', new ProjectionLagError({ partition: 0, offset: '7', eventId: 'e1' })],
    ['BROKER_UNAVAILABLE', new BrokerUnavailableError('the broker is down')],
    ['DATABASE_UNAVAILABLE', new DatabaseUnavailableError('the database is down')],
    ["the framework's own 503", new ServiceUnavailableException()],
  ])('asks a client to retry a 503 (%s) after a second', (_what, exception) => {
    expect(answerTo(exception)).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
  });

  it('keeps the wait a limit names for a 429', () => {
    expect(answerTo(new TooManyRequestsError('slow down', 7))).toMatchObject({ status: 429, headers: { 'retry-after': '7' } });
  });

  it('sends no Retry-After with an answer that a retry would not change', () => {
    expect(answerTo(new InvalidRequestError('bad')).headers).not.toHaveProperty('retry-after');
    expect(answerTo(new Error('a bug')).headers).not.toHaveProperty('retry-after');
  });
});
