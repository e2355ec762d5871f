import { type Socket } from 'node:net';
import { answerClientError } from './framework-refusals';

/** A socket that records what is written to it. */
function socketWith(state: { inFlightHeadersSent?: boolean; writable?: boolean; destroyed?: boolean } = {}) {
  const written: string[] = [];
  const socket = {
    writable: state.writable ?? true,
    destroyed: state.destroyed ?? false,
    _httpMessage: state.inFlightHeadersSent === undefined ? null : { headersSent: state.inFlightHeadersSent },
    write: (chunk: string) => written.push(chunk),
    destroy: jest.fn(),
  };
  return { socket: socket as unknown as Socket, written, destroyed: socket.destroy };
}

const parse = (response: string) => {
  const [head = '', body = ''] = response.split('\r\n\r\n');
  const [statusLine, ...headers] = head.split('\r\n');
  return { statusLine, headers, body: JSON.parse(body) };
};

const clientError = (code: string, reason?: string) => Object.assign(new Error(reason ?? code), { code, reason });

describe('answerClientError', () => {
  it.each([
    { code: 'HPE_HEADER_OVERFLOW', status: '431 Request Header Fields Too Large', errorCode: 'HEADERS_TOO_LARGE' },
    { code: 'ERR_HTTP_REQUEST_TIMEOUT', status: '408 Request Timeout', errorCode: 'REQUEST_TIMEOUT' },
    { code: 'HPE_CHUNK_EXTENSIONS_OVERFLOW', status: '413 Payload Too Large', errorCode: 'PAYLOAD_TOO_LARGE' },
    { code: 'HPE_INVALID_METHOD', status: '400 Bad Request', errorCode: 'INVALID_REQUEST' },
  ])('answers $code with $status $errorCode as a whole HTTP/1.1 response, then closes', ({ code, status, errorCode }) => {
    const { socket, written, destroyed } = socketWith();
    answerClientError(clientError(code), socket);
    expect(written).toHaveLength(1);
    const response = parse(written[0]!);
    expect(response.statusLine).toBe(`HTTP/1.1 ${status}`);
    expect(response.body).toEqual({ error: { code: errorCode, message: expect.any(String) } });
    expect(response.headers).toEqual(
      expect.arrayContaining(['content-type: application/json; charset=utf-8', 'connection: close', `content-length: ${Buffer.byteLength(written[0]!.split('\r\n\r\n')[1]!)}`]),
    );
    expect(destroyed).toHaveBeenCalled();
  });

  it("names the parser's reason for a malformed request", () => {
    const { socket, written } = socketWith();
    answerClientError(clientError('HPE_INVALID_HEADER_TOKEN', 'Invalid header token'), socket);
    expect(parse(written[0]!).body.error.message).toBe('the request is not valid HTTP/1.1: Invalid header token');
  });

  it('writes nothing into a response of an earlier request that has begun, and nothing to a reset connection', () => {
    for (const [error, state] of [
      [clientError('HPE_INVALID_METHOD'), { inFlightHeadersSent: true }],
      [clientError('HPE_INVALID_METHOD'), { writable: false }],
      [clientError('ECONNRESET'), {}],
    ] as const) {
      const { socket, written } = socketWith(state);
      answerClientError(error, socket);
      expect(written).toEqual([]);
    }
  });

  it('answers while an earlier request on the connection has not begun its response', () => {
    const { socket, written } = socketWith({ inFlightHeadersSent: false });
    answerClientError(clientError('HPE_INVALID_METHOD'), socket);
    expect(parse(written[0]!).statusLine).toBe('HTTP/1.1 400 Bad Request');
  });
});
