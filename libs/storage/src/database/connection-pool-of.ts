import { type Pool } from 'pg';
import { type DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * The pg pool under a TypeORM data source, for reads on the request path: a plain pooled query skips the
 * query runner TypeORM builds around each call, about a sixth of a cached read's CPU. Same connections,
 * same limits; anything transactional stays with TypeORM.
 */
export function connectionPoolOf(dataSource: DataSource): Pool {
  if (!(dataSource.driver instanceof PostgresDriver)) throw new Error('the ledger runs on Postgres only');
  return dataSource.driver.master as Pool;
}
