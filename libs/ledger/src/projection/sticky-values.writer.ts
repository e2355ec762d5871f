import { type DataSource, type EntityManager } from 'typeorm';
import { type StickyState } from '@ledger/assignment';
import { READ_MODEL_SWAP_LOCK_ID } from '@ledger/storage';
import { PROJECTION_PROGRESS_CHANNEL, projectionProgressPayload } from '../notices/notice-channels';
import { heldStateOf, type HeldStateRow, heldStateSelect } from '../read-model/held-state';
import { classifyBatchFailure, refusalReason } from './batch-failure';
import {
  type BatchProjection,
  type DailyActivity,
  decodeRecords,
  type DeadLetter,
  type GroupUnitsDelta,
  type LogRecord,
  pairId,
  projectBatch,
  sumGroupUnits,
  touchedKeys,
  touchedPairs,
} from './sticky-values.projection';

export interface PartitionBatch {
  consumerGroup: string;
  topic: string;
  partition: number;
  records: LogRecord[];
  /** Where the partition's log ended when the batch was fetched. */
  highWatermark: string;
  /** Accept a first record past the stored position (the log before it was truncated, or holds no records). */
  acceptGap: boolean;
}

export type BatchResult =
  | { kind: 'applied'; applied: number; skipped: number; deadLettered: number; nextOffset: string }
  | { kind: 'gap'; expectedOffset: string; firstOffset: string }
  /** The read model has applied records the log does not hold: the topic was deleted or recreated. */
  | { kind: 'log_behind_read_model'; nextOffset: string; highWatermark: string };

/**
 * Writes a batch's read-model rows, history and the partition's next offset in one Postgres transaction.
 * The stored position, locked for the transaction, is what makes the projection exactly once: records
 * below it were applied already and are skipped, whoever replays them (a restart, a rebalance, a second
 * instance that still believed it owned the partition).
 */
export class StickyValuesWriter {
  constructor(
    private readonly dataSource: DataSource,
    /** `read_model` for the live projection; the rebuild schema while a rebuild replays the log. */
    private readonly schema: string,
    /**
     * Live batches take the swap lock shared (so a rebuild can swap tables between two batches) and announce
     * their progress to waiting writers; a rebuild's batches do neither, as nobody reads its tables yet.
     */
    private readonly mode: 'live' | 'rebuild',
  ) {}

  async storedPosition(consumerGroup: string, topic: string, partition: number): Promise<string> {
    const rows: Array<{ next_offset: string }> = await this.dataSource.query(
      `SELECT next_offset FROM ${this.schema}.projection_positions WHERE consumer_group = $1 AND topic = $2 AND log_partition = $3`,
      [consumerGroup, topic, partition],
    );
    return rows[0]?.next_offset ?? '0';
  }

  /** `publishDeadLetters` runs inside the transaction, before commit, so a poison record is never dropped unrecorded. */
  apply(batch: PartitionBatch, publishDeadLetters: (letters: DeadLetter[]) => Promise<void>): Promise<BatchResult> {
    return this.dataSource.transaction(async (manager) => {
      if (this.mode === 'live') await manager.query('SELECT pg_advisory_xact_lock_shared($1)', [READ_MODEL_SWAP_LOCK_ID]);
      const nextOffset = await this.lockPosition(manager, batch);
      // Its new records would take offsets the projection counts as applied, and be skipped unseen.
      if (BigInt(batch.highWatermark) < BigInt(nextOffset)) return { kind: 'log_behind_read_model', nextOffset, highWatermark: batch.highWatermark };
      const fresh = batch.records.filter((record) => BigInt(record.offset) >= BigInt(nextOffset));
      const skipped = batch.records.length - fresh.length;
      const first = fresh[0];
      if (!first) return { kind: 'applied', applied: 0, skipped, deadLettered: 0, nextOffset };
      if (BigInt(first.offset) > BigInt(nextOffset) && !batch.acceptGap) {
        return { kind: 'gap', expectedOffset: nextOffset, firstOffset: first.offset };
      }
      const decoded = decodeRecords(fresh);
      const touched = touchedPairs(decoded);
      const current = await this.loadStates(manager, touched);
      const projection = projectBatch(decoded, current);
      if (projection.deadLetters.length > 0) await publishDeadLetters(projection.deadLetters);
      const erasedUnits = await this.erase(manager, projection.erasedKeys);
      await this.writeRows(manager, batch.partition, projection);
      await this.writeHistory(manager, batch.partition, projection);
      await this.writeCounters(manager, batch.partition, sumGroupUnits([...projection.groupUnits, ...erasedUnits]), projection.dailyActivity);
      const newNext = (BigInt(fresh[fresh.length - 1]!.offset) + 1n).toString();
      await this.storePosition(manager, batch, newNext, touchedKeys(decoded));
      return { kind: 'applied', applied: fresh.length, skipped, deadLettered: projection.deadLetters.length, nextOffset: newNext };
    });
  }

