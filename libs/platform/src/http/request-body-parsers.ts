import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { InvalidJsonError, InvalidRequestError, UnsupportedMediaTypeError } from '../errors/api-error';

type Done = (error: Error | null, body?: unknown) => void;

const notJson = () => new UnsupportedMediaTypeError('send the body as JSON, with content-type: application/json');
const encoded = () => new UnsupportedMediaTypeError('send the body without a content-encoding: the service does not decode bodies');

/**
 * Bodies are JSON or nothing: `application/json`, with any parameters, is parsed (Fastify reads it and
 * enforces the server's body limit); `+json` types, every other type and any content-encoding are refused
 * when a body comes with them. A bodiless request passes whatever its content-type says: many HTTP clients
 * send `content-type: application/json` on every call, DELETE included. Replaces Nest's parsers (JSON and
 * form-urlencoded), so the app is created with `bodyParser: false`.
 */
export function registerRequestBodyParsers(server: FastifyInstance): void {
  // Fastify's own parser, with __proto__ and constructor.prototype refused; its errors carry no code we document.
  const parseJson = server.getDefaultJsonParser('error', 'error');
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body: string, done: Done) => {
    // An unknown route answers 404, whatever it was sent.
    if (body.length === 0 || request.is404) return done(null, undefined);
    if (request.headers['content-encoding'] !== undefined) return done(encoded());
    // Typed as maybe-async, but Fastify's default parser answers through the callback and returns nothing.
    void parseJson(request, body, (error, value) => (error ? done(new InvalidJsonError()) : done(null, value)));
  });
  // Every other content type, and a body without one. It reads nothing unless the length is unknown (chunked).
  server.addContentTypeParser('*', (request: FastifyRequest, payload: NodeJS.ReadableStream, done: Done) => {
    if (request.is404) return done(null, undefined);
    const length = request.headers['content-length'];
    if (length !== undefined) return Number(length) === 0 ? done(null, undefined) : done(notJson());
    const settle = (error: Error | null) => {
      payload.removeListener('data', onData).removeListener('end', onEnd).removeListener('error', onError);
      done(error, undefined);
    };
    const onData = () => settle(notJson());
    const onEnd = () => settle(null);
    const onError = () => settle(new InvalidRequestError('the request body did not arrive whole'));
    payload.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
