import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { closedPort } from './service-process';
import { testInfrastructure } from './test-infrastructure';

/** One test file's own slice of the infrastructure: its own database and its own topics. */
export interface TestEnvironment {
  brokers: string;
  databaseUrl: string;
  topic: string;
  groupId: string;
  /** The bootstrap admin key the ledger accepts in this environment. */
  adminKey: string;
  /** Environment variables for loadLedgerConfig / loadProjectorConfig, as an operator would set them. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function createTestEnvironment(label: string): Promise<TestEnvironment> {
  const infra = testInfrastructure();
  const id = `${label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const database = `ledger_test_${id}`;
  await withAdminClient(infra.databaseAdminUrl, (client) => client.query(`CREATE DATABASE "${database}"`));
  const url = new URL(infra.databaseAdminUrl);
  url.pathname = `/${database}`;
  const topic = `test.${id}.sticky-values`;
  const groupId = `projector-${id}`;
  const adminKey = `test-admin-${randomBytes(16).toString('hex')}`;
  const env = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    KAFKA_BROKERS: infra.brokers,
    DATABASE_URL: url.toString(),
    LEDGER_TOPIC: topic,
    LEDGER_TOPIC_PARTITIONS: '3',
    // Several apps run at once in two jest workers; the machine's Postgres allows 100 connections in all.
    DATABASE_POOL_SIZE: '4',
    PROJECTOR_GROUP_ID: groupId,
    HTTP_PORT: '0',
    GRPC_PORT: String(await closedPort()),
    LEDGER_ADMIN_KEY: adminKey,
  };
  return {
    brokers: infra.brokers,
    databaseUrl: url.toString(),
    topic,
    groupId,
    adminKey,
    env,
    cleanup: async () => {
      await withAdminClient(infra.databaseAdminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
      const admin = new Kafka({ brokers: infra.brokers.split(','), logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const existing = new Set(await admin.listTopics());
        const mine = [topic, `${topic}.dead-letter`].filter((name) => existing.has(name));
        if (mine.length > 0) await admin.deleteTopics({ topics: mine });
      } finally {
        await admin.disconnect();
      }
    },
  };
}

async function withAdminClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
