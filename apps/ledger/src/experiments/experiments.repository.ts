import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { type ExperimentDiff, type ExperimentSpec, type PublishDecision } from '@ledger/assignment';
import { EXPERIMENT_PUBLISHED_CHANNEL } from '@ledger/ledger';
import { boundedDatabaseCall } from '@ledger/storage';
import { type LedgerConfig } from '../config';
import { LEDGER_CONFIG } from '../ledger-config.token';

export interface PublishedExperiment {
  name: string;
  version: number;
  spec: ExperimentSpec;
  publishedBy: string;
  publishedAt: string;
  diff: ExperimentDiff;
}

/** One line of the experiment list: an experiment as its latest version has it. */
export interface ExperimentSummary {
  name: string;
  version: number;
  status: ExperimentSpec['status'];
  publishedAt: string;
}

export interface PublishResult {
  outcome: 'published' | 'unchanged';
  /** The version added, or the latest one when nothing was. */
  experiment: PublishedExperiment;
}

interface Row {
  name: string;
  version: number;
  spec: ExperimentSpec;
  published_by: string;
  published_at: Date;
  diff: ExperimentDiff;
}

const toPublished = (row: Row): PublishedExperiment => ({
  name: row.name,
  version: row.version,
  spec: row.spec,
  publishedBy: row.published_by,
  publishedAt: row.published_at.toISOString(),
  diff: row.diff,
});

/** Immutable experiment versions: a publish adds version n+1, nothing is ever updated. */
@Injectable()
export class ExperimentsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  /**
   * Adds the next version unless `decide` finds the latest one already says the same, serialised per experiment
   * name so two publishers never take the same number (nor both add one spec), and tells every ledger instance on
   * commit so their cached copies go.
   */
  publish(name: string, decide: (latest: PublishedExperiment | null) => PublishDecision, publishedBy: string): Promise<PublishResult> {
    return this.bounded(() =>
      this.dataSource.transaction(async (manager) => {
        await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`experiment:${name}`]);
        const [latestRow]: Row[] = await manager.query('SELECT * FROM experiment_versions WHERE name = $1 ORDER BY version DESC LIMIT 1', [name]);
        const latest = latestRow ? toPublished(latestRow) : null;
        const decision = decide(latest);
        if (decision.kind === 'unchanged') {
          if (!latest) throw new Error(`publishing ${name}: nothing was published to keep`);
          return { outcome: 'unchanged' as const, experiment: latest };
        }
        const [row]: Row[] = await manager.query('INSERT INTO experiment_versions (name, version, spec, published_by, diff) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
          name,
          (latest?.version ?? 0) + 1,
          JSON.stringify(decision.spec),
          publishedBy,
          JSON.stringify(decision.diff),
        ]);
        await manager.query('SELECT pg_notify($1, $2)', [EXPERIMENT_PUBLISHED_CHANNEL, name]);
        return { outcome: 'published' as const, experiment: toPublished(row!) };
      }),
    );
  }

  async latest(name: string): Promise<PublishedExperiment | undefined> {
    const [row] = await this.bounded<Row[]>(() => this.dataSource.query('SELECT * FROM experiment_versions WHERE name = $1 ORDER BY version DESC LIMIT 1', [name]));
    return row ? toPublished(row) : undefined;
  }

  async version(name: string, version: number): Promise<PublishedExperiment | undefined> {
    const [row] = await this.bounded<Row[]>(() => this.dataSource.query('SELECT * FROM experiment_versions WHERE name = $1 AND version = $2', [name, version]));
    return row ? toPublished(row) : undefined;
  }

  async versions(name: string): Promise<PublishedExperiment[]> {
    const rows = await this.bounded<Row[]>(() => this.dataSource.query('SELECT * FROM experiment_versions WHERE name = $1 ORDER BY version', [name]));
    return rows.map(toPublished);
  }

  /** The latest version of each experiment named after `afterName` (all when undefined), by name, at most `limit`. */
  async latestPage(afterName: string | undefined, limit: number): Promise<ExperimentSummary[]> {
    const rows = await this.bounded<Array<{ name: string; version: number; status: ExperimentSpec['status']; published_at: Date }>>(() =>
      this.dataSource.query(
        `SELECT DISTINCT ON (name) name, version, spec->>'status' AS status, published_at FROM experiment_versions
         WHERE $1::text IS NULL OR name > $1 ORDER BY name, version DESC LIMIT $2`,
        [afterName ?? null, limit],
      ),
    );
    return rows.map((row) => ({ name: row.name, version: row.version, status: row.status, publishedAt: row.published_at.toISOString() }));
  }

  /** The latest version of every experiment whose latest version is active. */
  async allActive(): Promise<PublishedExperiment[]> {
    const rows = await this.bounded<Row[]>(() =>
      this.dataSource.query(`SELECT * FROM (SELECT DISTINCT ON (name) * FROM experiment_versions ORDER BY name, version DESC) latest WHERE spec->>'status' = 'active' ORDER BY name`),
    );
    return rows.map(toPublished);
  }

  private bounded<T>(work: () => Promise<T>): Promise<T> {
    return boundedDatabaseCall(work, this.config.dependencyTimeoutMs, 'experiments are unavailable');
  }
}
