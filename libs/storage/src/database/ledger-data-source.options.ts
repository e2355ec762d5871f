import { type DataSourceOptions } from 'typeorm';
import { ApiKeyEntity } from './entities/api-key.entity';
import { CreateReadModel1764072000000 } from './migrations/1764072000000-create-read-model';
import { CreateApiKeys1764072100000 } from './migrations/1764072100000-create-api-keys';
import { CreateExperimentVersions1764072200000 } from './migrations/1764072200000-create-experiment-versions';
import { CreateExperimentCounters1764072300000 } from './migrations/1764072300000-create-experiment-counters';
import { IndexHistoryByKeyAndOffset1764072400000 } from './migrations/1764072400000-index-history-by-key-and-offset';

/** Entities TypeORM maps; the read model has none: libs/ledger owns its SQL. */
export const LEDGER_ENTITIES = [ApiKeyEntity];
export const LEDGER_MIGRATIONS = [
  CreateReadModel1764072000000,
  CreateApiKeys1764072100000,
  CreateExperimentVersions1764072200000,
  CreateExperimentCounters1764072300000,
  IndexHistoryByKeyAndOffset1764072400000,
];

export interface DatabaseSettings {
  url: string;
  poolSize: number;
  /** Bounds connecting and every statement, so a stopped database gives a fast error, not a hang. */
  timeoutMs: number;
  applicationName: string;
}

export function ledgerDataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: LEDGER_ENTITIES,
    migrations: LEDGER_MIGRATIONS,
    // Schema changes go through migrations only.
    synchronize: false,
    migrationsRun: false,
    poolSize: settings.poolSize,
    applicationName: settings.applicationName,
    connectTimeoutMS: settings.timeoutMs,
    extra: {
      statement_timeout: settings.timeoutMs * 5,
      query_timeout: settings.timeoutMs * 5,
      idleTimeoutMillis: 30_000,
    },
  };
}
