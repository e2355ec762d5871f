import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { createTestEnvironment, stickyValueFor, type TestEnvironment } from '@ledger/testing';
import { type LedgerStack, startLedgerStack } from './ledger-stack';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: any;
}

const parsed = (text: string): unknown => {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
};

/** The documented error shape, and nothing else in the body. */
const refusal = (code: string) => ({ error: { code, message: expect.any(String) } });

describe('HTTP edges: every refusal leaves as {"error": {"code", "message"}}', () => {
  let environment: TestEnvironment;
  let stack: LedgerStack;
  let port: number;
  let authorization: string;

  /**
   * One request through node:http, on a connection of its own, which sends the path, the headers and the
   * body exactly as given (fetch would encode the path, add a content-type and refuse a body on GET).
   */
  const send = (method: string, path: string, options: { headers?: OutgoingHttpHeaders; body?: string | Buffer } = {}): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      const outgoing = httpRequest({ host: '127.0.0.1', port, method, path, headers: { authorization, ...options.headers }, agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, body: parsed(text) });
        });
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(options.body);
    });
  const sendJson = (method: string, path: string, body: unknown, headers: OutgoingHttpHeaders = {}) =>
    send(method, path, { headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  /** Bytes over a bare socket, for what no HTTP client would send; answers what came back before the server closed. */
  const sendBytes = (bytes: string): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const [head = '', text = ''] = raw.split('\r\n\r\n', 2);
        const [statusLine = '', ...headerLines] = head.split('\r\n');
        const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
        resolve({ status: Number(statusLine.split(' ')[1]), headers: { ...headers, 'status-line': statusLine }, text, body: parsed(text) });
      });
      socket.end(bytes);
    });

  beforeAll(async () => {
    environment = await createTestEnvironment('http-edges');
    stack = await startLedgerStack(environment.env, environment.adminKey);
    port = Number(new URL(await stack.ledger.getUrl()).port);
    authorization = `Bearer ${environment.adminKey}`;
  });

  afterAll(async () => {
    await stack?.close();
    await environment?.cleanup();
  });

  describe('long and malformed URLs', () => {
    // 512 UTF-16 units of three UTF-8 bytes each: 4,608 characters once percent-encoded.
    const longUnit = 'ü'.repeat(6) + 'अ'.repeat(506);
    const longKey = `${longUnit}:userID`;
    const longConfig = `c${'x'.repeat(199)}`;
    const storagePath = (key: string, config?: string) => `/v1/persisted/${encodeURIComponent(key)}${config === undefined ? '' : `/${encodeURIComponent(config)}`}`;

    it('saves, loads and deletes under the longest persistence key and config name', async () => {
      expect(storagePath(longKey).length).toBeGreaterThan(4600);
      expect(await sendJson('PUT', storagePath(longKey, longConfig), stickyValueFor('Control'))).toMatchObject({ status: 201, body: { outcome: 'saved', key: longKey } });
      expect(await send('GET', storagePath(longKey))).toMatchObject({ status: 200, body: { key: longKey, values: { [longConfig]: stickyValueFor('Control') } } });
      expect(await send('DELETE', storagePath(longKey, longConfig))).toMatchObject({ status: 200, body: { outcome: 'deleted' } });
      expect(await send('GET', storagePath(longKey))).toMatchObject({ status: 200, body: { values: {} } });
    });

    it('still refuses a unit id over 512 characters as an invalid key', async () => {
      expect(await send('GET', storagePath(`${'u'.repeat(513)}:userID`))).toMatchObject({ status: 400, body: refusal('INVALID_PERSISTENCE_KEY') });
    });

    it('answers a path segment past the router limit with 414 URI_TOO_LONG', async () => {
      const response = await send('GET', `/v1/persisted/${'a'.repeat(6000)}:userID`);
      expect(response).toMatchObject({ status: 414, body: refusal('URI_TOO_LONG') });
      expect(response.headers['content-type']).toMatch(/^application\/json/);
    });

    it('answers bad percent-encoding with 400 INVALID_URL', async () => {
      for (const path of ['/v1/persisted/%E0%A4%A/c1', '/v1/persisted/%zz:userID']) {
        expect({ path, ...(await send('DELETE', path)) }).toMatchObject({ path, status: 400, body: refusal('INVALID_URL') });
      }
    });
  });

  describe('requests Node cannot parse', () => {
    it('answers a malformed header with 400 INVALID_REQUEST and closes the connection', async () => {
      const response = await sendBytes('GET /v1/persisted/u:userID HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n');
      expect(response).toMatchObject({ status: 400, body: refusal('INVALID_REQUEST') });
      expect(response.headers).toMatchObject({ connection: 'close', 'content-type': expect.stringMatching(/^application\/json/), 'content-length': String(Buffer.byteLength(response.text)) });
    });

    it('answers a malformed request line with 400 INVALID_REQUEST', async () => {
      expect(await sendBytes('NOT-A-METHOD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toMatchObject({ status: 400, body: refusal('INVALID_REQUEST') });
    });

    it('answers headers over the size limit with 431 HEADERS_TOO_LARGE', async () => {
      const response = await sendBytes(`GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nx-padding: ${'p'.repeat(20_000)}\r\n\r\n`);
      expect(response).toMatchObject({ status: 431, body: refusal('HEADERS_TOO_LARGE') });
      expect(response.headers).toMatchObject({ connection: 'close' });
    });
  });

  describe('request bodies', () => {
    const savePath = '/v1/persisted/bodies:userID/exp';

    it('answers a body that is not JSON with 400 INVALID_JSON', async () => {
      for (const sent of ['{"value":', 'not json', '{"__proto__":{"polluted":true}}']) {
        expect({ sent, ...(await send('PUT', savePath, { headers: { 'content-type': 'application/json' }, body: sent })) }).toMatchObject({ sent, status: 400, body: refusal('INVALID_JSON') });
      }
    });

    it('answers a save without a body with 400 INVALID_REQUEST saying it has no body', async () => {
      for (const headers of [{ 'content-type': 'application/json', 'content-length': '0' }, { 'content-length': '0' }, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }]) {
        const response = await send('PUT', savePath, { headers });
        expect(response).toMatchObject({ status: 400, body: refusal('INVALID_REQUEST') });
        expect(response.body.error.message).toMatch(/no body/);
      }
      expect(await send('POST', '/v1/persisted/batch-load', { headers: { 'content-type': 'application/json' } })).toMatchObject({ status: 400, body: refusal('INVALID_REQUEST') });
    });

    it('answers a body over 64 KiB with 413 PAYLOAD_TOO_LARGE, with or without a content-length', async () => {
      const body = JSON.stringify({ ...stickyValueFor('Control'), json_value: { blob: 'x'.repeat(70 * 1024) } });
      expect(await send('PUT', savePath, { headers: { 'content-type': 'application/json' }, body })).toMatchObject({ status: 413, body: refusal('PAYLOAD_TOO_LARGE') });
      expect(await send('PUT', savePath, { headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body })).toMatchObject({
        status: 413,
        body: refusal('PAYLOAD_TOO_LARGE'),
      });
    });

    it('answers a non-JSON content type with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const json = JSON.stringify(stickyValueFor('Control'));
      for (const type of ['text/plain', 'application/octet-stream', 'application/merge-patch+json', 'application/vnd.ledger+json']) {
        expect({ type, ...(await send('PUT', savePath, { headers: { 'content-type': type }, body: json })) }).toMatchObject({ type, status: 415, body: refusal('UNSUPPORTED_MEDIA_TYPE') });
      }
      expect(await send('PUT', savePath, { body: json })).toMatchObject({ status: 415, body: refusal('UNSUPPORTED_MEDIA_TYPE') });
    });

    it('refuses a form-encoded body with 415 and creates no API key', async () => {
      const form = 'name=from-a-form&scopes=storage%3Aread&scopes=evaluate';
      expect(await send('POST', '/v1/api-keys', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })).toMatchObject({
        status: 415,
        body: refusal('UNSUPPORTED_MEDIA_TYPE'),
      });
      const listed = await send('GET', '/v1/api-keys');
      expect(listed.status).toBe(200);
      expect(listed.body.apiKeys).not.toContainEqual(expect.objectContaining({ name: 'from-a-form' }));
    });

    it('refuses a body with any content-encoding with 415: the service does not decode bodies', async () => {
      const json = JSON.stringify(stickyValueFor('Control'));
      const encoded = [
        { encoding: 'gzip', body: gzipSync(json) },
        { encoding: 'identity', body: json },
        { encoding: 'br', body: json },
      ];
      for (const { encoding, body } of encoded) {
        const response = await send('PUT', savePath, { headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body });
        expect({ encoding, ...response }).toMatchObject({ encoding, status: 415, body: refusal('UNSUPPORTED_MEDIA_TYPE') });
      }
      expect((await send('GET', '/v1/persisted/bodies:userID')).body).toEqual({ key: 'bodies:userID', values: {} });
    });

    it('accepts application/json with parameters', async () => {
      const response = await sendJson('PUT', '/v1/persisted/charset:userID/exp', stickyValueFor('Control'), { 'content-type': 'application/json; charset=utf-8' });
      expect(response).toMatchObject({ status: 201, body: { outcome: 'saved' } });
      const typeCase = await sendJson('PUT', '/v1/persisted/charset:userID/exp2', stickyValueFor('Test'), { 'content-type': 'Application/JSON;charset=UTF-8' });
      expect(typeCase).toMatchObject({ status: 201, body: { outcome: 'saved' } });
    });
  });

  describe('bodiless requests, whatever their content-type header says', () => {
    const headerSets: OutgoingHttpHeaders[] = [
      { 'content-type': 'application/json', 'content-length': '0' },
      { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      { 'content-type': 'text/plain', 'content-length': '0' },
      { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '0' },
      { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': '0' },
    ];

    it('deletes with a JSON content type and no body (as storage adapters send it)', async () => {
      expect(await sendJson('PUT', '/v1/persisted/bodiless:userID/exp', stickyValueFor('Control'))).toMatchObject({ status: 201 });
      expect(await send('DELETE', '/v1/persisted/bodiless:userID/exp', { headers: { 'content-type': 'application/json', 'content-length': '0' } })).toMatchObject({
        status: 200,
        body: { outcome: 'deleted' },
      });
      for (const headers of headerSets) {
        expect({ case: JSON.stringify(headers), ...(await send('DELETE', '/v1/persisted/bodiless:userID/exp', { headers })) }).toMatchObject({
          case: JSON.stringify(headers),
          status: 200,
          body: { outcome: 'absent' },
        });
      }
    });

    it('loads and lists with any content type and no body', async () => {
      for (const headers of headerSets) {
        expect({ case: JSON.stringify(headers), ...(await send('GET', '/v1/persisted/bodiless:userID', { headers })) }).toMatchObject({
          case: JSON.stringify(headers),
          status: 200,
          body: { values: {} },
        });
        expect({ case: JSON.stringify(headers), ...(await send('GET', '/v1/api-keys', { headers })) }).toMatchObject({ case: JSON.stringify(headers), status: 200 });
      }
    });

    it('ignores a body sent with GET, as HTTP gives it no meaning', async () => {
      expect(await send('GET', '/v1/persisted/bodiless:userID', { headers: { 'content-type': 'text/plain', 'content-length': '7' }, body: 'ignored' })).toMatchObject({
        status: 200,
        body: { values: {} },
      });
    });
  });

  describe('routing and headers', () => {
    it('answers an unknown route or a method a route does not have with 404 NOT_FOUND', async () => {
      for (const [method, path] of [
        ['GET', '/nope'],
        ['GET', '/v1/persisted'],
        ['POST', '/v1/persisted/u:userID'],
        ['PATCH', '/v1/persisted/u:userID/exp'],
        ['OPTIONS', '/v1/persisted/u:userID'],
        ['PURGE', '/v1/persisted/u:userID'],
      ] as const) {
        expect({ method, path, ...(await send(method, path)) }).toMatchObject({ method, path, status: 404, body: refusal('NOT_FOUND') });
      }
    });

    it('answers HEAD like GET, without a body', async () => {
      expect(await send('HEAD', '/v1/persisted/u:userID')).toMatchObject({ status: 200, text: '', headers: { 'content-type': expect.stringMatching(/^application\/json/) } });
      expect(await send('HEAD', '/nope')).toMatchObject({ status: 404, text: '' });
      expect(await send('HEAD', '/v1/persisted/no-id-type')).toMatchObject({ status: 400, text: '' });
    });

    it('replaces an x-request-id that is too long or malformed, and keeps a well-formed one', async () => {
      for (const given of ['r'.repeat(201), 'has space', 'semi;colon', 'ü-nicode']) {
        const response = await send('GET', '/v1/persisted/u:userID', { headers: { 'x-request-id': given } });
        expect(response.status).toBe(200);
        expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      }
      expect((await send('GET', '/v1/persisted/u:userID', { headers: { 'x-request-id': 'trace-1.a:b' } })).headers['x-request-id']).toBe('trace-1.a:b');
    });
  });
});
