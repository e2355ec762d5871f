import { performance } from 'node:perf_hooks';
import { type Readable } from 'node:stream';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { request } from 'undici';
import { stickyUnitsCopyStatement } from '@ledger/ledger';
import { checkoutButtonSpec, createTestEnvironment, deletedEvent, eventually, jsonClient, killLeftoverServices, produceEvents, savedEvent, spawnService } from '@ledger/testing';
import { type ConstantRateResult, describeRun } from './constant-rate';
import { generateLoad, type LoadCall } from './load-generator';

/** The audit issue's unit: one key whose history in one experiment is this long. */
const UNIT_EVENTS = 1000;
const AUDITED_KEY = 'audited-unit:userID';
const EXPERIMENT = 'checkout_button';
const AUDIT_RATE = 50;
const AUDIT_SECONDS = 20;
const EXPLAIN_RATE = 500;
const EXPLAIN_SECONDS = 10;
const ASSIGNMENTS_RATE = 200;
const ASSIGNMENTS_SECONDS = 10;
const WARM_UP_SECONDS = 2;
/** Far past every goal: a call slower than this has failed it anyway, and the phase ends on time. */
const CALL_TIMEOUT_MS = 2000;
/** The experiment whose sticky units are counted and exported. */
const EXPORTED_EXPERIMENT = 'export_exp';
const STICKY_UNITS = 1_000_000;
const PARTITIONS = 6;

export interface ExportRun {
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  megabytesPerSecond: number;
}

export interface AuditResult {
  unitEvents: number;
  /** How the audited unit's history was made, and how long it took. */
  unitSeeding: { via: 'produced to the topic, applied by the projector'; seconds: number };
  /** `GET /v1/audit/{key}` as `ledger audit` calls it: the first page (100 entries). */
  trail: ConstantRateResult;
  /** The last page (entries 901 to 1,000) by the cursor the page before it gave out. */
  trailLastPage: ConstantRateResult;
  /** `?limit=1000`: the whole trail in one answer. */
  wholeTrail: ConstantRateResult & { bytes: number };
  /** `GET /v1/audit/{key}/{experiment}/explain` of the same unit. */
  explain: ConstantRateResult;
  stickyUnits: number;
  /** The 1,000,000 units are written by SQL straight into the read model (a seeding shortcut, not what is measured). */
  stickyUnitsSeeding: { via: 'SQL into the read model'; seconds: number };
  /** `GET /v1/experiments/{name}/assignments`: the counts, from the counters. */
  assignments: ConstantRateResult;
  /** `?format=ndjson` over HTTP against the same COPY on a bare connection, best of two runs each. */
  exportHttp: ExportRun;
  exportRawCopy: ExportRun;
  exportRatio: number;
}

/**
 * The audit routes, the ledger and the projector in their own processes as in serviceLatency: a unit's trail and
 * its explanation at constant rates (the load generator in a process of its own), an experiment's assignment
 * counts over a million sticky units, and their ndjson export against Postgres' own COPY of the same rows.
 */
