import { randomUUID } from 'node:crypto';
import { type IncomingMessage } from 'node:http';
import { type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

const CALLER_REQUEST_ID = /^[A-Za-z0-9._:-]{1,200}$/;

/** Reuses a well-formed caller-supplied X-Request-Id (so traces join up across services), else mints one. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && CALLER_REQUEST_ID.test(given) ? given : randomUUID();
}

/** JSON logs on stdout, one line per request with its request id; secrets are redacted. */
export function structuredLoggerModule(service: string, level: string): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      base: { service },
      // The HTTP server assigned the id already (see createHttpApp); reuse it so logs and responses agree.
      genReqId: (request) => String(request.id ?? requestIdOf(request)),
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
      autoLogging: { ignore: (request) => request.url?.startsWith('/health') ?? false },
      customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info'),
      serializers: {
        req: (request: { id: string; method: string; url: string }) => ({ id: request.id, method: request.method, url: request.url }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
    },
  });
}
