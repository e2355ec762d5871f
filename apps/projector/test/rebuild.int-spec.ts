import { type INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { createTestEnvironment, eventMix, eventually, expectedReadModel, produceEvents, type TestEnvironment } from '@ledger/testing';
import { type LedgerEvent } from '@ledger/events';
import { createKafka } from '@ledger/storage';
import { DataSource } from 'typeorm';
import { ledgerDataSourceOptions } from '@ledger/storage';
import { loadProjectorConfig } from '../src/config';
import { createProjectorApp } from '../src/projector.app';
import { rebuildReadModel } from '@ledger/ledger';

const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

describe('rebuilding the read model from the log', () => {
  let environment: TestEnvironment;
  let projector: INestApplication;
  let database: Client;
  let dataSource: DataSource;

  const rows = async () =>
    new Map(
      (await database.query('SELECT persistence_key, config_name, saved_event_id FROM read_model.sticky_values')).rows.map((row) => [`${row.persistence_key}|${row.config_name}`, row.saved_event_id]),
    );
  const expected = (events: LedgerEvent[]) => new Map([...expectedReadModel(events)].map(([id, state]) => [id, state.kind === 'held' ? state.savedEventId : '']));
  const applied = async () => (await database.query('SELECT coalesce(sum(next_offset), 0)::int AS n FROM read_model.projection_positions')).rows[0].n as number;
  const rebuild = (acceptDifferences: boolean, lines: string[] = []) =>
    rebuildReadModel({
      dataSource,
      kafka: createKafka({ brokers: environment.brokers.split(','), clientId: 'rebuild-test', timeoutMs: 2000 }, quiet),
      topic: environment.topic,
      projectorGroupId: environment.groupId,
      acceptDifferences,
      keepReplaced: false,
      log: (line) => lines.push(line),
    });

  beforeAll(async () => {
    environment = await createTestEnvironment('rebuild');
    projector = await createProjectorApp(loadProjectorConfig(environment.env));
    database = new Client({ connectionString: environment.databaseUrl });
    await database.connect();
    dataSource = await new DataSource(ledgerDataSourceOptions({ url: environment.databaseUrl, poolSize: 4, timeoutMs: 2000, applicationName: 'rebuild-test' })).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.end();
    await projector?.close();
    await environment?.cleanup();
  });

  it('replays the log while the projector keeps working, finds the same read model, and swaps it in', async () => {
    const first = eventMix(8_000, 800, 11);
    await produceEvents(environment.brokers, environment.topic, first);
    await eventually(async () => ((await applied()) === first.length ? true : undefined), { timeoutMs: 60_000, what: 'the live projection' });

    const lines: string[] = [];
    const second = eventMix(4_000, 800, 12);
    const [report] = await Promise.all([rebuild(false, lines), produceEvents(environment.brokers, environment.topic, second)]);
    expect(report).toMatchObject({ matched: true, swapped: true });
    expect(lines.some((line) => /records \(\d+%\)|replayed/.test(line))).toBe(true);

    // The live projector carries on in the swapped-in tables.
    const third = eventMix(2_000, 800, 13);
    await produceEvents(environment.brokers, environment.topic, third);
    const all = [...first, ...second, ...third];
    await eventually(async () => ((await applied()) === all.length ? true : undefined), { timeoutMs: 60_000, what: 'the projection after the swap' });
    expect((await rows()).size).toBeGreaterThan(500);
    expect(await rows()).toEqual(expected(all));
    const history = await database.query('SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM read_model.sticky_value_history');
    expect(history.rows[0]).toEqual({ n: all.length, d: all.length });
  });

  it('notices a live read model that drifted from the log, keeps it unless told otherwise, and repairs it when told', async () => {
    expect((await rows()).size).toBeGreaterThan(500);
    await database.query('DELETE FROM read_model.sticky_values WHERE persistence_key IN (SELECT persistence_key FROM read_model.sticky_values LIMIT 3)');
    const drifted = await rows();

    const refused = await rebuild(false);
    expect(refused).toMatchObject({ matched: false, swapped: false });
    expect(refused.rebuilt.rows).toBeGreaterThan(refused.live.rows);
    expect(await rows()).toEqual(drifted);

    const repaired = await rebuild(true);
    expect(repaired).toMatchObject({ matched: false, swapped: true });
    expect((await rows()).size).toBe(repaired.rebuilt.rows);
  });
});
