import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, type Pool } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { type Readable } from 'node:stream';
import { type DataSource } from 'typeorm';
import { boundedDatabaseCall, connectionPoolOf, READ_MODEL_SCHEMA } from '@ledger/storage';
import { LEDGER_OPTIONS, type LedgerOptions } from '../ledger-options';

export interface ExperimentAssignments {
  experiment: string;
  /** Units sticky now, per group (`null` for values saved without a group). */
  groups: Array<{ group: string | null; units: number }>;
  /** Saves that took effect and deletes of held values, per UTC day, oldest first. */
  days: Array<{ day: string; saves: number; deletes: number }>;
}

/**
 * The COPY that writes an experiment's sticky units as ndjson (`key`, `group`, `since`, `eventId`), one per line.
 * COPY cannot take parameters; the name is quoted as a literal by Postgres' own rules. CSV with a quote and a
 * delimiter that never occur (JSON escapes every control character) passes each line untouched, where text
 * format would double every backslash.
 */
export function stickyUnitsCopyStatement(experiment: string): string {
  const literal = `'${experiment.replace(/'/g, "''")}'`;
  return `COPY (SELECT json_build_object('key', persistence_key, 'group', sticky_values->'group_name', 'since', saved_at, 'eventId', saved_event_id)
                 FROM ${READ_MODEL_SCHEMA}.sticky_values WHERE config_name = ${literal}) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')`;
}

/** An experiment's assignments, from the counters the projection keeps (no scan), and its sticky units as a stream. */
@Injectable()
export class ExperimentAssignmentsReads {
  private readonly pool: Pool;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(LEDGER_OPTIONS) private readonly options: LedgerOptions,
  ) {
    this.pool = connectionPoolOf(dataSource);
  }

  async assignments(experiment: string): Promise<ExperimentAssignments> {
    return boundedDatabaseCall(
      async () => {
        const [groups, days] = await Promise.all([
          this.pool.query<{ group_name: string; units: string }>(
            `SELECT group_name, sum(units) AS units FROM ${READ_MODEL_SCHEMA}.experiment_group_units WHERE config_name = $1 GROUP BY group_name HAVING sum(units) > 0 ORDER BY group_name`,
            [experiment],
          ),
          this.pool.query<{ day: string; saves: string; deletes: string }>(
            `SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(saves) AS saves, sum(deletes) AS deletes FROM ${READ_MODEL_SCHEMA}.experiment_daily_activity WHERE config_name = $1 GROUP BY day ORDER BY day`,
            [experiment],
          ),
        ]);
        return {
          experiment,
          groups: groups.rows.map((row) => ({ group: row.group_name === '' ? null : row.group_name, units: Number(row.units) })),
          days: days.rows.map((row) => ({ day: row.day, saves: Number(row.saves), deletes: Number(row.deletes) })),
        };
      },
      this.options.dependencyTimeoutMs,
      'the read model is unavailable',
    );
  }

  /**
   * Every unit sticky in the experiment now, one JSON object per line (`key`, `group`, `since`, `eventId`),
   * written by Postgres itself through COPY, so the export runs at the database's pace. It has a connection
   * of its own, outside the pool the hot reads share, closed when the stream ends or is destroyed (a client
   * that goes away).
   */
  async stickyUnits(experiment: string): Promise<Readable> {
    const client = new Client({ connectionString: this.options.database.url, connectionTimeoutMillis: this.options.dependencyTimeoutMs });
    try {
      await boundedDatabaseCall(() => client.connect(), this.options.dependencyTimeoutMs, 'the read model is unavailable');
    } catch (error) {
      void client.end().catch(() => undefined);
      throw error;
    }
    const stream = client.query(copyTo(stickyUnitsCopyStatement(experiment)));
    const close = () => void client.end().catch(() => undefined);
    stream.once('end', close);
    stream.once('error', close);
    stream.once('close', close);
    return stream;
  }
}
