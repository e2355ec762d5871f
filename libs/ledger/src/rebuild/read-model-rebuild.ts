import { type Consumer, type EachBatchPayload, type Kafka } from 'kafkajs';
import { type DataSource } from 'typeorm';
import { READ_MODEL_SCHEMA, READ_MODEL_SWAP_LOCK_ID, READ_MODEL_TABLES, REBUILD_SCHEMA } from '@ledger/storage';
import { READ_MODEL_REPLACED_CHANNEL } from '../notices/notice-channels';
import { StickyValuesWriter } from '../projection/sticky-values.writer';

export interface RebuildOptions {
  dataSource: DataSource;
  kafka: Kafka;
  topic: string;
  /** The live projector's group: the rebuilt positions are written under it, so the live projector carries on from them. */
  projectorGroupId: string;
  /** Swap even when the rebuilt tables differ from the live ones (the log is the truth; the live model drifted). */
  acceptDifferences: boolean;
  keepReplaced: boolean;
  log: (line: string) => void;
  /** Replay progress, instead of the progress lines in the log (for a progress bar). */
  onProgress?: (appliedRecords: number, totalRecords: number) => void;
  /** How long to wait for the live projector to reach the rebuilt positions before giving up. */
  liveCatchUpTimeoutMs?: number;
}

export interface ReadModelSummary {
  rows: number;
  checksum: string;
  historyRows: number;
  /** Checksum of the experiments' counters (sticky units per group, activity per day), summed over partitions. */
  countersChecksum: string;
}

export interface RebuildReport {
  records: number;
  live: ReadModelSummary;
  rebuilt: ReadModelSummary;
  matched: boolean;
  swapped: boolean;
  replacedSchema: string | null;
  seconds: number;
}

type Offsets = Map<number, bigint>;

/**
 * Replays the whole topic into fresh tables (schema `read_model_rebuild`), then, between two live
 * batches (holding the swap lock), brings both to the same log positions, compares row counts and
 * checksums, and swaps the rebuilt schema in by renaming. The live projector carries on from there.
 */
