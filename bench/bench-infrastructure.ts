import { Client } from 'pg';
import { ensureJars, jarsDir, start, status, stop } from '../scripts/kafka-local/kafka-local';
import { TEST_ENV } from '../libs/testing/src/test-infrastructure';

const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const INSTANCE = 'bench';

/** The same broker and database for every benchmark of a run: KAFKA_BROKERS/DATABASE_URL if given, else local ones. */
export async function benchInfrastructure(): Promise<{ brokers: string; stop(): Promise<void> }> {
  let brokers = process.env.KAFKA_BROKERS;
  let startedHere = false;
  if (!brokers) {
    const running = await status(INSTANCE);
    brokers = (running ?? (await start({ instance: INSTANCE, port: 0 }))).brokers;
    startedHere = !running;
  }
  const admin = process.env.DATABASE_URL ? Object.assign(new URL(process.env.DATABASE_URL), { pathname: '/postgres' }).toString() : LOCAL_POSTGRES_URL;
  const client = new Client({ connectionString: admin });
  await client.connect();
  await client.end();
  process.env[TEST_ENV.brokers] = brokers;
  process.env[TEST_ENV.databaseAdminUrl] = admin;
  return { brokers, stop: async () => (startedHere ? stop(INSTANCE) : undefined) };
}

/** The folder of Kafka's jars, for its own producer benchmark. */
export async function kafkaJars(): Promise<string> {
  await ensureJars();
  return jarsDir();
}
