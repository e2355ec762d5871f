import { type ExceptionFilter, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { requestIdOf } from '../logging/logger.module';

/** Largest request body any endpoint accepts; larger ones get 413 before any work is done. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Creates a Nest app on Fastify with structured logging and the given error filter, and listens.
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
  });
  adapter.getInstance().addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, { logger: false, abortOnError: false });
  app.useLogger(app.get(Logger));
  if (options.errorFilter) app.useGlobalFilters(options.errorFilter);
  await options.beforeListen?.(app);
  await app.listen(options.port, options.host);
  return app;
}
