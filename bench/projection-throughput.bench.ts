import { Client } from 'pg';
import { ABSENT, evolve, type StickyState } from '@ledger/assignment';
import { type StickyValueEvent } from '@ledger/events';
import { createTestEnvironment, eventMix, produceEvents } from '@ledger/testing';
import { loadProjectorConfig } from '../apps/projector/src/config';
import { createProjectorApp } from '../apps/projector/src/projector.app';

const EVENTS = 60_000;
const KEYS = 15_000;
const CHUNK = 1000;

export interface ProjectionResult {
  events: number;
  projectorEventsPerSecond: number;
  rawBulkUpsertRowsPerSecond: number;
  ratio: number;
}

export async function projectionThroughput(log: (line: string) => void): Promise<ProjectionResult> {
  const events = eventMix(EVENTS, KEYS, 42);

  // The projector: consume a full topic into an empty read model.
  const projectorEnvironment = await createTestEnvironment('bench-projection');
  const projectorEnv = { ...projectorEnvironment.env, LOG_LEVEL: 'error', LEDGER_TOPIC_PARTITIONS: '6', DATABASE_POOL_SIZE: '10' };
  const bootstrap = await createProjectorApp(loadProjectorConfig({ ...projectorEnv, PROJECTOR_GROUP_ID: `${projectorEnvironment.groupId}-setup` }));
  await bootstrap.close();
  await produceEvents(projectorEnvironment.brokers, projectorEnvironment.topic, events);
  const database = new Client({ connectionString: projectorEnvironment.databaseUrl });
  await database.connect();
  const projector = await createProjectorApp(loadProjectorConfig(projectorEnv));
  const applied = async () =>
    Number((await database.query('SELECT coalesce(sum(next_offset), 0) AS n FROM read_model.projection_positions WHERE consumer_group = $1', [projectorEnvironment.groupId])).rows[0].n);
  // Timed from the first applied batch, so joining the consumer group is not counted.
  let firstAt = 0n;
  let firstCount = 0;
  for (;;) {
    const count = await applied();
    if (count > 0 && firstAt === 0n) {
      firstAt = process.hrtime.bigint();
      firstCount = count;
    }
    if (count >= EVENTS) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const projectorSeconds = Number(process.hrtime.bigint() - firstAt) / 1e9;
  await projector.close();
  await database.end();
  await projectorEnvironment.cleanup();
  const projectorRate = (EVENTS - firstCount) / projectorSeconds;
  log(`projector: ${EVENTS - firstCount} events in ${projectorSeconds.toFixed(2)} s`);

  // The baseline: a plain script upserting the same rows (values and history) in bulk, 1000 events a transaction.
  const rawEnvironment = await createTestEnvironment('bench-raw');
  const schemaOnly = await createProjectorApp(loadProjectorConfig({ ...rawEnvironment.env, LOG_LEVEL: 'error' }));
  await schemaOnly.close();
  const raw = new Client({ connectionString: rawEnvironment.databaseUrl });
  await raw.connect();
  const rawStarted = process.hrtime.bigint();
  const states = new Map<string, StickyState>();
  for (let start = 0; start < events.length; start += CHUNK) await rawUpsert(raw, events.slice(start, start + CHUNK), states);
  const rawSeconds = Number(process.hrtime.bigint() - rawStarted) / 1e9;
  await raw.end();
  await rawEnvironment.cleanup();
  const rawRate = EVENTS / rawSeconds;
  log(`raw bulk upsert: ${EVENTS} events in ${rawSeconds.toFixed(2)} s`);

  return { events: EVENTS, projectorEventsPerSecond: Math.round(projectorRate), rawBulkUpsertRowsPerSecond: Math.round(rawRate), ratio: Math.round((projectorRate / rawRate) * 100) / 100 };
}

async function rawUpsert(client: Client, chunk: StickyValueEvent[], states: Map<string, StickyState>): Promise<void> {
  const touched = new Map<string, { key: string; config: string; state: StickyState; offset: number }>();
  const outcomes: string[] = [];
  chunk.forEach((event, index) => {
    const id = `${event.data.persistenceKey}|${event.data.configName}`;
    const { state, outcome } = evolve(states.get(id) ?? ABSENT, event);
    states.set(id, state);
    touched.set(id, { key: event.data.persistenceKey, config: event.data.configName, state, offset: index });
    outcomes.push(outcome);
  });
  const held = [...touched.values()].filter((row) => row.state.kind === 'held');
  const absent = [...touched.values()].filter((row) => row.state.kind === 'absent');
  await client.query('BEGIN');
  await client.query(
    `INSERT INTO read_model.sticky_values (persistence_key, config_name, sticky_values, saved_event_id, saved_at, log_partition, log_offset)
     SELECT k, c, v, e, t, 0, o FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::uuid[], $5::timestamptz[], $6::bigint[]) AS r(k, c, v, e, t, o)
     ON CONFLICT (persistence_key, config_name) DO UPDATE SET sticky_values = EXCLUDED.sticky_values, saved_event_id = EXCLUDED.saved_event_id, saved_at = EXCLUDED.saved_at`,
    [
      held.map((row) => row.key),
      held.map((row) => row.config),
      held.map((row) => JSON.stringify(row.state.kind === 'held' ? row.state.stickyValues : null)),
      held.map((row) => (row.state.kind === 'held' ? row.state.savedEventId : null)),
      held.map((row) => (row.state.kind === 'held' ? row.state.savedAt : null)),
      held.map((row) => row.offset),
    ],
  );
  await client.query(`DELETE FROM read_model.sticky_values s USING unnest($1::text[], $2::text[]) AS p(k, c) WHERE s.persistence_key = p.k AND s.config_name = p.c`, [
    absent.map((row) => row.key),
    absent.map((row) => row.config),
  ]);
  await client.query(
    `INSERT INTO read_model.sticky_value_history (event_id, log_partition, log_offset, persistence_key, config_name, event_type, event_version, outcome, occurred_at, event)
     SELECT i, 0, o, k, c, t, 1, r, at, e FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::jsonb[]) AS h(i, o, k, c, t, r, at, e)`,
    [
      chunk.map((event) => event.metadata.eventId),
      chunk.map((_, index) => index),
      chunk.map((event) => event.data.persistenceKey),
      chunk.map((event) => event.data.configName),
      chunk.map((event) => event.type),
      outcomes,
      chunk.map((event) => event.metadata.occurredAt),
      chunk.map((event) => JSON.stringify(event)),
    ],
  );
  await client.query('COMMIT');
}