export async function rebuildReadModel(options: RebuildOptions): Promise<RebuildReport> {
  const started = Date.now();
  const { dataSource, kafka, topic, log } = options;
  await prepareRebuildSchema(dataSource);
  const admin = kafka.admin();
  await admin.connect();
  const ends: Offsets = new Map((await admin.fetchTopicOffsets(topic)).map((entry) => [entry.partition, BigInt(entry.high)]));
  const records = [...ends.values()].reduce((sum, end) => sum + end, 0n);
  log(`replaying ${records} records of ${topic} (${ends.size} partitions) into ${REBUILD_SCHEMA}`);

  const replay = new BoundedReplay(kafka, topic, new StickyValuesWriter(dataSource, REBUILD_SCHEMA, 'rebuild'), options.projectorGroupId);
  const reportProgress = options.onProgress ?? ((applied: number) => log(`  ${applied} / ${records} records (${percent(applied, records)})`));
  const progress = setInterval(() => reportProgress(replay.applied(), Number(records)), options.onProgress ? 250 : 1000);
  try {
    await replay.start(ends);
    await replay.reached(ends);
    options.onProgress?.(replay.applied(), Number(records));
    log(`replayed ${replay.applied()} records; bringing the live projection and the rebuild to one position`);
    const result = await swapWhenAligned(options, replay);
    return { ...result, records: Number(records), seconds: (Date.now() - started) / 1000 };
  } finally {
    clearInterval(progress);
    await replay.stop();
    await admin.deleteGroups([replay.groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

async function prepareRebuildSchema(dataSource: DataSource): Promise<void> {
  await dataSource.transaction(async (manager) => {
    await manager.query(`DROP SCHEMA IF EXISTS ${REBUILD_SCHEMA} CASCADE`);
    await manager.query(`CREATE SCHEMA ${REBUILD_SCHEMA}`);
    for (const table of READ_MODEL_TABLES) {
      await manager.query(`CREATE TABLE ${REBUILD_SCHEMA}.${table} (LIKE ${READ_MODEL_SCHEMA}.${table} INCLUDING ALL)`);
    }
  });
}

async function swapWhenAligned(options: RebuildOptions, replay: BoundedReplay): Promise<Omit<RebuildReport, 'records' | 'seconds'>> {
  const { dataSource, log } = options;
  const deadline = Date.now() + (options.liveCatchUpTimeoutMs ?? 120_000);
  for (;;) {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      // Waits for the batch in hand to commit; later live batches wait for us.
      await runner.query('SELECT pg_advisory_xact_lock($1)', [READ_MODEL_SWAP_LOCK_ID]);
      const live = await positions(runner.query.bind(runner), READ_MODEL_SCHEMA, options.projectorGroupId);
      const rebuilt = await positions(runner.query.bind(runner), REBUILD_SCHEMA, options.projectorGroupId);
      const liveBehind = [...rebuilt].some(([partition, offset]) => (live.get(partition) ?? 0n) < offset);
      if (liveBehind) {
        // The live projector lags the rebuild; let it run and try again.
        await runner.rollbackTransaction();
        if (Date.now() > deadline) throw new Error('the live projector did not catch up with the rebuild in time; is it running?');
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      await replay.extendTo(live);
      await replay.reached(live);
      const liveSummary = await summarize(runner.query.bind(runner), READ_MODEL_SCHEMA);
      const rebuiltSummary = await summarize(runner.query.bind(runner), REBUILD_SCHEMA);
      const matched = JSON.stringify(liveSummary) === JSON.stringify(rebuiltSummary);
      log(`live:    ${describe(liveSummary)}`);
      log(`rebuilt: ${describe(rebuiltSummary)}`);
      if (!matched && !options.acceptDifferences) {
        await runner.rollbackTransaction();
        log(`the rebuilt read model differs from the live one; kept the live one (rebuilt tables stay in ${REBUILD_SCHEMA}); pass --accept-differences to swap`);
        return { live: liveSummary, rebuilt: rebuiltSummary, matched, swapped: false, replacedSchema: null };
      }
      const replacedSchema = `${READ_MODEL_SCHEMA}_replaced_${Date.now()}`;
      await runner.query(`ALTER SCHEMA ${READ_MODEL_SCHEMA} RENAME TO ${replacedSchema}`);
      await runner.query(`ALTER SCHEMA ${REBUILD_SCHEMA} RENAME TO ${READ_MODEL_SCHEMA}`);
      if (!options.keepReplaced) await runner.query(`DROP SCHEMA ${replacedSchema} CASCADE`);
      // Delivered on commit: ledgers drop whatever they cached of the replaced read model.
      await runner.query('SELECT pg_notify($1, $2)', [READ_MODEL_REPLACED_CHANNEL, replacedSchema]);
      await runner.commitTransaction();
      log(`swapped the rebuilt read model in${options.keepReplaced ? `; the replaced one is kept as ${replacedSchema}` : ''}`);
      return { live: liveSummary, rebuilt: rebuiltSummary, matched, swapped: true, replacedSchema: options.keepReplaced ? replacedSchema : null };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }
}

type Query = (sql: string, parameters?: unknown[]) => Promise<any>;

async function positions(query: Query, schema: string, consumerGroup: string): Promise<Offsets> {
  const rows: Array<{ log_partition: number; next_offset: string }> = await query(`SELECT log_partition, next_offset FROM ${schema}.projection_positions WHERE consumer_group = $1`, [consumerGroup]);
  return new Map(rows.map((row) => [row.log_partition, BigInt(row.next_offset)]));
}

/** Row count and an order-independent checksum (XOR of each row's 64-bit md5 prefix) of the values and the history. */
async function summarize(query: Query, schema: string): Promise<ReadModelSummary> {
  const [values] = await query(`
    SELECT count(*)::int AS rows,
           coalesce(bit_xor(('x' || left(md5(persistence_key || chr(31) || config_name || chr(31) || saved_event_id::text || chr(31) || sticky_values::text), 16))::bit(64)::bigint), 0)::text AS checksum
      FROM ${schema}.sticky_values`);
  const [history] = await query(`SELECT count(*)::int AS rows FROM ${schema}.sticky_value_history`);
  // Summed over partitions and without zero counts: a rebuild may split the same counts differently.
  const [counters] = await query(`
    SELECT coalesce(bit_xor(('x' || left(md5(line), 16))::bit(64)::bigint), 0)::text AS checksum FROM (
      SELECT 'units' || chr(31) || config_name || chr(31) || group_name || chr(31) || sum(units) AS line FROM ${schema}.experiment_group_units GROUP BY config_name, group_name HAVING sum(units) <> 0
      UNION ALL
      SELECT 'day' || chr(31) || config_name || chr(31) || day || chr(31) || sum(saves) || chr(31) || sum(deletes) FROM ${schema}.experiment_daily_activity GROUP BY config_name, day
    ) AS counted`);
  return { rows: values.rows, checksum: values.checksum, historyRows: history.rows, countersChecksum: counters.checksum };
}

const describe = (summary: ReadModelSummary): string =>
  `${summary.rows} sticky values (checksum ${summary.checksum}), ${summary.historyRows} history rows, counters checksum ${summary.countersChecksum}`;
const percent = (part: number, whole: bigint): string => (whole === 0n ? '100%' : `${Math.floor((part / Number(whole)) * 100)}%`);

/**
 * Consumes the topic into the rebuild tables, never past a per-partition bound, so the rebuild can be
 * stopped at exactly the live projection's position for the comparison.
 */
class BoundedReplay {
  readonly groupId = `assignment-ledger-rebuild-${Date.now()}`;
  private readonly consumer: Consumer;
  private readonly bounds: Offsets = new Map();
  private readonly done: Offsets = new Map();
  private readonly paused = new Set<number>();
  private appliedRecords = 0;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    private readonly writer: StickyValuesWriter,
    private readonly projectorGroupId: string,
  ) {
    this.consumer = kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  }

  applied(): number {
    return this.appliedRecords;
  }

  async start(bounds: Offsets): Promise<void> {
    for (const [partition, bound] of bounds) this.bounds.set(partition, bound);
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({ eachBatchAutoResolve: false, autoCommit: false, eachBatch: (payload) => this.onBatch(payload) });
  }

  async extendTo(bounds: Offsets): Promise<void> {
    for (const [partition, bound] of bounds) {
      if (bound <= (this.bounds.get(partition) ?? 0n)) continue;
      this.bounds.set(partition, bound);
      if (this.paused.delete(partition)) {
        this.consumer.seek({ topic: this.topic, partition, offset: String(this.done.get(partition) ?? 0n) });
        this.consumer.resume([{ topic: this.topic, partitions: [partition] }]);
      }
    }
  }

  /** Resolves once every partition is applied up to `targets`. */
  async reached(targets: Offsets): Promise<void> {
    while ([...targets].some(([partition, target]) => target > 0n && (this.done.get(partition) ?? 0n) < target)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  private async onBatch({ batch, resolveOffset, heartbeat, pause }: EachBatchPayload): Promise<void> {
    const bound = this.bounds.get(batch.partition) ?? 0n;
    const within = batch.messages.filter((message) => BigInt(message.offset) < bound);
    if (within.length > 0) {
      const result = await this.writer.applyBatch(
        {
          consumerGroup: this.projectorGroupId,
          topic: batch.topic,
          partition: batch.partition,
          records: within.map(({ offset, key, value }) => ({ offset, key, value })),
          highWatermark: batch.highWatermark,
          // The log may start past offset 0 (retention); a replay takes it from wherever it starts.
          acceptGap: true,
        },
        // Invalid records were dead-lettered when they were first consumed; a replay does not send them again.
        async () => undefined,
      );
      if (result.kind === 'applied') {
        this.done.set(batch.partition, BigInt(result.nextOffset));
        this.appliedRecords += result.applied;
      }
      resolveOffset(within[within.length - 1]!.offset);
    }
    if (within.length < batch.messages.length || (this.done.get(batch.partition) ?? 0n) >= bound) {
      this.paused.add(batch.partition);
      pause();
    }
    await heartbeat();
  }
}
