import { type ExceptionFilter, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Logger as PinoLogger } from 'pino';
import { requestIdOf, SERVICE_LOGGER } from '../logging/logger.module';
import { PinoNestLogger } from '../logging/pino-nest-logger';
import { timeHttpRequests } from '../metrics/http-request-timing';
import { ServiceMetrics } from '../metrics/service-metrics';
import { answerClientError, answerRouterRefusal, MAX_PARAM_LENGTH } from './framework-refusals';
import { registerRequestBodyParsers } from './request-body-parsers';

/** Largest request body any endpoint accepts; larger ones get 413 before any work is done. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Creates a Nest app on Fastify with structured logging, request metrics and the given error filter, and listens.
 * Stops accepting and drains in-flight requests when closed.
 */
export async function createHttpApp(
  module: unknown,
  options: { host: string; port: number; errorFilter?: ExceptionFilter; beforeListen?: (app: NestFastifyApplication) => Promise<void> },
): Promise<INestApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestIdOf,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Refusals that happen before any route runs, answered in the documented shape; these run only on errors.
    frameworkErrors: answerRouterRefusal,
    clientErrorHandler: answerClientError,
  });
  const server = adapter.getInstance();
  registerRequestBodyParsers(server);
  server.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, { logger: false, abortOnError: false, bodyParser: false });
  const logger = app.get<PinoLogger>(SERVICE_LOGGER);
  app.useLogger(new PinoNestLogger(logger));
  // Nest registers the routes when the app starts listening, after this: each is timed from its registration.
  const metrics = app.get(ServiceMetrics);
  if (metrics.enabled) timeHttpRequests(server, metrics);
  // One line per request, health probes aside; the Authorization header never reaches a log.
  server.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith('/health')) return;
    const level = reply.statusCode >= 500 ? 'error' : reply.statusCode >= 400 ? 'warn' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    logger[level]({ req: { id: request.id, method: request.method, url: request.url }, res: { statusCode: reply.statusCode }, responseTime: Math.round(reply.elapsedTime) }, 'request completed');
  });
  if (options.errorFilter) app.useGlobalFilters(options.errorFilter);
  await options.beforeListen?.(app);
  await app.listen(options.port, options.host);
  return app;
}
