import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Pool } from 'pg';
import { type DataSource } from 'typeorm';
import { ABSENT, type ProjectedOutcome, type StickyState } from '@ledger/assignment';
import { currentEventOf, type StickyValueEvent, type StickyValues } from '@ledger/events';
import { boundedDatabaseCall, connectionPoolOf, READ_MODEL_SCHEMA } from '@ledger/storage';
import { LEDGER_OPTIONS, type LedgerOptions } from '../ledger-options';
import { type HistoryEntry } from '../projection/sticky-values.projection';
import { heldStateOf, type HeldStateRow, heldStateSelect } from './held-state';

/** Everything saved under one persistence key: config name -> sticky value (Statsig's UserPersistedValues). */
export type UserPersistedValues = Record<string, StickyValues>;

const held = heldStateSelect(READ_MODEL_SCHEMA);

/** Reads of the Postgres read model; each is bounded, and an unavailable database is a 503, never a hang. */
@Injectable()
export class StickyValuesReads {
  private readonly pool: Pool;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(LEDGER_OPTIONS) private readonly options: LedgerOptions,
  ) {
    this.pool = connectionPoolOf(dataSource);
  }

  async loadMany(persistenceKeys: string[]): Promise<Map<string, UserPersistedValues>> {
    const rows = await this.query<{ persistence_key: string; config_name: string; sticky_values: StickyValues }>(
      `SELECT persistence_key, config_name, sticky_values FROM ${READ_MODEL_SCHEMA}.sticky_values WHERE persistence_key = ANY($1::text[])`,
      [persistenceKeys],
      'load-sticky-values',
    );
    const result = new Map<string, UserPersistedValues>(persistenceKeys.map((key) => [key, {}]));
    for (const row of rows) result.get(row.persistence_key)![row.config_name] = row.sticky_values;
    return result;
  }

  /**
   * The values held at `asOf`, replayed from the history: per config, the last save or delete that
   * changed the read model at or before that time, in log order.
   */
  async loadAsOf(persistenceKey: string, asOf: Date): Promise<UserPersistedValues> {
    const rows = await this.query<{ config_name: string; outcome: ProjectedOutcome; event: { data: { stickyValues?: StickyValues } } }>(
      `SELECT DISTINCT ON (config_name) config_name, outcome, event
         FROM ${READ_MODEL_SCHEMA}.sticky_value_history
        WHERE persistence_key = $1 AND occurred_at <= $2 AND outcome IN ('saved', 'deleted')
        ORDER BY config_name, log_partition DESC, log_offset DESC`,
      [persistenceKey, asOf.toISOString()],
    );
    const values: UserPersistedValues = {};
    for (const row of rows) if (row.outcome === 'saved' && row.event.data.stickyValues) values[row.config_name] = row.event.data.stickyValues;
    return values;
  }

  /** The unit's state for a config, with why its value was saved. */
  async find(persistenceKey: string, configName: string): Promise<StickyState> {
    const [row] = await this.query<HeldStateRow>(
      `SELECT ${held.columns} FROM ${READ_MODEL_SCHEMA}.sticky_values s ${held.join} WHERE s.persistence_key = $1 AND s.config_name = $2`,
      [persistenceKey, configName],
      'find-sticky-state',
    );
    return row ? heldStateOf(row) : ABSENT;
  }

  /**
   * A page of a unit's history for its audit trail, oldest first, every event upcast to the current version:
   * the first `limit` events after the one named (from the start when none is), one config's when named, and
   * per config the save holding its value where the page begins (what auditTrailPage needs, and all of the
   * past it needs). Undefined when the named event is not in this history (erased since, or never in it).
   */
  async historyPage(persistenceKey: string, options: { configName?: string; afterEventId?: string; limit: number }): Promise<HistoryPage | undefined> {
    const configName = options.configName ?? null;
    let after = '-1';
    if (options.afterEventId !== undefined) {
      const [named] = await this.query<{ log_offset: string }>(
        `SELECT log_offset FROM ${READ_MODEL_SCHEMA}.sticky_value_history WHERE event_id = $1 AND persistence_key = $2 AND ($3::text IS NULL OR config_name = $3)`,
        [options.afterEventId, persistenceKey, configName],
        'sticky-value-history-cursor',
      );
      if (!named) return undefined;
      after = String(named.log_offset);
    }
    // One key's events all lie on one partition, so its offsets are its log order.
    const [heldBefore, page] = await Promise.all([
      after === '-1'
        ? Promise.resolve([])
        : this.query<HistoryRow>(
            `SELECT h.event, h.outcome, h.log_offset FROM ${READ_MODEL_SCHEMA}.sticky_value_history h
               JOIN (SELECT DISTINCT ON (config_name) event_id, outcome FROM ${READ_MODEL_SCHEMA}.sticky_value_history
                      WHERE persistence_key = $1 AND ($2::text IS NULL OR config_name = $2) AND log_offset <= $3 AND outcome IN ('saved', 'deleted')
                      ORDER BY config_name, log_offset DESC) last_effective ON last_effective.event_id = h.event_id
              WHERE last_effective.outcome = 'saved'
              ORDER BY h.log_offset`,
            [persistenceKey, configName, after],
            'sticky-value-history-held-before',
          ),
      this.query<HistoryRow>(
        `SELECT event, outcome, log_offset FROM ${READ_MODEL_SCHEMA}.sticky_value_history
          WHERE persistence_key = $1 AND ($2::text IS NULL OR config_name = $2) AND log_offset > $3
          ORDER BY log_offset LIMIT $4`,
        [persistenceKey, configName, after, options.limit],
        'sticky-value-history-page',
      ),
    ]);
    return { heldBefore: historyEntries(heldBefore), page: historyEntries(page) };
  }

  /**
   * A unit's history for one config up to `asOf`, from its last save that took effect by then (all of it when
   * none did): everything the state at that moment, and its explanation, depend on. A unit's long past of
   * earlier values and deletes is not read.
   */
  async currentEpisode(persistenceKey: string, configName: string, asOf: string): Promise<HistoryEntry[]> {
    const rows = await this.query<HistoryRow>(
      `SELECT event, outcome, log_offset FROM ${READ_MODEL_SCHEMA}.sticky_value_history
        WHERE persistence_key = $1 AND config_name = $2 AND occurred_at <= $3
          AND log_offset >= coalesce(
            (SELECT max(log_offset) FROM ${READ_MODEL_SCHEMA}.sticky_value_history
              WHERE persistence_key = $1 AND config_name = $2 AND occurred_at <= $3 AND outcome = 'saved'), 0)
        ORDER BY log_offset`,
      [persistenceKey, configName, asOf],
      'sticky-value-current-episode',
    );
    return historyEntries(rows);
  }

  /** What the projection did with an event, once applied. */
  async outcomeOf(eventId: string): Promise<ProjectedOutcome | undefined> {
    const [row] = await this.query<{ outcome: ProjectedOutcome }>(`SELECT outcome FROM ${READ_MODEL_SCHEMA}.sticky_value_history WHERE event_id = $1`, [eventId]);
    return row?.outcome;
  }

  /**
   * A `name` makes a hot read a prepared statement: each connection parses and plans it once. A rebuild's
   * schema rename invalidates it and Postgres analyses it again, so it reads the swapped-in tables (tested).
   */
  private query<T>(sql: string, values: unknown[], name?: string): Promise<T[]> {
    return boundedDatabaseCall(async () => (await this.pool.query({ text: sql, values, name })).rows as T[], this.options.dependencyTimeoutMs, 'the read model is unavailable');
  }
}

export interface HistoryPage {
  /** Per config, the save holding its value where the page begins; none for a config that held none. */
  heldBefore: HistoryEntry[];
  page: HistoryEntry[];
}

interface HistoryRow {
  event: unknown;
  outcome: ProjectedOutcome;
  log_offset: string;
}

// The history holds saves and deletes only (an erasure removes the entries instead), each validated when it
// was projected: a current version is taken as stored, an older one is upcast.
const historyEntries = (rows: HistoryRow[]): HistoryEntry[] => rows.map((row) => ({ event: storedEvent(row.event), outcome: row.outcome, offset: String(row.log_offset) }));

const storedEvent = (event: unknown): StickyValueEvent => ((event as { version?: unknown }).version === 2 ? (event as StickyValueEvent) : (currentEventOf(event) as StickyValueEvent));
