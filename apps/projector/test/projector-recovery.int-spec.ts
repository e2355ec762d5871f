import { type INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { createTestEnvironment, eventMix, eventually, expectedReadModel, killLeftoverServices, produceEvents, readTopic, savedEvent, spawnService, type TestEnvironment } from '@ledger/testing';
import { type LedgerEvent } from '@ledger/events';
import { ensureLedgerTopics, ledgerTopics } from '@ledger/storage';
import { Kafka, logLevel } from 'kafkajs';
import { loadProjectorConfig } from '../src/config';
import { createProjectorApp } from '../src/projector.app';

interface Projected {
  rows: Map<string, string>;
  historyEvents: number;
  distinctHistoryEvents: number;
  applied: number;
}

describe('the projector applies the log exactly once', () => {
  let environment: TestEnvironment;
  let database: Client;

  const projected = async (): Promise<Projected> => {
    const rows = await database.query('SELECT persistence_key, config_name, saved_event_id FROM read_model.sticky_values');
    const history = await database.query('SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM read_model.sticky_value_history');
    const positions = await database.query('SELECT coalesce(sum(next_offset), 0)::int AS n FROM read_model.projection_positions');
    return {
      rows: new Map(rows.rows.map((row) => [`${row.persistence_key}|${row.config_name}`, row.saved_event_id])),
      historyEvents: history.rows[0].n,
      distinctHistoryEvents: history.rows[0].d,
      applied: positions.rows[0].n,
    };
  };
  const expectedRows = (events: LedgerEvent[]) => {
    const rows = new Map([...expectedReadModel(events)].map(([id, state]) => [id, state.kind === 'held' ? state.savedEventId : 'absent']));
    // A mix that deleted everything would make the comparison say nothing.
    expect(rows.size).toBeGreaterThan(0);
    return rows;
  };
  const caughtUp = (records: number) =>
    eventually(async () => ((await projected()).applied >= records ? true : undefined), { timeoutMs: 120_000, intervalMs: 100, what: `${records} records applied` });

  beforeEach(async () => {
    environment = await createTestEnvironment('projector-recovery');
    // The topic and schema exist once a service has started against them; the projector creates both.
    const bootstrap = await createProjectorApp(loadProjectorConfig(environment.env));
    await bootstrap.close();
    database = new Client({ connectionString: environment.databaseUrl });
    await database.connect();
  });

  afterEach(async () => {
    await killLeftoverServices();
    await database?.end();
    await environment?.cleanup();
  });

  it('after a SIGKILL in the middle of the work, a restart neither skips nor repeats anything', async () => {
    const events = eventMix(30_000, 2_000);
    await produceEvents(environment.brokers, environment.topic, events);

    const first = spawnService('projector', environment.env);
    await first.ready(30_000);
    await eventually(async () => ((await projected()).applied > events.length / 10 ? true : undefined), { timeoutMs: 60_000, intervalMs: 20, what: 'some progress' });
    first.child.kill('SIGKILL');
    await first.exited(10_000);
    const interrupted = await projected();
    expect(interrupted.applied).toBeLessThan(events.length);

    const second = spawnService('projector', environment.env);
    await second.ready(30_000);
    await caughtUp(events.length);
    second.child.kill('SIGTERM');
    expect(await second.exited(10_000)).toBe(0);

    const final = await projected();
    expect(final.applied).toBe(events.length);
    expect(final.historyEvents).toBe(events.length);
    expect(final.distinctHistoryEvents).toBe(events.length);
    expect(final.rows).toEqual(expectedRows(events));
  });

  it('sends a poison record to the dead-letter topic with the reason and goes on', async () => {
    const before = [savedEvent('p1:userID', 'exp', 'Control')];
    const after = [savedEvent('p1:userID', 'exp2', 'Test'), savedEvent('p2:userID', 'exp', 'Test')];
    await produceEvents(environment.brokers, environment.topic, [
      ...before,
      { key: 'p1:userID', raw: '{"type":"StickyValueSaved","version":1,"data":{}}' },
      { key: 'p1:userID', raw: 'not json' },
      ...after,
    ]);
    const projector = await createProjectorApp(loadProjectorConfig(environment.env));
    try {
      await caughtUp(5);
      const final = await projected();
      expect(final.rows).toEqual(expectedRows([...before, ...after]));
      const letters = await readTopic(environment.brokers, `${environment.topic}.dead-letter`, 2);
      expect(letters.map((letter) => [String(letter.value), String(letter.headers?.['dead-letter-reason'])])).toEqual([
        ['{"type":"StickyValueSaved","version":1,"data":{}}', expect.stringMatching(/^StickyValueSaved.v1 \/metadata: Expected required property/)],
        ['not json', 'record value is not JSON'],
      ]);
      expect(letters.every((letter) => String(letter.headers?.['source-topic']) === environment.topic)).toBe(true);
    } finally {
      await projector.close();
    }
  });

  it('shares partitions between instances in one group; rebalances lose and double nothing', async () => {
    const batches = [eventMix(5_000, 500, 1), eventMix(5_000, 500, 2), eventMix(5_000, 500, 3)];
    const instances: INestApplication[] = [await createProjectorApp(loadProjectorConfig(environment.env))];
    try {
      await produceEvents(environment.brokers, environment.topic, batches[0]!);
      instances.push(await createProjectorApp(loadProjectorConfig(environment.env)));
      await produceEvents(environment.brokers, environment.topic, batches[1]!);
      await instances.shift()!.close();
      await produceEvents(environment.brokers, environment.topic, batches[2]!);
      instances.push(await createProjectorApp(loadProjectorConfig(environment.env)));
      const events = batches.flat();
      await caughtUp(events.length);
      const final = await projected();
      expect(final.historyEvents).toBe(events.length);
      expect(final.distinctHistoryEvents).toBe(events.length);
      expect(final.rows).toEqual(expectedRows(events));
    } finally {
      for (const instance of instances) await instance.close();
    }
  });

  it('halts, and says to rebuild, when the log holds less than the read model applied (the topic was recreated)', async () => {
    const before = Array.from({ length: 30 }, (_, index) => savedEvent(`wiped-${index}:userID`, 'exp', 'Control'));
    const projector = await createProjectorApp(loadProjectorConfig(environment.env));
    try {
      await produceEvents(environment.brokers, environment.topic, before);
      await caughtUp(before.length);
    } finally {
      await projector.close();
    }
    const admin = new Kafka({ brokers: environment.brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [environment.topic] });
      await eventually(async () => ((await admin.listTopics()).includes(environment.topic) ? undefined : true), { what: 'the topic deleted' });
      await ensureLedgerTopics(admin, ledgerTopics(environment.topic), Number(environment.env.LEDGER_TOPIC_PARTITIONS));
    } finally {
      await admin.disconnect();
    }
    // Its partition held several of the first records, so this one takes an offset the projection counts as applied.
    const after = savedEvent('wiped-0:userID', 'exp', 'Test');
    await produceEvents(environment.brokers, environment.topic, [after]);

    const restarted = await createProjectorApp(loadProjectorConfig(environment.env));
    try {
      const url = await restarted.getUrl();
      const readiness = await eventually(
        async () => {
          const response = await fetch(`${url}/health/ready`);
          const body = JSON.stringify(await response.json());
          return response.status === 503 && body.includes('projection') ? body : undefined;
        },
        { what: 'readiness reporting the halted projection' },
      );
      expect(readiness).toMatch(/deleted or recreated.*npm run rebuild/);
      expect((await database.query('SELECT count(*)::int AS n FROM read_model.sticky_value_history WHERE event_id = $1', [after.metadata.eventId])).rows[0].n).toBe(0);
      expect((await projected()).applied).toBe(before.length);
    } finally {
      await restarted.close();
    }
  });
});
