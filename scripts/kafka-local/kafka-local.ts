/**
 * A real single-node Apache Kafka broker (KRaft, broker and controller in one JVM) run from the
 * release's Maven Central jars, for machines without Docker.
 *
 * Each named instance ("dev" for `npm start`, "test" for the test harness) has its own folder under
 * .cache/kafka-local/instances/<name>/ holding its data, log and a state file with pid and address.
 * Stopping signals exactly the recorded pid, after checking the pid still belongs to that instance.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';

const execFileAsync = promisify(execFile);

/** Keep in step with `kafka.version` in pom.xml and the image tag in docker/compose.yaml. */
export const KAFKA_VERSION = '4.1.1';

/** The repository root, found from this file whether it runs from source (tests) or from dist/. */
function findProjectRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts', 'kafka-local', 'pom.xml'))) return dir;
  }
  throw new Error(`cannot find the project root above ${__dirname}`);
}

const PROJECT_ROOT = findProjectRoot();
const POM = join(PROJECT_ROOT, 'scripts', 'kafka-local', 'pom.xml');
const LOG4J2_CONFIG = join(PROJECT_ROOT, 'scripts', 'kafka-local', 'log4j2.properties');
const CACHE_ROOT = process.env.KAFKA_LOCAL_CACHE ?? join(PROJECT_ROOT, '.cache', 'kafka-local');
const DEFAULT_BROKER_PORT = 9092;
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;
/** Written last by a complete jar download, so an interrupted download is redone, not trusted. */
const JARS_COMPLETE_MARKER = '.complete';

export interface KafkaLocalState {
  instance: string;
  pid: number;
  brokers: string;
  controllerPort: number;
  dataDir: string;
  logFile: string;
  kafkaVersion: string;
  startedAt: string;
}

export interface StartOptions {
  instance: string;
  /** Preferred broker port; a free one is chosen when it is taken, or when this is 0. */
  port?: number;
  log?: (line: string) => void;
}

const instanceDir = (instance: string): string => join(CACHE_ROOT, 'instances', instance);
const stateFile = (instance: string): string => join(instanceDir(instance), 'state.json');
export const jarsDir = (): string => join(CACHE_ROOT, `kafka-${KAFKA_VERSION}`, 'jars');

/** Downloads the pinned release's jars once; later calls find the marker and touch no network. */
export async function ensureJars(log: (line: string) => void = () => {}): Promise<string> {
  const dir = jarsDir();
  if (existsSync(join(dir, JARS_COMPLETE_MARKER))) return dir;
  log(`resolving Apache Kafka ${KAFKA_VERSION} jars with Maven (first run only)...`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  try {
    await execFileAsync('mvn', ['-B', '-q', '-f', POM, `-Dkafka.version=${KAFKA_VERSION}`, 'dependency:copy-dependencies', `-DoutputDirectory=${dir}`], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const detail = error instanceof Error && 'stdout' in error ? String((error as { stdout: unknown }).stdout).trim() : '';
    throw new Error(`could not resolve Kafka jars with Maven (is Maven installed and Maven Central reachable?) ${detail}`.trim());
  }
  const jars = (await readdir(dir)).filter((name) => name.endsWith('.jar'));
  if (!jars.some((name) => name.startsWith('kafka_2.13-'))) throw new Error(`Maven finished but ${dir} holds no kafka_2.13 jar`);
  await writeFile(join(dir, JARS_COMPLETE_MARKER), `${KAFKA_VERSION}\n`);
  return dir;
}

export async function readState(instance: string): Promise<KafkaLocalState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(instance), 'utf8')) as KafkaLocalState;
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive and its command line names this instance's data folder (pids get reused). */
function isInstanceProcess(pid: number, dataDir: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir);
  } catch {
    // No /proc (macOS): the state file is the only evidence; trust a live pid.
    return true;
  }
}

