import { STATUS_CODES } from 'node:http';
import { type Socket } from 'node:net';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type ApiError, apiErrorBody, HeadersTooLargeError, InvalidRequestError, InvalidUrlError, PayloadTooLargeError, RequestTimeoutError, UriTooLongError } from '../errors/api-error';

/**
 * Longest path parameter the router matches. A persistence key is at most 600 UTF-16 units, and one unit
 * is at most 9 characters percent-encoded (three UTF-8 bytes), so every valid key routes whether the
 * router counts a parameter before or after decoding it (find-my-way counts after).
 */
export const MAX_PARAM_LENGTH = 600 * 9;

/**
 * Fastify's `frameworkErrors`: the router's refusals, before any route or hook runs (Nest's filters never
 * see them). Only FST_ERR_BAD_URL, FST_ERR_MAX_PARAM_LENGTH and FST_ERR_ASYNC_CONSTRAINT (we have no
 * async constraints) arrive here.
 */
export function answerRouterRefusal(error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void {
  const refusal: ApiError | undefined =
    error.code === 'FST_ERR_BAD_URL'
      ? new InvalidUrlError()
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new UriTooLongError(`a path segment is longer than ${MAX_PARAM_LENGTH} characters`)
        : undefined;
  const [status, body] = refusal ? [refusal.httpStatus, apiErrorBody(refusal)] : [500, { error: { code: 'INTERNAL', message: 'internal error' } }];
  void reply.status(status).header('x-request-id', request.id).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));
}

/** What Node's HTTP parser could not read, in our codes (Node's own answers are bare text, Fastify's another JSON shape). */
function clientErrorRefusal(error: Error & { code?: string; reason?: unknown }): ApiError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new HeadersTooLargeError('the request line and headers are larger than the server accepts');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new PayloadTooLargeError('the chunk extensions of the body are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new RequestTimeoutError('the request did not arrive in time');
    default:
      return new InvalidRequestError(`the request is not valid HTTP/1.1${typeof error.reason === 'string' ? `: ${error.reason}` : ''}`);
  }
}

/**
 * Fastify's `clientErrorHandler` (the server's 'clientError' event): there is no request or response
 * object, so the answer is written to the socket as a whole HTTP/1.1 response, and the connection closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // The peer is gone, or nothing more can be sent.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // As Node does: a response of an earlier request on this connection that has begun must not be corrupted.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const refusal = clientErrorRefusal(error);
    const body = JSON.stringify(apiErrorBody(refusal));
    socket.write(
      `HTTP/1.1 ${refusal.httpStatus} ${STATUS_CODES[refusal.httpStatus]}\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
