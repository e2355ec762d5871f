import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { type INestApplication } from '@nestjs/common';
import { credentials, loadPackageDefinition, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { Client } from 'pg';
import { createTestEnvironment, eventually, jsonClient, type JsonClient, type TestEnvironment } from '@ledger/testing';
import { loadLedgerConfig } from '../src/config';
import { createLedgerApp, PERSISTED_VALUES_PROTO, PROTO_ROOT } from '../src/ledger.app';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

type Call = (request: object, metadata: Metadata, callback: (error: ServiceError | null, response: unknown) => void) => void;

/** The ledger's documented limits (README, "Scopes"). */
const FAILED_AUTHENTICATION_BURST = 20;
const KEY_CREATION_BURST = 10;

describe('API key limits: throttled failures, creation limit, paginated list, validated ids and names', () => {
  let environment: TestEnvironment;
  let ledger: INestApplication;
  let port: number;
  let database: Client;
  let grpc: Record<'Load', Call> & { close(): void };
  let bootstrap: JsonClient;
  const as = (key: string) => jsonClient(`http://127.0.0.1:${port}`, { authorization: `Bearer ${key}` });

  /**
   * An HTTP call from a chosen loopback address (all of 127.0.0.0/8 is this host), so each test throttles an
   * address of its own and the addresses' buckets are seen to be apart.
   */
  const httpFrom = (localAddress: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
    new Promise<RawResponse>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const outgoing = request(
        { host: '127.0.0.1', port, localAddress, method, path, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) } },
        (incoming) => {
          let text = '';
          incoming.setEncoding('utf8');
          incoming.on('data', (chunk: string) => (text += chunk));
          incoming.on('end', () => resolve({ status: incoming.statusCode!, headers: incoming.headers, body: text ? JSON.parse(text) : undefined }));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });

  const grpcLoad = (authorization: string | null) =>
    new Promise<{ error: ServiceError | null }>((resolve) => {
      const metadata = new Metadata();
      if (authorization !== null) metadata.set('authorization', authorization);
      grpc.Load({ key: 'u:userID' }, metadata, (error) => resolve({ error }));
    });

  const createAdmin = async (name: string) => {
    const created = await bootstrap.post('/v1/api-keys', { name, scopes: ['admin'] });
    expect(created.status).toBe(201);
    return created.body as { id: string; key: string };
  };

  beforeAll(async () => {
    environment = await createTestEnvironment('api-key-limits');
    ledger = await createLedgerApp(loadLedgerConfig(environment.env));
    port = Number(new URL(await ledger.getUrl()).port);
    database = new Client({ connectionString: environment.databaseUrl });
    await database.connect();
    const definition = loadSync([PERSISTED_VALUES_PROTO], { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: [PROTO_ROOT] });
    const pkg = loadPackageDefinition(definition) as any;
    grpc = new pkg.assignment_ledger.v1.PersistedValues(`127.0.0.1:${environment.env.GRPC_PORT}`, credentials.createInsecure());
    bootstrap = as(environment.adminKey);
  });

  afterAll(async () => {
    grpc?.close();
    await database?.end();
    await ledger?.close();
    await environment?.cleanup();
  });

  describe('failed authentications', () => {
    it('answer 429 with Retry-After past the burst from one address, never refuse a valid key, and refill', async () => {
      const reader = (await bootstrap.post('/v1/api-keys', { name: 'reader', scopes: ['storage:read'] })).body;
      const revoked = (await bootstrap.post('/v1/api-keys', { name: 'revoked', scopes: ['storage:read'] })).body;
      expect((await bootstrap.delete(`/v1/api-keys/${revoked.id}`)).status).toBe(200);
      // Every kind of failure counts: no key, not a key, an unknown key, a wrong secret, a revoked key.
      const failures: Array<Record<string, string>> = [
        {},
        { authorization: 'Basic abc' },
        { authorization: 'Bearer nope' },
        { authorization: `Bearer alk_0123456789abcdef_${'A'.repeat(43)}` },
        { authorization: `Bearer ${reader.key.slice(0, -1)}${reader.key.endsWith('A') ? 'B' : 'A'}` },
        { authorization: `Bearer ${revoked.key}` },
      ];
      for (let attempt = 0; attempt < FAILED_AUTHENTICATION_BURST; attempt += 1) {
        const answer = await httpFrom('127.0.0.2', 'GET', '/v1/persisted/u:userID', failures[attempt % failures.length]);
        expect(answer).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
      }
      for (const headers of failures) {
        const throttled = await httpFrom('127.0.0.2', 'GET', '/v1/persisted/u:userID', headers);
        expect(throttled).toMatchObject({ status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'TOO_MANY_REQUESTS', message: expect.any(String) } } });
      }

      // The same address with a valid key: still served, on a key read from the cache and on one that is not.
      expect((await httpFrom('127.0.0.2', 'GET', '/v1/persisted/u:userID', { authorization: `Bearer ${reader.key}` })).status).toBe(200);
      const fresh = (await bootstrap.post('/v1/api-keys', { name: 'fresh', scopes: ['storage:read'] })).body;
      expect((await httpFrom('127.0.0.2', 'GET', '/v1/persisted/u:userID', { authorization: `Bearer ${fresh.key}` })).status).toBe(200);
      expect((await httpFrom('127.0.0.2', 'GET', '/v1/api-keys', { authorization: `Bearer ${environment.adminKey}` })).status).toBe(200);
      // A valid key without the scope is an authenticated caller: 403, not throttled.
      expect((await httpFrom('127.0.0.2', 'GET', '/v1/api-keys', { authorization: `Bearer ${reader.key}` })).status).toBe(403);
      // Another address has its own bucket.
      expect((await httpFrom('127.0.0.3', 'GET', '/v1/persisted/u:userID')).status).toBe(401);

      // One token is back after a second: one more failure is told 401, the next is throttled again.
      await eventually(async () => ((await httpFrom('127.0.0.2', 'GET', '/v1/persisted/u:userID')).status === 401 ? true : undefined), { timeoutMs: 5_000, what: 'a refilled token' });
      expect((await httpFrom('127.0.0.2', 'GET', '/v1/persisted/u:userID')).status).toBe(429);
    });

    it('answer RESOURCE_EXHAUSTED with TOO_MANY_REQUESTS and a retry-after trailer over gRPC, sharing the address with HTTP', async () => {
      for (let attempt = 0; attempt < FAILED_AUTHENTICATION_BURST; attempt += 1) {
        const { error } = await grpcLoad(attempt % 2 === 0 ? null : 'Bearer wrong');
        expect(error?.code).toBe(status.UNAUTHENTICATED);
      }
      const throttled = (await grpcLoad('Bearer wrong')).error;
      expect(throttled?.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(throttled?.metadata.get('error-code')).toEqual(['TOO_MANY_REQUESTS']);
      expect(throttled?.metadata.get('retry-after')).toEqual(['1']);
      expect((await grpcLoad(null)).error?.code).toBe(status.RESOURCE_EXHAUSTED);

      // The same client address over HTTP is throttled too, and valid keys still work on both.
      expect(await httpFrom('127.0.0.1', 'GET', '/v1/persisted/u:userID')).toMatchObject({ status: 429, body: { error: { code: 'TOO_MANY_REQUESTS' } } });
      expect((await grpcLoad(`Bearer ${environment.adminKey}`)).error).toBeNull();
      expect((await bootstrap.get('/v1/persisted/u:userID')).status).toBe(200);
    });
  });

  it('limits key creation per calling key with 429 and Retry-After, and leaves other keys their own limit', async () => {
    const admin = as((await createAdmin('creator')).key);
    for (let created = 0; created < KEY_CREATION_BURST; created += 1) {
      expect((await admin.post('/v1/api-keys', { name: `burst ${created}`, scopes: ['storage:read'] })).status).toBe(201);
    }
    const refused = await admin.post('/v1/api-keys', { name: 'one too many', scopes: ['storage:read'] });
    expect(refused).toMatchObject({ status: 429, body: { error: { code: 'TOO_MANY_REQUESTS' } } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(6);
    expect((await admin.get('/v1/api-keys?includeRevoked=true')).body.apiKeys.map((key: { name: string }) => key.name)).not.toContain('one too many');
    // A refused body is refused before it counts: invalid requests do not spend the limit of another key.
    const other = as((await createAdmin('other creator')).key);
    expect((await other.post('/v1/api-keys', { name: '', scopes: ['admin'] })).status).toBe(400);
    expect((await other.post('/v1/api-keys', { name: 'allowed', scopes: ['storage:read'] })).status).toBe(201);
  });

  describe('the key list', () => {
    const seeded = { live: new Set<string>(), revoked: new Set<string>() };

    beforeAll(async () => {
      // Rows written straight to the table (creation through the API is rate-limited): 250 keys, every fifth
      // revoked, several sharing a millisecond and some stored with microseconds, as a default now() would.
      const values: string[] = [];
      const parameters: unknown[] = [];
      for (let index = 0; index < 250; index += 1) {
        const id = randomBytes(8).toString('hex');
        const millisecond = 1_700_000_000_000 + Math.floor(index / 4);
        const microseconds = index % 8 === 0 ? 0 : (index % 8) * 100;
        const createdAt = `${new Date(millisecond).toISOString().replace('Z', '')}${String(microseconds).padStart(3, '0')}+00`;
        const revokedAt = index % 5 === 0 ? '2024-01-01T00:00:00Z' : null;
        (revokedAt ? seeded.revoked : seeded.live).add(id);
        parameters.push(id, `seeded ${index}`, createdAt, revokedAt);
        const at = parameters.length - 4;
        values.push(`($${at + 1}, $${at + 2}, '{storage:read}', '\\x00', 'test', $${at + 3}::timestamptz, $${at + 4}::timestamptz)`);
      }
      await database.query(`INSERT INTO api_keys (id, name, scopes, secret_sha256, created_by, created_at, revoked_at) VALUES ${values.join(', ')}`, parameters);
    });

    const readAll = async (query: string) => {
      const pages: Array<{ apiKeys: Array<{ id: string; createdAt: string; revokedAt: string | null }>; nextCursor: string | null }> = [];
      let cursor: string | null = null;
      do {
        const answer: { status: number; body: (typeof pages)[number] } = await bootstrap.get(`/v1/api-keys?${query}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(answer.status).toBe(200);
        pages.push(answer.body);
        cursor = answer.body.nextCursor;
      } while (cursor !== null && pages.length < 1_000);
      return pages;
    };

    it('pages through every key once, in creation order, leaving revoked keys out unless asked', async () => {
      const everyKey = await readAll('limit=7&includeRevoked=true');
      const keys = everyKey.flatMap((page) => page.apiKeys);
      expect(everyKey.every((page) => page.apiKeys.length <= 7)).toBe(true);
      expect(everyKey.at(-1)!.nextCursor).toBeNull();
      const ids = keys.map((key) => key.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of [...seeded.live, ...seeded.revoked]) expect(ids).toContain(id);
      const times = keys.map((key) => Date.parse(key.createdAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));

      const liveOnly = (await readAll('limit=7')).flatMap((page) => page.apiKeys);
      expect(liveOnly.every((key) => key.revokedAt === null)).toBe(true);
      expect(liveOnly.map((key) => key.id)).toEqual(keys.filter((key) => key.revokedAt === null).map((key) => key.id));
      for (const id of seeded.live) expect(liveOnly.map((key) => key.id)).toContain(id);

      // Rows that share a millisecond are told apart by id, one at a time too.
      const oneByOne = (await readAll('limit=1&includeRevoked=true')).flatMap((page) => page.apiKeys.map((key) => key.id));
      expect(oneByOne).toEqual(ids);
    });

    it('answers 100 keys by default and up to 500 when asked', async () => {
      const first = await bootstrap.get('/v1/api-keys?includeRevoked=true');
      expect(first.body.apiKeys).toHaveLength(100);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const all = await bootstrap.get('/v1/api-keys?limit=500&includeRevoked=true');
      expect(all.body.apiKeys.length).toBeGreaterThanOrEqual(250);
      expect(all.body.nextCursor).toBeNull();
    });

    it('refuses a bad limit, cursor or parameter with 400 INVALID_REQUEST', async () => {
      const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      for (const query of [
        'limit=0',
        'limit=501',
        'limit=01',
        'limit=ten',
        'limit=1&limit=2',
        'includeRevoked=yes',
        'sort=name',
        'cursor=',
        'cursor=garbage',
        `cursor=${'A'.repeat(201)}`,
        `cursor=${cursorOf([1, 'short'])}`,
        `cursor=${cursorOf([1e16, '0123456789abcdef'])}`,
        `cursor=${encodeURIComponent(`${cursorOf([1, '0123456789abcdef'])}=`)}`,
      ]) {
        const answer = await bootstrap.get(`/v1/api-keys?${query}`);
        expect({ query, status: answer.status, code: answer.body?.error?.code }).toEqual({ query, status: 400, code: 'INVALID_REQUEST' });
      }
    });
  });

  it('answers 404 NOT_FOUND, never 500, for an id that is not in the key id format', async () => {
    for (const id of ['%00', 'bootstrap-admin', '0123456789ABCDEF', '0123456789abcdef0', '0123456789abcdef', '%F0%9F%98%80', 'x'.repeat(100)]) {
      const answer = await bootstrap.delete(`/v1/api-keys/${id}`);
      expect({ id: id.slice(0, 20), status: answer.status, code: answer.body?.error?.code }).toEqual({ id: id.slice(0, 20), status: 404, code: 'NOT_FOUND' });
    }
    expect(await bootstrap.delete(`/v1/api-keys/${'x'.repeat(1_000)}`)).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });

  it('accepts only names Postgres and JSON keep as given', async () => {
    const admin = as((await createAdmin('namer')).key);
    for (const name of ['nul \u0000 inside', 'lone high \ud800', 'lone low \udc00 here', 'reversed \udc00\ud800', '', 'x'.repeat(201)]) {
      const answer = await admin.post('/v1/api-keys', { name, scopes: ['storage:read'] });
      expect(answer).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST', details: { problems: [expect.stringContaining('/name')] } } } });
    }
    const name = 'café 😀 ключ';
    const created = await admin.post('/v1/api-keys', { name, scopes: ['storage:read'] });
    expect(created).toMatchObject({ status: 201, body: { name } });
    const stored = await database.query<{ name: string }>('SELECT name FROM api_keys WHERE id = $1', [created.body.id]);
    expect(stored.rows[0]!.name).toBe(name);
  });
});
