import { randomUUID } from 'node:crypto';
import { type IncomingMessage } from 'node:http';
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { type DestinationStream, pino, type Logger as PinoLogger } from 'pino';
import { type LogFormat } from './log-format';
import { prettyLines } from './pretty-lines';

const CALLER_REQUEST_ID = /^[A-Za-z0-9._:-]{1,200}$/;

/** The service's root pino logger; modules take children of it. */
export const SERVICE_LOGGER = Symbol('SERVICE_LOGGER');

/** Reuses a well-formed caller-supplied X-Request-Id (so traces join up across services), else mints one. */
export function requestIdOf(request: IncomingMessage): string {
  return acceptedRequestId(request.headers['x-request-id']);
}

/** The request id a caller gave (HTTP header or gRPC metadata) when it is well-formed, else a fresh one: one rule for every transport. */
export function acceptedRequestId(given: unknown): string {
  return typeof given === 'string' && CALLER_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * JSON lines on stdout, stamped with the service's name; or, for a person, one readable line per event.
 * The JSON path is pino's own, untouched by the pretty one, which is loaded only when asked for.
 */
export function createServiceLogger(service: string, level: string, format: LogFormat = 'json', destination?: DestinationStream): PinoLogger {
  if (format === 'pretty') return pino({ level, base: { service } }, prettyLines(destination));
  return destination ? pino({ level, base: { service } }, destination) : pino({ level, base: { service } });
}

@Global()
@Module({})
class StructuredLoggerModule {}

/**
 * The service's logger for every module (and, through createHttpApp, one line per HTTP request with its
 * request id). Requests carry their id explicitly rather than through async-context propagation: on Node 20
 * that hooks every promise, and with the Express-style middleware it needs it cost about a sixth of a
 * cached read's CPU.
 */
export function structuredLoggerModule(service: string, level: string, format: LogFormat): DynamicModule {
  return {
    module: StructuredLoggerModule,
    providers: [{ provide: SERVICE_LOGGER, useValue: createServiceLogger(service, level, format) }],
    exports: [SERVICE_LOGGER],
  };
}
