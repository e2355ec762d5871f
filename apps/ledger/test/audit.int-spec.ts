import { type INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ledgerDataSourceOptions } from '@ledger/storage';
import { checkoutButtonSpec, createTestEnvironment, rebuildTestReadModel, jsonClient, type JsonClient, stickyValueFor, type TestEnvironment } from '@ledger/testing';
import { loadProjectorConfig } from '../../projector/src/config';
import { createProjectorApp } from '../../projector/src/projector.app';
import { loadLedgerConfig } from '../src/config';
import { createLedgerApp } from '../src/ledger.app';

// With the salt "checkout_button", test-123 has allocation bucket 8026 and group bucket 6974 (Test).
const kiwi = { userID: 'test-123', country: 'NZ' };

describe('the audit trail: history, explanation, assignments and erasure', () => {
  let environment: TestEnvironment;
  let ledger: INestApplication;
  let projector: INestApplication;
  let dataSource: DataSource;
  let api: JsonClient;
  let baseUrl: string;

  beforeAll(async () => {
    environment = await createTestEnvironment('audit');
    ledger = await createLedgerApp(loadLedgerConfig(environment.env));
    projector = await createProjectorApp(loadProjectorConfig(environment.env));
    baseUrl = await ledger.getUrl();
    api = jsonClient(baseUrl, { authorization: `Bearer ${environment.adminKey}` });
    dataSource = await new DataSource(ledgerDataSourceOptions({ url: environment.databaseUrl, poolSize: 2, timeoutMs: 2000, applicationName: 'audit-test' })).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await projector?.close();
    await ledger?.close();
    await environment?.cleanup();
  });

  const ndjson = async (path: string): Promise<Array<Record<string, unknown>>> => {
    const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${environment.adminKey}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    const text = await response.text();
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  };

  it('explains a unit sticky after the experiment changed, and says what an evaluation now would do', async () => {
    await api.put('/v1/experiments/checkout_button', checkoutButtonSpec());
    const first = await api.post('/v1/experiments/checkout_button/evaluate', { user: kiwi });
    expect(first.body).toMatchObject({ groupName: 'Test', reason: 'Evaluated' });
    // No targeting, so the key alone (the explanation has no user attributes) says all an evaluation needs.
    await api.put('/v1/experiments/checkout_button', checkoutButtonSpec({ allocationPercent: 10, targeting: [] }));

    const explained = await api.get('/v1/audit/test-123:userID/checkout_button/explain');
    expect(explained.status).toBe(200);
    expect(explained.body).toMatchObject({
      sticky: true,
      group: 'Test',
      since: first.body.sticky.savedAt,
      ifEvaluatedNow: { experimentVersion: 2, answer: { reason: 'Persisted', groupName: 'Test' } },
    });
    expect(explained.body.explanation).toMatch(
      /^test-123 is in Test since \d{4}-\d{2}-\d{2} because it was first evaluated under version 1, allocation bucket 8026 below 100\.00 %; evaluated now under version 2 \(allocation 10\.00 %\) it would be NotAllocated, so the persisted value keeps it in Test\.$/,
    );

    // Before the first evaluation it had never been evaluated.
    const before = await api.get(`/v1/audit/test-123:userID/checkout_button/explain?asOf=${encodeURIComponent('2000-01-01T00:00:00Z')}`);
    expect(before.body).toMatchObject({ sticky: false, group: null });
    expect(before.body.explanation).toContain('never');
  });

  it("lists a unit's history oldest first with each event's projected outcome and cause, page by page", async () => {
    const key = 'audited:userID';
    expect((await api.put(`/v1/persisted/${key}/exp_a`, stickyValueFor('Control'), { 'x-request-id': 'req-first-save' })).status).toBe(201);
    expect((await api.put(`/v1/persisted/${key}/exp_a`, stickyValueFor('Test'))).body).toMatchObject({ outcome: 'already_sticky' });
    expect((await api.delete(`/v1/persisted/${key}/exp_a?reason=explicit`)).body).toMatchObject({ outcome: 'deleted' });
    expect((await api.put(`/v1/persisted/${key}/exp_b`, stickyValueFor('Test'))).status).toBe(201);

    const trail = await api.get(`/v1/audit/${key}`);
    expect(trail.status).toBe(200);
    expect(trail.body.entries.map((entry: any) => [entry.type, entry.experiment, entry.outcome])).toEqual([
      ['StickyValueSaved', 'exp_a', 'saved'],
      ['StickyValueDeleted', 'exp_a', 'deleted'],
      ['StickyValueSaved', 'exp_b', 'saved'],
    ]);
    expect(trail.body.entries[0]).toMatchObject({ evaluated: false, groupName: 'Control', cause: { source: 'storage_api', requestId: 'req-first-save' } });
    expect(trail.body.nextCursor).toBeNull();

    const onlyA = await api.get(`/v1/audit/${key}?experiment=exp_a`);
    expect(onlyA.body.entries).toHaveLength(2);

    // Page by page, each entry as the whole trail shows it: the delete on the second page names the save on the first it removed.
    const pageByPage = async (filter: string) => {
      const entries: unknown[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await api.get(`/v1/audit/${key}?limit=1${filter}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.body.entries).toHaveLength(1);
        entries.push(page.body.entries[0]);
        cursor = page.body.nextCursor;
      } while (cursor);
      return entries;
    };
    expect(await pageByPage('')).toEqual(trail.body.entries);
    expect(await pageByPage('&experiment=exp_a')).toEqual(onlyA.body.entries);
    expect(trail.body.entries[1]).toMatchObject({ outcome: 'deleted', removed: { eventId: trail.body.entries[0].eventId, groupName: 'Control' } });

    // A cursor names an entry of the trail it came from: not of another experiment's.
    const firstOfA: any = await api.get(`/v1/audit/${key}?limit=1&experiment=exp_a`);
    expect((await api.get(`/v1/audit/${key}?experiment=exp_b&cursor=${firstOfA.body.nextCursor}`)).body).toMatchObject({ error: { code: 'INVALID_REQUEST' } });
    expect((await api.get(`/v1/audit/${key}?cursor=bm90LWEtY3Vyc29y`)).body).toMatchObject({ error: { code: 'INVALID_REQUEST' } });
    expect((await api.get(`/v1/audit/${key}?limit=0`)).status).toBe(400);
  });

  it('explains from the current episode: a value saved again after a delete is sticky since the second save', async () => {
    const key = 'episodes:userID';
    const first = await api.put(`/v1/persisted/${key}/episode_exp`, stickyValueFor('Control'));
    expect((await api.delete(`/v1/persisted/${key}/episode_exp`)).body).toMatchObject({ outcome: 'deleted' });
    const betweenEpisodes = new Date().toISOString();
    const second = await api.put(`/v1/persisted/${key}/episode_exp`, stickyValueFor('Test'));
    expect([first.status, second.status]).toEqual([201, 201]);

    const now = await api.get(`/v1/audit/${key}/episode_exp/explain`);
    expect(now.body).toMatchObject({ sticky: true, group: 'Test' });
    expect(now.body.explanation).toContain('an SDK saved that value directly');
    const then = await api.get(`/v1/audit/${key}/episode_exp/explain?asOf=${encodeURIComponent(betweenEpisodes)}`);
    expect(then.body).toMatchObject({ sticky: false, group: null });
    expect(then.body.explanation).toMatch(/was in Control from .* until .*, when its value was deleted because a storage API delete asked for it/);
  });

  it("counts an experiment's sticky units per group and its saves and deletes per day, and exports the units", async () => {
    for (const group of ['Control', 'Control', 'Test']) {
      expect((await api.put(`/v1/persisted/counted-${Math.random().toString(36).slice(2)}:userID/counted_exp`, stickyValueFor(group))).status).toBe(201);
    }
    expect((await api.put('/v1/persisted/counted-gone:userID/counted_exp', stickyValueFor('Test'))).status).toBe(201);
    expect((await api.delete('/v1/persisted/counted-gone:userID/counted_exp')).body).toMatchObject({ outcome: 'deleted' });

    const counts = await api.get('/v1/experiments/counted_exp/assignments');
    expect(counts.status).toBe(200);
    expect(counts.body).toEqual({
      experiment: 'counted_exp',
      groups: [
        { group: 'Control', units: 2 },
        { group: 'Test', units: 1 },
      ],
      days: [{ day: new Date().toISOString().slice(0, 10), saves: 4, deletes: 1 }],
    });
    const units = await ndjson('/v1/experiments/counted_exp/assignments?format=ndjson');
    expect(units.map((unit) => unit.group).sort()).toEqual(['Control', 'Control', 'Test']);
    expect(units[0]).toEqual({ key: expect.stringMatching(/^counted-.*:userID$/), group: expect.any(String), since: expect.any(String), eventId: expect.any(String) });
  });

  it('erases a unit from every view, keeps it erased through a rebuild, and starts a new history for a later save', async () => {
    const key = 'erased-unit:userID';
    expect((await api.put(`/v1/persisted/${key}/erase_exp`, stickyValueFor('Control'))).status).toBe(201);
    expect((await api.put(`/v1/persisted/${key}/erase_exp_b`, stickyValueFor('Test'))).status).toBe(201);
    expect((await api.get('/v1/experiments/erase_exp/assignments')).body.groups).toEqual([{ group: 'Control', units: 1 }]);

    const erased = await api.delete(`/v1/units/${key}`);
    expect(erased).toMatchObject({ status: 200, body: { key, outcome: 'erased', eventId: expect.any(String) } });

    const absentEverywhere = async () => {
      expect((await api.get(`/v1/persisted/${key}`)).body.values).toEqual({});
      expect((await api.get(`/v1/audit/${key}`)).body.entries).toEqual([]);
      expect((await api.get(`/v1/audit/${key}/erase_exp/explain`)).body).toMatchObject({ sticky: false });
      expect((await api.get('/v1/experiments/erase_exp/assignments')).body.groups).toEqual([]);
      expect(await ndjson('/v1/experiments/erase_exp/assignments?format=ndjson')).toEqual([]);
    };
    await absentEverywhere();

    const report = await rebuildTestReadModel(environment, dataSource);
    expect(report).toMatchObject({ matched: true, swapped: true });
    await absentEverywhere();

    expect((await api.put(`/v1/persisted/${key}/erase_exp`, stickyValueFor('Test'))).status).toBe(201);
    expect((await api.get(`/v1/audit/${key}`)).body.entries.map((entry: any) => [entry.experiment, entry.groupName, entry.outcome])).toEqual([['erase_exp', 'Test', 'saved']]);
  });

  it('answers only keys with the audit scope, and erases only for an admin', async () => {
    const created = await api.post('/v1/api-keys', { name: 'reader', scopes: ['storage:read'] });
    const reader = jsonClient(baseUrl, { authorization: `Bearer ${created.body.key}` });
    expect((await reader.get('/v1/audit/test-123:userID')).status).toBe(403);
    expect((await reader.get('/v1/experiments/checkout_button/assignments')).status).toBe(403);
    expect((await reader.delete('/v1/units/test-123:userID')).status).toBe(403);
    expect((await api.get('/v1/audit/not-a-key')).body).toMatchObject({ error: { code: 'INVALID_PERSISTENCE_KEY' } });
  });
});
