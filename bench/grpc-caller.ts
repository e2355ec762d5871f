import { connect, constants } from 'node:http2';
import { status } from '@grpc/grpc-js';

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
          ...headers,
        });
        let outcome: Record<string, string | string[] | undefined> | undefined;
        const settle = (fields: Record<string, string | string[] | undefined>) => void (fields['grpc-status'] !== undefined && (outcome = fields));
        stream.once('response', settle);
        stream.once('trailers', settle);
        stream.on('data', () => undefined);
        stream.once('error', reject);
        stream.once('close', () => {
          if (!outcome) return reject(new Error(`gRPC call closed without a status (HTTP/2 code ${stream.rstCode})`));
          const code = Number(outcome['grpc-status']);
          resolve(code === 0 ? true : `gRPC ${status[code] ?? code} ${String(outcome['error-code'] ?? '')}`.trim());
        });
        const frame = Buffer.allocUnsafe(5 + message.length);
        frame.writeUInt8(0, 0); // not compressed
        frame.writeUInt32BE(message.length, 1);
        frame.set(message, 5);
        stream.end(frame);
      }),
    close: () => new Promise((resolve) => session.close(() => resolve())),
  };
}
