import { type DestinationStream } from 'pino';
import type PinoPretty from 'pino-pretty';

/** Fields the readable line already says in words, or that a person at a terminal does not need. */
const SAID_IN_THE_LINE = 'pid,hostname,service,context,req,res,responseTime';

interface LogLine {
  service?: unknown;
  context?: unknown;
  req?: { method?: unknown; url?: unknown };
  res?: { statusCode?: unknown };
  responseTime?: unknown;
}

/** `service [context] message`, and a request as `GET /path 200 3 ms`; any other fields follow on the same line as JSON. */
export function readableMessage(log: Record<string, unknown>, messageKey: string): string {
  const { service, context, req, res, responseTime } = log as LogLine;
  const prefix = `${typeof service === 'string' ? `${service} ` : ''}${typeof context === 'string' ? `[${context}] ` : ''}`;
  if (req && res) return `${prefix}${String(req.method)} ${String(req.url)} ${String(res.statusCode)} ${String(responseTime)} ms`;
  return `${prefix}${String(log[messageKey] ?? '')}`;
}

/**
 * A stream that turns pino's JSON into one readable line per event (an error's stack follows on its own
 * lines). Written synchronously, so the last lines before an exit are not lost; pretty output is for a
 * person at a terminal, not for load. Colours follow the terminal (`NO_COLOR` and `FORCE_COLOR` apply).
 */
export function prettyLines(destination?: DestinationStream): DestinationStream {
  // Loaded here, not at the top: the JSON path does not need pino-pretty's modules.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load has no import form in CommonJS output
  const pretty = require('pino-pretty') as typeof PinoPretty;
  return pretty({
    sync: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: SAID_IN_THE_LINE,
    messageFormat: readableMessage,
    ...(destination ? { destination, colorize: false } : {}),
  });
}