export async function auditReads(log: (line: string) => void): Promise<AuditResult> {
  const environment = await createTestEnvironment('bench-audit');
  const env = { ...environment.env, LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '10', LEDGER_TOPIC_PARTITIONS: String(PARTITIONS) };
  const ledger = spawnService('ledger', env);
  const projector = spawnService('projector', env);
  const database = new Client({ connectionString: environment.databaseUrl });
  const headers = { authorization: `Bearer ${environment.adminKey}` };
  try {
    const url = await ledger.ready(60_000);
    await projector.ready(60_000);
    await database.connect();
    const api = jsonClient(url, headers);
    const httpGet = (path: string): LoadCall => ({ transport: 'http', baseUrl: url, headers, method: 'GET', path });

    // The explanation compares the history with the experiment as published now, so there is one.
    const published = await api.put(`/v1/experiments/${EXPERIMENT}`, checkoutButtonSpec({ targeting: [] }));
    if (published.status !== 201) throw new Error(`publishing ${EXPERIMENT} answered ${published.status}`);

    // The unit's history: saves and deletes of one key, alternating so every one takes effect (a save over a
    // held value or a delete of nothing would be a no-op), a minute apart. Through the storage API each waits
    // for its projection, ~125 ms apiece on a busy two-core machine (two minutes for the unit), so the events
    // go to the topic as the ledger would append them and the projector applies them as it applies any.
    const seedingStarted = performance.now();
    const firstAt = Date.now() - UNIT_EVENTS * 60_000;
    const unitEvents = Array.from({ length: UNIT_EVENTS }, (_, index) => {
      const event = index % 2 === 0 ? savedEvent(AUDITED_KEY, EXPERIMENT, index % 4 === 0 ? 'Control' : 'Test') : deletedEvent(AUDITED_KEY, EXPERIMENT);
      return { ...event, metadata: { ...event.metadata, occurredAt: new Date(firstAt + index * 60_000).toISOString() } };
    });
    await produceEvents(environment.brokers, environment.topic, unitEvents);
    await eventually(
      async () => {
        const { rows } = await database.query(
          `SELECT count(*) FILTER (WHERE outcome IN ('saved', 'deleted')) AS effective, count(*) AS n FROM read_model.sticky_value_history WHERE persistence_key = $1`,
          [AUDITED_KEY],
        );
        if (Number(rows[0].n) < UNIT_EVENTS) return undefined;
        if (Number(rows[0].effective) !== UNIT_EVENTS) throw new Error(`only ${rows[0].effective} of the audited unit's ${UNIT_EVENTS} events took effect`);
        return true;
      },
      { timeoutMs: 60_000, what: "the audited unit's events projected" },
    );
    const unitSeedingSeconds = round((performance.now() - seedingStarted) / 1000);
    const whole = await api.get(`/v1/audit/${AUDITED_KEY}?limit=${UNIT_EVENTS}`);
    if (whole.body?.entries?.length !== UNIT_EVENTS) throw new Error(`the audited unit's trail has ${whole.body?.entries?.length} entries, not ${UNIT_EVENTS}`);
    const wholeBytes = JSON.stringify(whole.body).length;
    log(`audited unit: ${UNIT_EVENTS} saves and deletes produced to the topic and projected in ${unitSeedingSeconds} s; its whole trail (limit=${UNIT_EVENTS}) is ${wholeBytes} bytes of JSON`);
    const beforeLastPage = await api.get(`/v1/audit/${AUDITED_KEY}?limit=${UNIT_EVENTS - 100}`);
    const lastPage = await api.get(`/v1/audit/${AUDITED_KEY}?cursor=${beforeLastPage.body?.nextCursor}`);
    if (JSON.stringify(lastPage.body?.entries) !== JSON.stringify(whole.body.entries.slice(-100))) throw new Error("the audited unit's last page is not the whole trail's last 100 entries");

    const auditAtRate = async (what: string, path: string) => {
      const call = httpGet(path);
      const result = await generateLoad({ call, rate: AUDIT_RATE, seconds: AUDIT_SECONDS, warmUp: { seconds: WARM_UP_SECONDS, call }, callTimeoutMs: CALL_TIMEOUT_MS });
      log(describeRun(`audit of a unit with ${UNIT_EVENTS} events, ${what}`, result));
      return result;
    };
    const trail = await auditAtRate('first page', `/v1/audit/${AUDITED_KEY}`);
    const trailLastPage = await auditAtRate('last page by cursor', `/v1/audit/${AUDITED_KEY}?cursor=${beforeLastPage.body.nextCursor}`);
    const wholeTrail = { ...(await auditAtRate('whole trail in one answer', `/v1/audit/${AUDITED_KEY}?limit=${UNIT_EVENTS}`)), bytes: wholeBytes };
    const explainCall = httpGet(`/v1/audit/${AUDITED_KEY}/${EXPERIMENT}/explain`);
    const explain = await generateLoad({ call: explainCall, rate: EXPLAIN_RATE, seconds: EXPLAIN_SECONDS, warmUp: { seconds: WARM_UP_SECONDS, call: explainCall }, callTimeoutMs: CALL_TIMEOUT_MS });
    log(describeRun(`explain of a unit with ${UNIT_EVENTS} events`, explain));

    const stickyUnitsSeedingSeconds = await seedStickyUnits(database);
    log(`seeding shortcut: ${STICKY_UNITS} sticky units and their counters written by SQL into the read model in ${stickyUnitsSeedingSeconds} s (not measured)`);

    const assignmentsCall = httpGet(`/v1/experiments/${EXPORTED_EXPERIMENT}/assignments`);
    const counted = await api.get(`/v1/experiments/${EXPORTED_EXPERIMENT}/assignments`);
    const countedUnits = (counted.body?.groups as Array<{ units: number }> | undefined)?.reduce((sum, group) => sum + group.units, 0);
    if (countedUnits !== STICKY_UNITS) throw new Error(`assignments counted ${countedUnits} units, not ${STICKY_UNITS}`);
    const assignments = await generateLoad({
      call: assignmentsCall,
      rate: ASSIGNMENTS_RATE,
      seconds: ASSIGNMENTS_SECONDS,
      warmUp: { seconds: WARM_UP_SECONDS, call: assignmentsCall },
      callTimeoutMs: CALL_TIMEOUT_MS,
    });
    log(describeRun(`assignments of an experiment with ${STICKY_UNITS} sticky units`, assignments));

    // Alternated, so neither side alone meets a cold cache or the other's leftovers; the better of two each.
    const exportRuns: { http: ExportRun[]; raw: ExportRun[] } = { http: [], raw: [] };
    for (let pass = 0; pass < 2; pass += 1) {
      exportRuns.raw.push(await rawCopyExport(environment.databaseUrl));
      exportRuns.http.push(await httpExport(`${url}/v1/experiments/${EXPORTED_EXPERIMENT}/assignments?format=ndjson`, headers));
    }
    const best = (runs: ExportRun[]) => runs.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
    const exportHttp = best(exportRuns.http);
    const exportRawCopy = best(exportRuns.raw);
    if (exportHttp.rows !== STICKY_UNITS || exportRawCopy.rows !== STICKY_UNITS || exportHttp.bytes !== exportRawCopy.bytes) {
      throw new Error(`the exports differ: HTTP ${exportHttp.rows} rows, ${exportHttp.bytes} bytes; COPY ${exportRawCopy.rows} rows, ${exportRawCopy.bytes} bytes`);
    }
    const describeExport = (run: ExportRun) => `${run.rows} rows, ${(run.bytes / 1e6).toFixed(1)} MB in ${run.seconds} s (${run.rowsPerSecond} rows/s, ${run.megabytesPerSecond} MB/s)`;
    log(`ndjson export over HTTP: ${exportRuns.http.map(describeExport).join('; ')}`);
    log(`raw COPY TO STDOUT: ${exportRuns.raw.map(describeExport).join('; ')}`);

    return {
      unitEvents: UNIT_EVENTS,
      unitSeeding: { via: 'produced to the topic, applied by the projector', seconds: unitSeedingSeconds },
      trail,
      trailLastPage,
      wholeTrail,
      explain,
      stickyUnits: STICKY_UNITS,
      stickyUnitsSeeding: { via: 'SQL into the read model', seconds: stickyUnitsSeedingSeconds },
      assignments,
      exportHttp,
      exportRawCopy,
      exportRatio: Math.round((exportHttp.rowsPerSecond / exportRawCopy.rowsPerSecond) * 100) / 100,
    };
  } finally {
    await database.end().catch(() => undefined);
    ledger.child.kill('SIGTERM');
    projector.child.kill('SIGTERM');
    await Promise.all([ledger.exited(15_000), projector.exited(15_000)]).catch(() => killLeftoverServices());
    await environment.cleanup();
  }
}

