import { checkoutButtonSpec, createTestEnvironment, jsonClient, type JsonClient, stickyValueFor, type TestEnvironment } from '@ledger/testing';
import { type LedgerStack, startLedgerStack } from './ledger-stack';

interface ExperimentPage {
  experiments: Array<{ name: string; version: number; status: string; publishedAt: string }>;
  nextCursor: string | null;
}

describe('API manners: listing, idempotent publishing, Retry-After, Preference-Applied', () => {
  let environment: TestEnvironment;
  let stack: LedgerStack;
  let admin: JsonClient;
  let projectorRunning = false;

  const clientWith = async (scopes: string[]): Promise<JsonClient> => {
    const created = await admin.post('/v1/api-keys', { name: scopes.join(' '), scopes });
    expect(created.status).toBe(201);
    return jsonClient(await stack.ledger.getUrl(), { authorization: `Bearer ${created.body.key}` });
  };

  /** Every page from the first, following nextCursor. */
  const allPages = async (client: JsonClient, limit?: number): Promise<ExperimentPage[]> => {
    const pages: ExperimentPage[] = [];
    let cursor: string | null = null;
    do {
      const query: URLSearchParams = new URLSearchParams({ ...(limit === undefined ? {} : { limit: String(limit) }), ...(cursor === null ? {} : { cursor }) });
      const page: { status: number; body: ExperimentPage } = await client.get<ExperimentPage>(`/v1/experiments?${query}`);
      expect(page.status).toBe(200);
      pages.push(page.body);
      cursor = page.body.nextCursor;
    } while (cursor !== null && pages.length < 1000);
    return pages;
  };

  beforeAll(async () => {
    environment = await createTestEnvironment('api-manners');
    // A write the projector does not apply comes back as 503 soon.
    stack = await startLedgerStack({ ...environment.env, READ_YOUR_WRITES_TIMEOUT_MS: '500' }, environment.adminKey);
    projectorRunning = true;
    admin = stack.api;
  });

  afterAll(async () => {
    if (projectorRunning) await stack?.close();
    else await stack?.ledger.close();
    await environment?.cleanup();
  });

  describe('GET /v1/experiments', () => {
    it("lists each experiment's latest version, status and time by name, a page at a time", async () => {
      for (const name of ['pricing', 'checkout_button', 'onboarding', 'search_ranking', 'banner', 'aa_test', 'zz_last']) {
        expect((await admin.put(`/v1/experiments/${name}`, checkoutButtonSpec())).status).toBe(201);
      }
      expect((await admin.put('/v1/experiments/pricing', checkoutButtonSpec({ allocationPercent: 20 }))).body.version).toBe(2);
      expect((await admin.put('/v1/experiments/banner', checkoutButtonSpec({ status: 'inactive' }))).body.version).toBe(2);
      const evaluator = await clientWith(['evaluate']);

      const pages = await allPages(evaluator, 3);
      expect(pages.map((page) => page.experiments.length)).toEqual([3, 3, 1]);
      expect(pages.at(-1)!.nextCursor).toBeNull();
      const listed = pages.flatMap((page) => page.experiments);
      expect(listed.map((experiment) => experiment.name)).toEqual(['aa_test', 'banner', 'checkout_button', 'onboarding', 'pricing', 'search_ranking', 'zz_last']);
      for (const experiment of listed) {
        const latest = (await evaluator.get(`/v1/experiments/${experiment.name}`)).body;
        expect(experiment).toEqual({ name: latest.name, version: latest.version, status: latest.spec.status, publishedAt: latest.publishedAt });
      }
      expect(listed.find((experiment) => experiment.name === 'banner')).toMatchObject({ version: 2, status: 'inactive' });
      expect(listed.find((experiment) => experiment.name === 'pricing')).toMatchObject({ version: 2, status: 'active' });
    });

    it('pages 100 experiments by default and up to 500 when asked', async () => {
      const names = Array.from({ length: 110 }, (_, index) => `bulk_${String(index).padStart(3, '0')}`);
      for (let start = 0; start < names.length; start += 10) {
        const answers = await Promise.all(names.slice(start, start + 10).map((name) => admin.put(`/v1/experiments/${name}`, checkoutButtonSpec())));
        expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 201));
      }
      const atMost = await allPages(admin, 500);
      expect(atMost).toHaveLength(1);
      const all = atMost[0]!.experiments.map((experiment) => experiment.name);
      expect(all).toEqual(expect.arrayContaining(names));
      const byDefault = await allPages(admin);
      expect(byDefault.map((page) => page.experiments.length)).toEqual([100, all.length - 100]);
      expect(byDefault.flatMap((page) => page.experiments.map((experiment) => experiment.name))).toEqual(all);
    });

    it('refuses a limit out of range and a cursor it did not give out', async () => {
      for (const query of ['limit=0', 'limit=501', 'limit=007', 'limit=ten', 'cursor=', 'cursor=bm90IGEgY3Vyc29y', 'cursor=not%20base64', 'page=2']) {
        expect(await admin.get(`/v1/experiments?${query}`)).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST' } } });
      }
    });

    it('needs the evaluate scope', async () => {
      expect((await (await clientWith(['storage:read', 'storage:write'])).get('/v1/experiments')).status).toBe(403);
      expect((await jsonClient(await stack.ledger.getUrl()).get('/v1/experiments')).status).toBe(401);
    });
  });

  describe('PUT /v1/experiments/{name} with the spec the latest version holds', () => {
    it('answers 200 with that version and publishes none', async () => {
      const first = await admin.put('/v1/experiments/steady', checkoutButtonSpec());
      expect(first).toMatchObject({ status: 201, body: { version: 1 } });
      const publisher = await clientWith(['experiments:write']);

      const again = await publisher.put('/v1/experiments/steady', checkoutButtonSpec());
      expect(again).toMatchObject({ status: 200, body: first.body });
      // The defaults written out are the same spec.
      const spelledOut = await admin.put('/v1/experiments/steady', checkoutButtonSpec({ salt: 'steady', bucketVersion: 1, minBucketVersion: 0 }));
      expect(spelledOut).toMatchObject({ status: 200, body: first.body });
      expect((await admin.get('/v1/experiments/steady/versions')).body.versions).toHaveLength(1);

      const changed = await admin.put('/v1/experiments/steady', checkoutButtonSpec({ allocationPercent: 10 }));
      expect(changed).toMatchObject({ status: 201, body: { version: 2, diff: { allocationPercent: { from: 100, to: 10 } } } });
      // Equal to an older version is a change from the latest one.
      expect(await admin.put('/v1/experiments/steady', checkoutButtonSpec())).toMatchObject({ status: 201, body: { version: 3 } });
    });

    it('adds one version when the same new spec is sent many times at once', async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => admin.put('/v1/experiments/resent', checkoutButtonSpec())));
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
      expect(new Set(answers.map((answer) => answer.body.version))).toEqual(new Set([1]));
    });
  });

  describe('Prefer: respond-async', () => {
    it('says in Preference-Applied that the answer came before the read model had the write', async () => {
      const accepted = await admin.put('/v1/persisted/async-1:userID/exp_async', stickyValueFor('Control'), { prefer: 'respond-async' });
      expect(accepted).toMatchObject({ status: 202, body: { outcome: 'accepted' } });
      expect(accepted.headers.get('preference-applied')).toBe('respond-async');

      const deleted = await admin.delete('/v1/persisted/async-1:userID/exp_async', { prefer: 'respond-async' });
      expect(deleted).toMatchObject({ status: 202, body: { outcome: 'accepted' } });
      expect(deleted.headers.get('preference-applied')).toBe('respond-async');

      const waited = await admin.put('/v1/persisted/async-2:userID/exp_async', stickyValueFor('Control'));
      expect(waited.status).toBe(201);
      expect(waited.headers.get('preference-applied')).toBeNull();
    });
  });

  describe('while the projector is stopped', () => {
    beforeAll(async () => {
      await stack.projector.close();
      projectorRunning = false;
    });

    it('answers 503 PROJECTION_LAG with Retry-After', async () => {
      const lagging = await admin.put('/v1/persisted/lagging:userID/exp_lag', stickyValueFor('Test'));
      expect(lagging).toMatchObject({ status: 503, body: { error: { code: 'PROJECTION_LAG' } } });
      expect(lagging.headers.get('retry-after')).toBe('1');
      expect((await admin.get('/v1/experiments/steady')).headers.get('retry-after')).toBeNull();
    });
  });
});
