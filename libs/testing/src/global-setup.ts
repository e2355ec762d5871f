import { Client } from 'pg';
import { start as startLocalKafka, status as localKafkaStatus, stop as stopLocalKafka } from '../../../scripts/kafka-local/kafka-local';
import { type InfrastructureSource, TEST_ENV } from './test-infrastructure';

/** The machine's own Postgres, used when nothing else is given. */
const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_KAFKA_INSTANCE = 'test';

type Stopper = () => Promise<void>;
declare global {
  var __ledgerTestStoppers: Stopper[] | undefined;
}

/**
 * Chooses the infrastructure for the integration tests, in this order:
 * 1. KAFKA_BROKERS and DATABASE_URL from the environment (CI with its own services);
 * 2. testcontainers (Kafka and Postgres), when a Docker engine answers;
 * 3. the project's local Kafka broker script and the local Postgres server.
 * Whatever it starts it records, so global teardown stops exactly that.
 */
export default async function globalSetup(): Promise<void> {
  const stoppers: Stopper[] = [];
  globalThis.__ledgerTestStoppers = stoppers;
  const chosen = (await fromEnvironment()) ?? (await fromTestcontainers(stoppers)) ?? (await fromLocalMachine(stoppers));
  process.env[TEST_ENV.brokers] = chosen.brokers;
  process.env[TEST_ENV.databaseAdminUrl] = chosen.databaseAdminUrl;
  process.env[TEST_ENV.source] = chosen.source;
  process.stdout.write(`\nintegration infrastructure: ${chosen.source} (Kafka ${chosen.brokers})\n`);
}

interface Chosen {
  brokers: string;
  databaseAdminUrl: string;
  source: InfrastructureSource;
}

async function fromEnvironment(): Promise<Chosen | undefined> {
  const brokers = process.env.KAFKA_BROKERS;
  const databaseUrl = process.env.DATABASE_URL;
  if (!brokers || !databaseUrl) return undefined;
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  return { brokers, databaseAdminUrl: admin.toString(), source: 'environment' };
}

async function fromTestcontainers(stoppers: Stopper[]): Promise<Chosen | undefined> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch {
    return undefined;
  }
  const [{ KafkaContainer }, { PostgreSqlContainer }] = await Promise.all([import('@testcontainers/kafka'), import('@testcontainers/postgresql')]);
  // Confluent Platform 8.1 is Apache Kafka 4.1, the release the local script runs.
  const [kafka, postgres] = await Promise.all([
    new KafkaContainer('confluentinc/cp-kafka:8.1.0').withKraft().start(),
    new PostgreSqlContainer('postgres:16-alpine').withUsername('postgres').withPassword('postgres').start(),
  ]);
  stoppers.push(
    async () => void (await kafka.stop()),
    async () => void (await postgres.stop()),
  );
  const admin = new URL(postgres.getConnectionUri());
  admin.pathname = '/postgres';
  return { brokers: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`, databaseAdminUrl: admin.toString(), source: 'testcontainers' };
}

async function fromLocalMachine(stoppers: Stopper[]): Promise<Chosen> {
  const client = new Client({ connectionString: LOCAL_POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`no Docker engine and no Postgres at ${LOCAL_POSTGRES_URL} (${(error as Error).message}); set KAFKA_BROKERS and DATABASE_URL to use your own`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const alreadyRunning = await localKafkaStatus(LOCAL_KAFKA_INSTANCE);
  // Port 0 asks for any free port, so a developer's broker on 9092 is left alone.
  const state = alreadyRunning ?? (await startLocalKafka({ instance: LOCAL_KAFKA_INSTANCE, port: 0, log: (line) => process.stdout.write(`kafka-local: ${line}\n`) }));
  if (!alreadyRunning) stoppers.push(() => stopLocalKafka(LOCAL_KAFKA_INSTANCE));
  return { brokers: state.brokers, databaseAdminUrl: LOCAL_POSTGRES_URL, source: 'local' };
}
