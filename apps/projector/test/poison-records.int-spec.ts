import { type INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { type LedgerEvent } from '@ledger/events';
import { KeyPartitioner, ledgerDataSourceOptions } from '@ledger/storage';
import { createTestEnvironment, eventMix, rebuildTestReadModel, eventually, expectedReadModel, produceEvents, readTopic, savedEvent, stickyValueFor, type TestEnvironment } from '@ledger/testing';
import { loadProjectorConfig } from '../src/config';
import { createProjectorApp } from '../src/projector.app';

/** A version 1 save as an older producer could have written it, with U+0000 in its rule id: valid v1, beyond v2. */
const v1WithNul = (key: string) =>
  JSON.stringify({
    type: 'StickyValueSaved',
    version: 1,
    data: { persistenceKey: key, configName: 'exp_a', stickyValues: { ...stickyValueFor('Control'), rule_id: 'a\u0000b' } },
    metadata: { eventId: '0c5b2f4e-5f2a-4c47-9a55-6f1d2e3c4b5a', occurredAt: '2026-11-25T10:00:00.000Z', caller: { apiKeyId: null }, correlationId: 'old', source: 'storage_api' },
  });
/** A version 2 save whose json_value holds a lone surrogate key (JSON.stringify writes it as an escape). */
const v2WithLoneSurrogate = (key: string) => {
  const event = savedEvent(key, 'exp_b', 'Test');
  return JSON.stringify({ ...event, data: { ...event.data, stickyValues: { ...stickyValueFor('Test'), json_value: { '\udc00': true } } } });
};

describe('records the read model cannot take never stop the projection', () => {
  let environment: TestEnvironment;
  let projector: INestApplication;
  let database: Client;
  let dataSource: DataSource;
  let admin: ReturnType<Kafka['admin']>;

  const rows = async () =>
    new Map(
      (await database.query('SELECT persistence_key, config_name, saved_event_id FROM read_model.sticky_values')).rows.map((row) => [`${row.persistence_key}|${row.config_name}`, row.saved_event_id]),
    );
  const expected = (events: LedgerEvent[]) => new Map([...expectedReadModel(events)].map(([id, state]) => [id, state.kind === 'held' ? state.savedEventId : '']));
  const projectedToLogEnd = async () => {
    const ends = await admin.fetchTopicOffsets(environment.topic);
    const stored = new Map((await database.query('SELECT log_partition, next_offset FROM read_model.projection_positions')).rows.map((row) => [Number(row.log_partition), String(row.next_offset)]));
    return ends.every((end) => (stored.get(end.partition) ?? '0') === end.high) ? true : undefined;
  };
  const ready = async () => (await fetch(`${await projector.getUrl()}/health/ready`)).status;

  beforeAll(async () => {
    environment = await createTestEnvironment('poison-records');
    projector = await createProjectorApp(loadProjectorConfig(environment.env));
    database = new Client({ connectionString: environment.databaseUrl });
    await database.connect();
    dataSource = await new DataSource(ledgerDataSourceOptions({ url: environment.databaseUrl, poolSize: 4, timeoutMs: 2000, applicationName: 'poison-test' })).initialize();
    admin = new Kafka({ brokers: environment.brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    await dataSource?.destroy();
    await database?.end();
    await projector?.close();
    await environment?.cleanup();
  });

  it('dead-letters records beyond the contract, applies those before and after them on every partition, and a rebuild agrees', async () => {
    const before = eventMix(600, 90, 21);
    const after = eventMix(600, 90, 22);
    // Poison on the keys the valid events use, so every partition sees some between its valid records.
    const poison = ['unit-1:userID', 'unit-2:userID', 'unit-3:userID', 'unit-4:userID'].flatMap((key) => [
      { key, raw: v1WithNul(key) },
      { key, raw: '{not json' },
      { key, raw: v2WithLoneSurrogate(key) },
    ]);
    await produceEvents(environment.brokers, environment.topic, [...before, ...poison, ...after]);

    await eventually(projectedToLogEnd, { timeoutMs: 60_000, what: 'every partition projected to its log end' });
    expect(await rows()).toEqual(expected([...before, ...after]));
    expect(new Set((await admin.fetchTopicOffsets(environment.topic)).filter((end) => end.high !== '0').map((end) => end.partition)).size).toBe(3);
    const letters = await readTopic(environment.brokers, `${environment.topic}.dead-letter`, poison.length);
    const reasons = letters.map((letter) => String(letter.headers?.['dead-letter-reason']));
    expect(reasons.filter((reason) => /StickyValueSaved\.v1 is beyond what version 2 carries.*rule_id/.test(reason))).toHaveLength(4);
    expect(reasons.filter((reason) => reason === 'record value is not JSON')).toHaveLength(4);
    expect(reasons.filter((reason) => /StickyValueSaved\.v2 \/data\/stickyValues\/json_value/.test(reason))).toHaveLength(4);
    expect(await ready()).toBe(200);

    const report = await rebuildTestReadModel(environment, dataSource);
    expect(report).toMatchObject({ matched: true, swapped: true });
    expect(await rows()).toEqual(expected([...before, ...after]));
  });

  it('dead-letters a record Postgres itself refuses, alone, and applies the rest of its batch', async () => {
    // Stands for any data exception (SQLSTATE class 22) the contract did not foresee: Postgres refuses this one key.
    await database.query(`
      CREATE FUNCTION read_model.refuse_one_key() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.persistence_key = 'refused-by-postgres:userID' THEN RAISE EXCEPTION 'refused for the test' USING ERRCODE = '22023'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_one_key BEFORE INSERT ON read_model.sticky_value_history FOR EACH ROW EXECUTE FUNCTION read_model.refuse_one_key();`);
    const neighbours = ['n-1', 'n-2', 'n-3', 'n-4'].map((unit) => savedEvent(`${unit}:userID`, 'exp_c', 'Control'));
    const refused = savedEvent('refused-by-postgres:userID', 'exp_c', 'Test');
    const held = await rows();
    // One produce request: the refused record and its neighbours share a batch where they share a partition.
    await produceEvents(environment.brokers, environment.topic, [neighbours[0]!, neighbours[1]!, refused, neighbours[2]!, neighbours[3]!]);

    await eventually(projectedToLogEnd, { timeoutMs: 60_000, what: 'the projection past the refused record' });
    const now = await rows();
    for (const neighbour of neighbours) expect(now.get(`${neighbour.data.persistenceKey}|exp_c`)).toBe(neighbour.metadata.eventId);
    expect(now.has('refused-by-postgres:userID|exp_c')).toBe(false);
    expect(now.size).toBe(held.size + neighbours.length);
    const letters = await readTopic(environment.brokers, `${environment.topic}.dead-letter`, 13);
    const letter = letters.find((candidate) => String(candidate.key) === 'refused-by-postgres:userID');
    expect(String(letter?.headers?.['dead-letter-reason'])).toBe('the read model refused the record (SQLSTATE 22023): refused for the test');
    expect(await ready()).toBe(200);
  });

  it('pauses a partition that keeps failing while the others go on, says so in readiness, and resumes by itself', async () => {
    const partitioner = await KeyPartitioner.forTopic(admin, environment.topic);
    const blocked = 'blocked-unit:userID';
    const blockedPartition = partitioner.partitionOf(blocked);
    const elsewhere = Array.from({ length: 40 }, (_, index) => `free-${index}:userID`).filter((key) => partitioner.partitionOf(key) !== blockedPartition);
    // Not a data exception (class 22) but an error of no known kind (P0001): retried, then stepped aside.
    await database.query(`
      CREATE FUNCTION read_model.fail_one_key() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.persistence_key = 'blocked-unit:userID' THEN RAISE EXCEPTION 'failing for the test'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fail_one_key BEFORE INSERT ON read_model.sticky_value_history FOR EACH ROW EXECUTE FUNCTION read_model.fail_one_key();`);
    const stuck = savedEvent(blocked, 'exp_d', 'Control');
    const free = elsewhere.map((key) => savedEvent(key, 'exp_d', 'Test'));
    await produceEvents(environment.brokers, environment.topic, [stuck, ...free]);

    const readiness = async () => {
      const response = await fetch(`${await projector.getUrl()}/health/ready`);
      return { status: response.status, body: JSON.stringify(await response.json()) };
    };
    await eventually(async () => ((await readiness()).body.includes(`partition ${blockedPartition} is paused after failing`) ? true : undefined), {
      timeoutMs: 30_000,
      what: 'readiness naming the paused partition',
    });
    expect((await readiness()).status).toBe(503);
    const now = await rows();
    for (const event of free) expect(now.get(`${event.data.persistenceKey}|exp_d`)).toBe(event.metadata.eventId);
    expect(now.has(`${blocked}|exp_d`)).toBe(false);

    await database.query('DROP TRIGGER fail_one_key ON read_model.sticky_value_history');
    await eventually(async () => ((await rows()).get(`${blocked}|exp_d`) === stuck.metadata.eventId ? true : undefined), { timeoutMs: 30_000, what: 'the paused partition resuming' });
    await eventually(async () => ((await readiness()).status === 200 ? true : undefined), { timeoutMs: 10_000, what: 'readiness once the partition caught up' });
  });
});