  /**
   * Applies a batch; should Postgres refuse something in it, applies it record by record (see applyOneByOne).
   * Outages and other failures are the caller's to retry.
   */
  async applyBatch(batch: PartitionBatch, publishDeadLetters: (letters: DeadLetter[]) => Promise<void>): Promise<BatchResult> {
    try {
      return await this.apply(batch, publishDeadLetters);
    } catch (error) {
      if (classifyBatchFailure(error) !== 'record') throw error;
      return this.applyOneByOne(batch, publishDeadLetters);
    }
  }

  /**
   * Applies a batch Postgres refused, one record per transaction: a record refused alone (a data exception
   * or a program limit) goes to the dead-letter topic with the reason, its position is passed, and the rest
   * are applied. The same record is refused alone on every replay, so a rebuild decides the same.
   */
  private async applyOneByOne(batch: PartitionBatch, publishDeadLetters: (letters: DeadLetter[]) => Promise<void>): Promise<BatchResult> {
    let applied = 0;
    let skipped = 0;
    let deadLettered = 0;
    let nextOffset = await this.storedPosition(batch.consumerGroup, batch.topic, batch.partition);
    for (const [index, record] of batch.records.entries()) {
      // Records after the first follow one another; only the first may start past the stored position.
      const single = { ...batch, records: [record], acceptGap: index === 0 ? batch.acceptGap : true };
      let result: BatchResult;
      try {
        result = await this.apply(single, publishDeadLetters);
      } catch (error) {
        if (classifyBatchFailure(error) !== 'record') throw error;
        result = await this.passRefused(single, refusalReason(error), publishDeadLetters);
      }
      if (result.kind !== 'applied') return result;
      applied += result.applied;
      skipped += result.skipped;
      deadLettered += result.deadLettered;
      nextOffset = result.nextOffset;
    }
    return { kind: 'applied', applied, skipped, deadLettered, nextOffset };
  }

  /** Dead-letters one record the read model refused and moves the partition's position past it, in one transaction. */
  private passRefused(batch: PartitionBatch, reason: string, publishDeadLetters: (letters: DeadLetter[]) => Promise<void>): Promise<BatchResult> {
    return this.dataSource.transaction(async (manager) => {
      if (this.mode === 'live') await manager.query('SELECT pg_advisory_xact_lock_shared($1)', [READ_MODEL_SWAP_LOCK_ID]);
      const nextOffset = await this.lockPosition(manager, batch);
      const record = batch.records[0]!;
      if (BigInt(record.offset) < BigInt(nextOffset)) return { kind: 'applied', applied: 0, skipped: 1, deadLettered: 0, nextOffset };
      await publishDeadLetters([{ record, reason }]);
      const newNext = (BigInt(record.offset) + 1n).toString();
      await this.storePosition(manager, batch, newNext, []);
      return { kind: 'applied', applied: 0, skipped: 0, deadLettered: 1, nextOffset: newNext };
    });
  }

