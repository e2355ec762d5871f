/**
 * `npm start`: the whole service on this machine. Starts the local Kafka broker when KAFKA_BROKERS is
 * not set, migrates the database, runs the ledger and the projector, and prints their URLs. Ctrl-C (or
 * SIGTERM) stops the services and then the broker it started, each by its pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_NODE_FLAGS } from '../../libs/platform/src/lifecycle/service-node-flags';
import { start as startKafka, stop as stopKafka } from '../kafka-local/kafka-local';

const DEV_INSTANCE = 'dev';
const STOP_GRACE_MS = 12_000;
const dist = join(__dirname, '..', '..');
const ADMIN_KEY_FILE = join(dist, '..', '.cache', 'local-stack', 'admin-key');

/** A local admin key, made once and kept (git-ignored), so curl examples keep working across restarts. */
function localAdminKey(): string {
  if (existsSync(ADMIN_KEY_FILE)) return readFileSync(ADMIN_KEY_FILE, 'utf8').trim();
  const key = `local-admin-${randomBytes(24).toString('base64url')}`;
  mkdirSync(join(ADMIN_KEY_FILE, '..'), { recursive: true });
  writeFileSync(ADMIN_KEY_FILE, `${key}\n`, { mode: 0o600 });
  return key;
}

const say = (line: string): void => void process.stdout.write(`[local-stack] ${line}\n`);

interface Service {
  name: string;
  child: ChildProcess;
  url: Promise<string>;
  exited: Promise<number | null>;
}

function run(name: string, entry: string, env: NodeJS.ProcessEnv): Service {
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, join(dist, entry)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      buffered = (buffered + chunk.toString()).slice(-4096);
      const match = new RegExp(`^${name}: ready on (\\S+)`, 'm').exec(buffered);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`${name} exited with code ${code}`)));
  });
  url.catch(() => undefined);
  return { name, child, url, exited };
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  let startedBroker = false;
  const services: Service[] = [];
  let stopping = false;

  const shutdown = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      say('stopping...');
      for (const service of services) if (service.child.exitCode === null) service.child.kill('SIGTERM');
      const timer = setTimeout(() => services.forEach((service) => service.child.kill('SIGKILL')), STOP_GRACE_MS);
      await Promise.all(services.map((service) => service.exited));
      clearTimeout(timer);
      if (startedBroker) await stopKafka(DEV_INSTANCE, say);
      say('stopped');
    }
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  const env: NodeJS.ProcessEnv = { ...process.env };
  // The services write to a pipe into this process; a person at a terminal still gets readable, coloured lines.
  if (process.stdout.isTTY) {
    env.LOG_FORMAT ??= 'pretty';
    if (env.NO_COLOR === undefined) env.FORCE_COLOR ??= '1';
  }
  if (!env.LEDGER_ADMIN_KEY) env.LEDGER_ADMIN_KEY = localAdminKey();
  if (!env.KAFKA_BROKERS) {
    const broker = await startKafka({ instance: DEV_INSTANCE, log: say });
    startedBroker = true;
    env.KAFKA_BROKERS = broker.brokers;
    say(`Kafka ${broker.kafkaVersion} on ${broker.brokers} (pid ${broker.pid})`);
  }

  const migrate = spawn(process.execPath, [join(dist, 'scripts/migrate/run-migrations.cli.js')], { env, stdio: 'inherit' });
  const migrated = await new Promise<number | null>((resolve) => migrate.once('exit', resolve));
  if (migrated !== 0) return shutdown(1);

  services.push(run('ledger', 'apps/ledger/src/main.js', env), run('projector', 'apps/projector/src/main.js', env));
  for (const service of services) void service.exited.then((code) => !stopping && (say(`${service.name} stopped unexpectedly (code ${code})`), shutdown(1)));
  try {
    const [ledgerUrl, projectorUrl] = await Promise.all(services.map((service) => service.url));
    say(`ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    say(`ledger     ${ledgerUrl}  (GET|PUT|DELETE /v1/persisted/..., GET /health/ready, GET /metrics); gRPC on port ${env.GRPC_PORT ?? 50051}`);
    say(`projector  ${projectorUrl}  (GET /health/ready, GET /metrics)`);
    say(process.env.LEDGER_ADMIN_KEY ? 'admin key: LEDGER_ADMIN_KEY from your environment' : `admin key: ${env.LEDGER_ADMIN_KEY} (kept in .cache/local-stack/admin-key)`);
    say('Ctrl-C stops everything');
  } catch (error) {
    say((error as Error).message);
    await shutdown(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[local-stack] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
