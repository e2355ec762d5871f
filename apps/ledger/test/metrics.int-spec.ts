import { credentials, loadPackageDefinition, Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { createTestEnvironment, eventually, produceEvents, stickyValueFor, type TestEnvironment } from '@ledger/testing';
import { loadLedgerConfig } from '../src/config';
import { createLedgerApp, PERSISTED_VALUES_PROTO, PROTO_ROOT } from '../src/ledger.app';
import { type LedgerStack, startLedgerStack } from './ledger-stack';

const SAVES = 60;
const DELETES = 5;

/** The Prometheus text a scraper gets, with the answer's content type. */
async function scrape(baseUrl: string): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await fetch(`${baseUrl}/metrics`);
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

/** Every sample of a series, as `{labels} value` strings keyed by their label text. */
function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (match) found.set(match[1] ?? '', Number(match[2]));
  }
  return found;
}

describe('GET /metrics on the ledger and the projector', () => {
  let environment: TestEnvironment;
  let stack: LedgerStack;
  let ledgerUrl: string;
  let projectorUrl: string;

  beforeAll(async () => {
    environment = await createTestEnvironment('metrics');
    stack = await startLedgerStack(environment.env, environment.adminKey);
    ledgerUrl = await stack.ledger.getUrl();
    projectorUrl = await stack.projector.getUrl();
  });

  afterAll(async () => {
    await stack?.close();
    await environment?.cleanup();
  });

  it('after a burst of saves, shows request durations by route pattern, appends by type, cache lookups and projection lag per partition', async () => {
    const saves = await Promise.all(Array.from({ length: SAVES }, (_, index) => stack.api.put(`/v1/persisted/metrics-unit-${index}:userID/exp`, stickyValueFor('Control'))));
    expect(saves.map((save) => save.status)).toEqual(Array(SAVES).fill(201));
    for (let index = 0; index < DELETES; index += 1) expect((await stack.api.delete(`/v1/persisted/metrics-unit-${index}:userID/exp`)).status).toBe(200);
    expect((await stack.api.get('/v1/persisted/metrics-unit-9:userID')).status).toBe(200);
    expect((await stack.api.get('/no/such/route/metrics-unit-9:userID')).status).toBe(404);
    expect((await stack.api.put('/v1/persisted/no-id-type/exp', stickyValueFor('Control'))).status).toBe(400);
    await grpcLoad(`127.0.0.1:${environment.env.GRPC_PORT}`, environment.adminKey, 'metrics-unit-9:userID');

    const ledger = await scrape(ledgerUrl);
    expect(ledger.status).toBe(200);
    expect(ledger.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const requests = samples(ledger.text, 'assignment_ledger_request_duration_seconds_count');
    expect(requests.get('{app="ledger",transport="http",route="PUT /v1/persisted/:key/:configName",status="201"}')).toBe(SAVES);
    expect(requests.get('{app="ledger",transport="http",route="PUT /v1/persisted/:key/:configName",status="400"}')).toBe(1);
    expect(requests.get('{app="ledger",transport="http",route="DELETE /v1/persisted/:key/:configName",status="200"}')).toBe(DELETES);
    expect(requests.get('{app="ledger",transport="http",route="GET /v1/persisted/:key",status="200"}')).toBe(1);
    expect(requests.get('{app="ledger",transport="http",route="unmatched",status="404"}')).toBe(1);
    expect(requests.get('{app="ledger",transport="grpc",route="/assignment_ledger.v1.PersistedValues/Load",status="OK"}')).toBe(1);
    expect(samples(ledger.text, 'assignment_ledger_request_duration_seconds_bucket').get('{le="+Inf",app="ledger",transport="http",route="PUT /v1/persisted/:key/:configName",status="201"}')).toBe(
      SAVES,
    );
    // Keys and other caller input never become label values.
    expect(ledger.text).not.toContain('metrics-unit-');
    expect(ledger.text).not.toContain('no-id-type');

    const appended = samples(ledger.text, 'assignment_ledger_events_appended_total');
    expect(appended.get('{type="StickyValueSaved",app="ledger"}')).toBe(SAVES);
    expect(appended.get('{type="StickyValueDeleted",app="ledger"}')).toBe(DELETES);
    expect(samples(ledger.text, 'assignment_ledger_appends_failed_total').get('{reason="broker_unavailable",app="ledger"}')).toBe(0);
    expect([...samples(ledger.text, 'assignment_ledger_cache_lookups_total').keys()]).toEqual(
      expect.arrayContaining(['{cache="sticky_records",result="hit",app="ledger"}', '{cache="published_experiments",result="miss",app="ledger"}']),
    );
    expect(samples(ledger.text, 'assignment_ledger_process_cpu_seconds_total').get('{app="ledger"}')).toBeGreaterThan(0);

    const partitions = ['0', '1', '2'].map((partition) => `{partition="${partition}",app="projector"}`);
    // Every partition the saves reached reports both lags; the answers came once their saves were applied, so
    // nothing is behind once the projector has settled its last batch.
    const projector = await eventually(
      async () => {
        const answer = await scrape(projectorUrl);
        const records = samples(answer.text, 'assignment_ledger_projection_lag_records');
        return partitions.every((partition) => records.get(partition) === 0) ? answer : undefined;
      },
      { what: 'the projection lag at 0 on every partition' },
    );
    expect(projector.status).toBe(200);
    const lagRecords = samples(projector.text, 'assignment_ledger_projection_lag_records');
    const lagSeconds = samples(projector.text, 'assignment_ledger_projection_lag_seconds');
    expect([...lagRecords.keys()].sort()).toEqual(partitions);
    expect([...lagSeconds.keys()].sort()).toEqual(partitions);
    for (const partition of partitions) {
      expect(lagRecords.get(partition)).toBe(0);
      expect(lagSeconds.get(partition)).toBe(0);
    }
    // Committed offsets follow each applied batch; the scrape asks the broker.
    await eventually(
      async () => {
        const groupLag = samples((await scrape(projectorUrl)).text, 'assignment_ledger_consumer_group_lag_records');
        return partitions.every((partition) => groupLag.get(partition) === 0) ? true : undefined;
      },
      { what: 'the consumer group lag at 0 on every partition' },
    );
  });

  it('counts a poison record produced straight to the topic under its kind of reason', async () => {
    const before = samples((await scrape(projectorUrl)).text, 'assignment_ledger_dead_letters_total');
    expect(before.get('{reason="not_json",app="projector"}')).toBe(0);
    await produceEvents(environment.brokers, environment.topic, [{ key: 'metrics-poison:userID', raw: '{not json' }]);
    await eventually(async () => (samples((await scrape(projectorUrl)).text, 'assignment_ledger_dead_letters_total').get('{reason="not_json",app="projector"}') === 1 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the dead letter counted',
    });
    const after = samples((await scrape(projectorUrl)).text, 'assignment_ledger_dead_letters_total');
    expect(after.get('{reason="contract",app="projector"}')).toBe(0);
    expect((await scrape(projectorUrl)).text).not.toContain('metrics-poison');
  });

  it('serves no /metrics, and collects no Node series, with METRICS_ENABLED=false', async () => {
    const ledger = await createLedgerApp(loadLedgerConfig({ ...environment.env, METRICS_ENABLED: 'false', GRPC_PORT: '0' }));
    try {
      const answer = await scrape(await ledger.getUrl());
      expect(answer.status).toBe(404);
      expect(answer.text).not.toContain('assignment_ledger_');
    } finally {
      await ledger.close();
    }
  });
});

function grpcLoad(address: string, apiKey: string, key: string): Promise<void> {
  const definition = loadSync([PERSISTED_VALUES_PROTO], { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: [PROTO_ROOT] });
  const pkg = loadPackageDefinition(definition) as any;
  const client = new pkg.assignment_ledger.v1.PersistedValues(address, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${apiKey}`);
  return new Promise<void>((resolve, reject) => {
    client.Load({ key }, metadata, (error: ServiceError | null) => {
      client.close();
      if (error) reject(error);
      else resolve();
    });
  });
}