  /** Stores the partition's next offset and, for the live projection, announces it on commit with the keys it touched. */
  private async storePosition(manager: EntityManager, batch: PartitionBatch, nextOffset: string, touchedKeys: string[]): Promise<void> {
    await manager.query(`UPDATE ${this.schema}.projection_positions SET next_offset = $4, updated_at = now() WHERE consumer_group = $1 AND topic = $2 AND log_partition = $3`, [
      batch.consumerGroup,
      batch.topic,
      batch.partition,
      nextOffset,
    ]);
    // Delivered on commit, never before: a writer waiting for this position then reads committed rows.
    if (this.mode === 'live') {
      const payload = projectionProgressPayload({ consumerGroup: batch.consumerGroup, topic: batch.topic, partition: batch.partition, nextOffset }, touchedKeys);
      await manager.query('SELECT pg_notify($1, $2)', [PROJECTION_PROGRESS_CHANNEL, payload]);
    }
  }

  private async lockPosition(manager: EntityManager, batch: PartitionBatch): Promise<string> {
    await manager.query(
      `INSERT INTO ${this.schema}.projection_positions (consumer_group, topic, log_partition, next_offset) VALUES ($1, $2, $3, 0)
       ON CONFLICT DO NOTHING`,
      [batch.consumerGroup, batch.topic, batch.partition],
    );
    const rows: Array<{ next_offset: string }> = await manager.query(
      `SELECT next_offset FROM ${this.schema}.projection_positions WHERE consumer_group = $1 AND topic = $2 AND log_partition = $3 FOR UPDATE`,
      [batch.consumerGroup, batch.topic, batch.partition],
    );
    return rows[0]!.next_offset;
  }

  private async loadStates(manager: EntityManager, pairs: Array<[string, string]>): Promise<Map<string, StickyState>> {
    const states = new Map<string, StickyState>();
    if (pairs.length === 0) return states;
    const held = heldStateSelect(this.schema);
    const rows: Array<HeldStateRow & { persistence_key: string; config_name: string }> = await manager.query(
      `SELECT s.persistence_key, s.config_name, ${held.columns}
           FROM ${this.schema}.sticky_values s
           JOIN unnest($1::text[], $2::text[]) AS p(persistence_key, config_name) USING (persistence_key, config_name)
           ${held.join}
          FOR UPDATE OF s`,
      [pairs.map(([key]) => key), pairs.map(([, config]) => config)],
    );
    for (const row of rows) states.set(pairId(row.persistence_key, row.config_name), heldStateOf(row));
    return states;
  }

  /** Removes erased units' values and history; answers the sticky units each group loses. */
  private async erase(manager: EntityManager, erasedKeys: string[]): Promise<GroupUnitsDelta[]> {
    if (erasedKeys.length === 0) return [];
    const removed: Array<{ config_name: string; group_name: string; units: number }> = await manager.query(
      `WITH gone AS (DELETE FROM ${this.schema}.sticky_values WHERE persistence_key = ANY($1::text[]) RETURNING config_name, coalesce(sticky_values->>'group_name', '') AS group_name)
       SELECT config_name, group_name, count(*)::int AS units FROM gone GROUP BY config_name, group_name`,
      [erasedKeys],
    );
    await manager.query(`DELETE FROM ${this.schema}.sticky_value_history WHERE persistence_key = ANY($1::text[])`, [erasedKeys]);
    return removed.map((row) => ({ configName: row.config_name, groupName: row.group_name, units: -row.units }));
  }

