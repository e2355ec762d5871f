/**
 * Brings the read model's schema up to date (the services also do this on start), e.g. before a deploy:
 *   DATABASE_URL=postgres://... npm run migrate
 */
import 'reflect-metadata';
import { Type } from '@sinclair/typebox';
import { checkDatabaseUrl, CommonEnvSchema, parseEnv } from '@ledger/platform';
import { describeDatabase, ensureDatabaseExists, ledgerDataSourceOptions, runMigrationsExclusively } from '@ledger/storage';
import { DataSource } from 'typeorm';

const MigrateEnvSchema = Type.Object({
  NODE_ENV: CommonEnvSchema.NODE_ENV,
  DATABASE_URL: CommonEnvSchema.DATABASE_URL,
  DEPENDENCY_TIMEOUT_MS: CommonEnvSchema.DEPENDENCY_TIMEOUT_MS,
});

async function main(): Promise<void> {
  const env = parseEnv(MigrateEnvSchema, process.env, [checkDatabaseUrl]);
  if (env.NODE_ENV !== 'production' && (await ensureDatabaseExists(env.DATABASE_URL, env.DEPENDENCY_TIMEOUT_MS))) {
    console.log(`created database ${describeDatabase(env.DATABASE_URL)}`);
  }
  const dataSource = new DataSource(ledgerDataSourceOptions({ url: env.DATABASE_URL, poolSize: 2, timeoutMs: env.DEPENDENCY_TIMEOUT_MS, applicationName: 'assignment-ledger-migrate' }));
  await dataSource.initialize();
  try {
    const applied = await runMigrationsExclusively(dataSource);
    console.log(applied.length > 0 ? `applied ${applied.join(', ')}` : `${describeDatabase(env.DATABASE_URL)} is up to date`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(`migrate: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
