import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Pool } from 'pg';
import { type DataSource } from 'typeorm';
import { ABSENT, type ProjectedOutcome, type StickyState } from '@ledger/assignment';
import { type AssignmentRecord, type StickyValues } from '@ledger/events';
import { boundedDatabaseCall, connectionPoolOf, READ_MODEL_SCHEMA } from '@ledger/storage';
import { type LedgerConfig } from '../config';
import { LEDGER_CONFIG } from '../ledger-config.token';

/** Everything saved under one persistence key: config name -> sticky value (Statsig's UserPersistedValues). */
export type UserPersistedValues = Record<string, StickyValues>;

/**
 * A unit's state for one config, with how an evaluation decided it (null when an SDK saved it). History
 * rows projected before version 2 hold version 1's untyped block, which has the same version fields.
 */
export interface StickyRecord {
  state: StickyState;
  assignment: Partial<AssignmentRecord> | null;
}

interface HeldRow {
  persistence_key: string;
  config_name: string;
  sticky_values: StickyValues;
  saved_event_id: string;
  saved_at: Date;
}

/** Reads of the Postgres read model; each is bounded, and an unavailable database is a 503, never a hang. */
@Injectable()
export class StickyValuesRepository {
  private readonly pool: Pool;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {
    this.pool = connectionPoolOf(dataSource);
  }

  async loadMany(persistenceKeys: string[]): Promise<Map<string, UserPersistedValues>> {
    const rows = await this.query<HeldRow>(
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

  async find(persistenceKey: string, configName: string): Promise<StickyState> {
    const [row] = await this.query<HeldRow>(`SELECT sticky_values, saved_event_id, saved_at FROM ${READ_MODEL_SCHEMA}.sticky_values WHERE persistence_key = $1 AND config_name = $2`, [
      persistenceKey,
      configName,
    ]);
    return row ? { kind: 'held', stickyValues: row.sticky_values, savedEventId: row.saved_event_id, savedAt: row.saved_at.toISOString() } : ABSENT;
  }

  /** The held value with what its saving event recorded about the evaluation (experiment and bucket versions). */
  async findWithAssignment(persistenceKey: string, configName: string): Promise<StickyRecord> {
    const [row] = await this.query<HeldRow & { assignment: Partial<AssignmentRecord> | null }>(
      `SELECT s.sticky_values, s.saved_event_id, s.saved_at, COALESCE(h.event->'data'->'assignment', h.event->'data'->'evaluation') AS assignment
         FROM ${READ_MODEL_SCHEMA}.sticky_values s
         LEFT JOIN ${READ_MODEL_SCHEMA}.sticky_value_history h ON h.event_id = s.saved_event_id
        WHERE s.persistence_key = $1 AND s.config_name = $2`,
      [persistenceKey, configName],
      'find-sticky-record-with-assignment',
    );
    if (!row) return { state: ABSENT, assignment: null };
    return {
      state: { kind: 'held', stickyValues: row.sticky_values, savedEventId: row.saved_event_id, savedAt: row.saved_at.toISOString() },
      assignment: row.assignment,
    };
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
    return boundedDatabaseCall(async () => (await this.pool.query({ text: sql, values, name })).rows as T[], this.config.dependencyTimeoutMs, 'the read model is unavailable');
  }
}