  /**
   * Keeps the experiments' counters (sticky units per group, effective saves and deletes per day) beside the
   * rows they count, in the same transaction. Each partition keeps its own counter rows, so batches of
   * different partitions never wait on one another's row locks; a reader sums them.
   */
  private async writeCounters(manager: EntityManager, partition: number, groupUnits: GroupUnitsDelta[], dailyActivity: DailyActivity[]): Promise<void> {
    if (groupUnits.length > 0) {
      await manager.query(
        `INSERT INTO ${this.schema}.experiment_group_units (config_name, group_name, log_partition, units)
         SELECT c, g, $4, u FROM unnest($1::text[], $2::text[], $3::bigint[]) AS d(c, g, u)
         ON CONFLICT (config_name, group_name, log_partition) DO UPDATE SET units = experiment_group_units.units + EXCLUDED.units`,
        [groupUnits.map((delta) => delta.configName), groupUnits.map((delta) => delta.groupName), groupUnits.map((delta) => delta.units), partition],
      );
    }
    if (dailyActivity.length > 0) {
      await manager.query(
        `INSERT INTO ${this.schema}.experiment_daily_activity (config_name, day, log_partition, saves, deletes)
         SELECT c, d, $5, s, x FROM unnest($1::text[], $2::date[], $3::bigint[], $4::bigint[]) AS a(c, d, s, x)
         ON CONFLICT (config_name, day, log_partition) DO UPDATE SET
           saves = experiment_daily_activity.saves + EXCLUDED.saves, deletes = experiment_daily_activity.deletes + EXCLUDED.deletes`,
        [
          dailyActivity.map((activity) => activity.configName),
          dailyActivity.map((activity) => activity.day),
          dailyActivity.map((activity) => activity.saves),
          dailyActivity.map((activity) => activity.deletes),
          partition,
        ],
      );
    }
  }

  private async writeRows(manager: EntityManager, partition: number, projection: BatchProjection): Promise<void> {
    const held = projection.changedRows.filter((row) => row.state.kind === 'held');
    const absent = projection.changedRows.filter((row) => row.state.kind === 'absent');
    if (held.length > 0) {
      await manager.query(
        `INSERT INTO ${this.schema}.sticky_values (persistence_key, config_name, sticky_values, saved_event_id, saved_at, log_partition, log_offset)
         SELECT k, c, v, e, t, $6, o FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::uuid[], $5::timestamptz[], $7::bigint[]) AS r(k, c, v, e, t, o)
         ON CONFLICT (persistence_key, config_name) DO UPDATE SET
           sticky_values = EXCLUDED.sticky_values, saved_event_id = EXCLUDED.saved_event_id, saved_at = EXCLUDED.saved_at,
           log_partition = EXCLUDED.log_partition, log_offset = EXCLUDED.log_offset`,
        [
          held.map((row) => row.persistenceKey),
          held.map((row) => row.configName),
          held.map((row) => JSON.stringify(row.state.kind === 'held' ? row.state.stickyValues : null)),
          held.map((row) => (row.state.kind === 'held' ? row.state.savedEventId : null)),
          held.map((row) => (row.state.kind === 'held' ? row.state.savedAt : null)),
          partition,
          held.map((row) => row.savedOffset),
        ],
      );
    }
    if (absent.length > 0) {
      await manager.query(
        `DELETE FROM ${this.schema}.sticky_values s USING unnest($1::text[], $2::text[]) AS p(persistence_key, config_name)
          WHERE s.persistence_key = p.persistence_key AND s.config_name = p.config_name`,
        [absent.map((row) => row.persistenceKey), absent.map((row) => row.configName)],
      );
    }
  }

  private async writeHistory(manager: EntityManager, partition: number, projection: BatchProjection): Promise<void> {
    if (projection.history.length === 0) return;
    const entries = projection.history;
    // An event id seen twice (a retried produce that reached the log twice) is recorded once.
    await manager.query(
      `INSERT INTO ${this.schema}.sticky_value_history
         (event_id, log_partition, log_offset, persistence_key, config_name, event_type, event_version, outcome, occurred_at, event, projected_at)
       SELECT i, $2, o, k, c, t, v, r, at, e, clock_timestamp()
         FROM unnest($1::uuid[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::timestamptz[], $10::jsonb[])
           AS h(i, o, k, c, t, v, r, at, e)
       ON CONFLICT (event_id) DO NOTHING`,
      [
        entries.map((entry) => entry.event.metadata.eventId),
        partition,
        entries.map((entry) => entry.offset),
        entries.map((entry) => entry.event.data.persistenceKey),
        entries.map((entry) => entry.event.data.configName),
        entries.map((entry) => entry.event.type),
        entries.map((entry) => entry.event.version),
        entries.map((entry) => entry.outcome),
        entries.map((entry) => entry.event.metadata.occurredAt),
        entries.map((entry) => JSON.stringify(entry.event)),
      ],
    );
  }
}