export async function status(instance: string): Promise<KafkaLocalState | undefined> {
  const state = await readState(instance);
  if (!state) return undefined;
  return isInstanceProcess(state.pid, state.dataDir) ? state : undefined;
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolvePort(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function serverProperties(brokerPort: number, controllerPort: number, dataDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${brokerPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${join(dataDir, 'logs')}`,
    // One node: every internal topic must live with a single replica, or coordinators never come up.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=4',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'group.initial.rebalance.delay.ms=0',
    // The service creates its own topics; a typo must fail loudly instead of creating a stray topic.
    'auto.create.topics.enable=false',
    'log.retention.hours=-1',
    '',
  ].join('\n');
}

async function previousControllerPort(propertiesFile: string): Promise<number | undefined> {
  try {
    const match = /^controller\.quorum\.voters=1@127\.0\.0\.1:(\d+)$/m.exec(await readFile(propertiesFile, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function java(args: string[], jars: string): Promise<string> {
  const { stdout } = await execFileAsync('java', ['-cp', `${jars}/*`, ...args], { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** Kafka cluster ids are 16 random bytes in URL-safe base64; Kafka avoids ids that start with '-'. */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

async function waitUntilBrokerAnswers(brokers: string, pid: number, deadline: number): Promise<void> {
  const kafka = new Kafka({ clientId: 'kafka-local-probe', brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  for (;;) {
    if (!isAlive(pid)) throw new Error('the broker process exited during start-up');
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.fetchTopicMetadata({ topics: [] });
      const cluster = await admin.describeCluster();
      // Asking for a group makes the broker create and load its group coordinator, which clients need first.
      await admin.describeGroups(['kafka-local-probe']);
      if (cluster.brokers.length > 0) return;
    } catch {
      // not up yet
    } finally {
      await admin.disconnect().catch(() => {});
    }
    if (Date.now() > deadline) throw new Error(`the broker did not answer a metadata request within ${READY_TIMEOUT_MS / 1000}s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts the instance, or returns the running one. Resolves once the broker answers metadata requests. */
export async function start(options: StartOptions): Promise<KafkaLocalState> {
  const log = options.log ?? (() => {});
  const running = await status(options.instance);
  if (running) {
    log(`kafka-local "${options.instance}" already running on ${running.brokers} (pid ${running.pid})`);
    return running;
  }
  const jars = await ensureJars(log);
  const dir = instanceDir(options.instance);
  const dataDir = join(dir, 'data');
  await mkdir(dataDir, { recursive: true });

  const propertiesFile = join(dir, 'server.properties');
  const preferred = options.port ?? DEFAULT_BROKER_PORT;
  const brokerPort = preferred !== 0 && (await isPortFree(preferred)) ? preferred : await freePort();
  // A restarted instance keeps its controller address when it can, as its quorum was formatted with it.
  const previousController = await previousControllerPort(propertiesFile);
  let controllerPort = previousController !== undefined && previousController !== brokerPort && (await isPortFree(previousController)) ? previousController : await freePort();
  while (controllerPort === brokerPort) controllerPort = await freePort();
  await writeFile(propertiesFile, serverProperties(brokerPort, controllerPort, dataDir));

  if (!existsSync(join(dataDir, 'logs', 'meta.properties'))) {
    log('formatting KRaft storage...');
    await java(['kafka.tools.StorageTool', 'format', '-t', newClusterId(), '-c', propertiesFile, '--ignore-formatted'], jars);
  }

  const logFile = join(dir, 'broker.log');
  const out = openSync(logFile, 'a');
  const child = spawn(
    'java',
    [
      '-Xms256m',
      '-Xmx512m',
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${LOG4J2_CONFIG}`,
      `-Dkafka.local.instance=${dataDir}`,
      '-cp',
      `${jars}/*`,
      'kafka.Kafka',
      propertiesFile,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new Error('could not start java');

  const brokers = `127.0.0.1:${brokerPort}`;
  const state: KafkaLocalState = {
    instance: options.instance,
    pid: child.pid,
    brokers,
    controllerPort,
    dataDir,
    logFile,
    kafkaVersion: KAFKA_VERSION,
    startedAt: new Date().toISOString(),
  };
  await writeFile(stateFile(options.instance), JSON.stringify(state, null, 2));
  log(`started Apache Kafka ${KAFKA_VERSION} (pid ${child.pid}) on ${brokers}; waiting for it to answer...`);
  try {
    await waitUntilBrokerAnswers(brokers, child.pid, Date.now() + READY_TIMEOUT_MS);
  } catch (error) {
    await stop(options.instance);
    throw new Error(`${(error as Error).message}; see ${logFile}`);
  }
  return state;
}

/** Stops exactly the recorded process: SIGTERM for a clean shutdown, SIGKILL if it will not go. */
export async function stop(instance: string, log: (line: string) => void = () => {}): Promise<void> {
  const state = await readState(instance);
  if (!state) return;
  if (isInstanceProcess(state.pid, state.dataDir)) {
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (isAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
    log(`stopped kafka-local "${instance}" (pid ${state.pid})`);
  }
  await rm(stateFile(instance), { force: true });
}

/** Stops the instance and deletes its data, so the next start formats a fresh cluster. */
export async function wipe(instance: string, log: (line: string) => void = () => {}): Promise<void> {
  await stop(instance, log);
  await rm(instanceDir(instance), { recursive: true, force: true });
  log(`wiped kafka-local "${instance}"`);
}
