import { type DataSource } from 'typeorm';

/** Arbitrary, fixed: every process of the ledger takes this lock before migrating, so two starts never race. */
const MIGRATION_LOCK_ID = 7_311_402_981;

/** Runs pending migrations, one process at a time across the whole deployment. */
export async function runMigrationsExclusively(dataSource: DataSource): Promise<string[]> {
  const lockHolder = dataSource.createQueryRunner();
  await lockHolder.connect();
  try {
    await lockHolder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const applied = await dataSource.runMigrations({ transaction: 'all' });
    return applied.map((migration) => migration.name);
  } finally {
    await lockHolder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await lockHolder.release();
  }
}