/**
 * SEEDING SHORTCUT: a million units through the API would take far longer than the read it is there for, so
 * the rows are written straight into the read model, shaped as the projection writes them (a sticky value as
 * Statsig's server core saves it, half Control and half Test, saved over the last 30 days, spread over the
 * partitions), with the counters the projection keeps beside them, one partition at a time. Then VACUUM
 * ANALYZE, so the table reads as a settled one does (visibility map and hint bits set), not as just written.
 */
async function seedStickyUnits(database: Client): Promise<number> {
  const started = performance.now();
  for (let partition = 0; partition < PARTITIONS; partition += 1) {
    await database.query(
      `INSERT INTO read_model.sticky_values (persistence_key, config_name, sticky_values, saved_event_id, saved_at, log_partition, log_offset)
       SELECT 'export-' || u.i || ':userID', $1,
              jsonb_build_object('value', true, 'json_value', jsonb_build_object('color', CASE g.name WHEN 'Control' THEN 'blue' ELSE 'green' END),
                'rule_id', 'rule-' || g.name, 'group_name', g.name,
                'secondary_exposures', jsonb_build_array(jsonb_build_object('gate', 'checkout_enabled', 'gateValue', 'true', 'ruleID', 'gate-rule-1')),
                'undelegated_secondary_exposures', null, 'config_delegate', null, 'explicit_parameters', null,
                'time', (extract(epoch FROM t.at) * 1000)::bigint, 'config_version', 1),
              gen_random_uuid(), t.at, $2, u.i / $3
         FROM generate_series($2::int, $4::int - 1, $3::int) AS u(i)
        CROSS JOIN LATERAL (SELECT CASE WHEN u.i % 2 = 0 THEN 'Control' ELSE 'Test' END AS name) g
        CROSS JOIN LATERAL (SELECT now() - (u.i % 2592000) * interval '1 second' AS at) t`,
      [EXPORTED_EXPERIMENT, partition, PARTITIONS, STICKY_UNITS],
    );
    await database.query(
      `INSERT INTO read_model.experiment_group_units (config_name, group_name, log_partition, units)
       SELECT config_name, sticky_values->>'group_name', log_partition, count(*) FROM read_model.sticky_values
        WHERE config_name = $1 AND log_partition = $2 GROUP BY 1, 2, 3`,
      [EXPORTED_EXPERIMENT, partition],
    );
    await database.query(
      `INSERT INTO read_model.experiment_daily_activity (config_name, day, log_partition, saves, deletes)
       SELECT config_name, (saved_at AT TIME ZONE 'UTC')::date, log_partition, count(*), 0 FROM read_model.sticky_values
        WHERE config_name = $1 AND log_partition = $2 GROUP BY 1, 2, 3`,
      [EXPORTED_EXPERIMENT, partition],
    );
  }
  await database.query('VACUUM (ANALYZE) read_model.sticky_values');
  return round((performance.now() - started) / 1000);
}

/** Reads a stream to its end, counting bytes and lines (every exported row ends in a newline). */
async function drain(stream: Readable | AsyncIterable<Buffer>, started: number): Promise<ExportRun> {
  let bytes = 0;
  let rows = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) rows += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  return { rows, bytes, seconds: round(seconds), rowsPerSecond: Math.round(rows / seconds), megabytesPerSecond: round(bytes / 1e6 / seconds) };
}

/** The ledger's export, timed from the request to the last byte. */
async function httpExport(url: string, headers: Record<string, string>): Promise<ExportRun> {
  const started = performance.now();
  const { statusCode, body } = await request(url, { headers });
  if (statusCode !== 200) throw new Error(`the ndjson export answered ${statusCode}: ${await body.text()}`);
  return drain(body, started);
}

/** The ceiling: the same COPY statement on a bare connection, timed from connecting to the last byte as the ledger's is. */
async function rawCopyExport(databaseUrl: string): Promise<ExportRun> {
  const started = performance.now();
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await drain(client.query(copyTo(stickyUnitsCopyStatement(EXPORTED_EXPERIMENT))), started);
  } finally {
    await client.end();
  }
}

const round = (value: number): number => Math.round(value * 100) / 100;
