import { connect, constants } from 'node:http2';
import { status } from '@grpc/grpc-js';

/** A call still unanswered after this is cancelled and counted as failed, so a stuck server cannot hang the bench. */
const CALL_DEADLINE_MS = 10_000;

/**
 * Unary gRPC calls over one HTTP/2 connection, spoken directly: a length-prefixed message out, grpc-status
 * back (in trailers, or in the headers of a trailers-only answer). The server is the real one; the client is
 * this lean because grpc-js's client took about 60% of a core at 1,500 calls/s on the machine it shares with
 * the server, which made the figures the load generator's. True when the call succeeds, else the status name
 * and the error code the ledger puts in its metadata.
 */
export function grpcCaller(address: string, headers: Record<string, string>): { call(method: string, message: Uint8Array): Promise<true | string>; close(): Promise<void> } {
  const session = connect(`http://${address}`);
  session.on('error', () => undefined); // each open call fails on its own stream
  return {
    call: (method, message) =>
      new Promise((resolve, reject) => {
        const stream = session.request({
          [constants.HTTP2_HEADER_METHOD]: 'POST',
          [constants.HTTP2_HEADER_PATH]: method,
          'content-type': 'application/grpc',
          te: 'trailers',
          'grpc-timeout': `${CALL_DEADLINE_MS}m`,
          ...headers,
        });
        let httpStatus: unknown;
        let statusFields: Record<string, string | string[] | undefined> | undefined;
        const keepStatus = (fields: Record<string, string | string[] | undefined>) => void (fields['grpc-status'] !== undefined && (statusFields = fields));
        stream.once('response', (fields) => {
          httpStatus = fields[constants.HTTP2_HEADER_STATUS];
          keepStatus(fields);
        });
        stream.once('trailers', keepStatus);
        stream.on('data', () => undefined);
        stream.setTimeout(CALL_DEADLINE_MS, () => stream.close(constants.NGHTTP2_CANCEL));
        stream.once('error', reject);
        stream.once('close', () => {
          if (!statusFields) return reject(new Error(`gRPC call closed without a status (HTTP ${String(httpStatus ?? 'no answer')}, HTTP/2 code ${stream.rstCode})`));
          const code = Number(statusFields['grpc-status']);
          resolve(code === 0 ? true : `gRPC ${status[code] ?? code} ${String(statusFields['error-code'] ?? '')}`.trim());
        });
        const frame = Buffer.allocUnsafe(5 + message.length);
        frame.writeUInt8(0, 0); // not compressed
        frame.writeUInt32BE(message.length, 1);
        frame.set(message, 5);
        stream.end(frame);
      }),
    // A session the server refused or went away from is already closed, and close() would never call back.
    close: () => (session.closed || session.destroyed ? Promise.resolve() : new Promise((resolve) => session.close(() => resolve()))),
  };
}
