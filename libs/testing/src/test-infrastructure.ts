/**
 * Where the integration tests find a broker and a Postgres server. Global setup decides once per run and
 * passes the answer to test files through these environment variables.
 */
export const TEST_ENV = {
  brokers: 'LEDGER_TEST_KAFKA_BROKERS',
  /** A URL of the Postgres server with a maintenance database, used to create one database per test file. */
  databaseAdminUrl: 'LEDGER_TEST_DATABASE_ADMIN_URL',
  source: 'LEDGER_TEST_INFRASTRUCTURE',
} as const;

export type InfrastructureSource = 'environment' | 'testcontainers' | 'local';

export interface TestInfrastructure {
  brokers: string;
  databaseAdminUrl: string;
  source: InfrastructureSource;
}

export function testInfrastructure(): TestInfrastructure {
  const brokers = process.env[TEST_ENV.brokers];
  const databaseAdminUrl = process.env[TEST_ENV.databaseAdminUrl];
  if (!brokers || !databaseAdminUrl) {
    throw new Error('integration tests need the jest global setup (run them through `npm test` or `jest --selectProjects integration`)');
  }
  return { brokers, databaseAdminUrl, source: (process.env[TEST_ENV.source] as InfrastructureSource) ?? 'environment' };
}
