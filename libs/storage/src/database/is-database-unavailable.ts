import { DeadlineExceededError } from '@ledger/platform';

const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE']);

/**
 * True when an error means "the database cannot be reached or is going away" (a 503), as opposed to a
 * query the database refused (a bug, a 500): connection exceptions (SQLSTATE class 08), operator
 * intervention such as a shutdown (57), insufficient resources (53), socket errors and our own deadlines.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DeadlineExceededError) return true;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_NODE_CODES.has(code) || /^(08|57|53)/.test(code))) return true;
  return typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message);
}
