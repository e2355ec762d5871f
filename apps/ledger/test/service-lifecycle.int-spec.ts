import { closedPort, createTestEnvironment, killLeftoverServices, type ServiceName, spawnService, type TestEnvironment } from '@ledger/testing';

/** How long a boot may take to give up on bad configuration or a dependency that is down. */
const FAIL_FAST_MS = 15_000;
const SHUTDOWN_MS = 10_000;

describe('the services as processes', () => {
  let environment: TestEnvironment;

  beforeAll(async () => {
    environment = await createTestEnvironment('lifecycle');
  });

  afterEach(killLeftoverServices);

  afterAll(async () => {
    await environment?.cleanup();
  });

  const oneLine = (text: string) => text.trim().split('\n');

  it.each<ServiceName>(['ledger', 'projector'])('%s refuses DATABASE_URL=nonsense with one line and exit code 2', async (name) => {
    const service = spawnService(name, { ...environment.env, DATABASE_URL: 'nonsense' });
    expect(await service.exited(FAIL_FAST_MS)).toBe(2);
    expect(oneLine(service.stderr())).toEqual([expect.stringMatching(new RegExp(`^${name}: invalid configuration: DATABASE_URL must be a postgres:// URL`))]);
  });

  it('names every missing or malformed variable at once', async () => {
    const { KAFKA_BROKERS: _omitted, ...withoutBrokers } = environment.env;
    const service = spawnService('ledger', { ...withoutBrokers, HTTP_PORT: 'http', LEDGER_TOPIC_PARTITIONS: '-1' });
    expect(await service.exited(FAIL_FAST_MS)).toBe(2);
    const [line, ...rest] = oneLine(service.stderr());
    expect(rest).toEqual([]);
    for (const name of ['KAFKA_BROKERS', 'HTTP_PORT', 'LEDGER_TOPIC_PARTITIONS']) expect(line).toContain(name);
  });

  it.each<ServiceName>(['ledger', 'projector'])('%s gives up on an unreachable broker with one line', async (name) => {
    const service = spawnService(name, { ...environment.env, KAFKA_BROKERS: `127.0.0.1:${await closedPort()}` });
    expect(await service.exited(FAIL_FAST_MS)).toBe(1);
    expect(oneLine(service.stderr())).toEqual([expect.stringMatching(new RegExp(`^${name}: cannot reach the Kafka broker at 127\\.0\\.0\\.1:\\d+`))]);
  });

  it.each<ServiceName>(['ledger', 'projector'])('%s gives up on an unreachable database with one line', async (name) => {
    const service = spawnService(name, { ...environment.env, DATABASE_URL: `postgres://postgres@127.0.0.1:${await closedPort()}/nowhere` });
    expect(await service.exited(FAIL_FAST_MS)).toBe(1);
    expect(oneLine(service.stderr())).toEqual([expect.stringMatching(new RegExp(`^${name}: cannot open the database at 127\\.0\\.0\\.1:\\d+/nowhere`))]);
  });

  it.each<ServiceName>(['ledger', 'projector'])('%s becomes ready, then shuts down cleanly on SIGTERM', async (name) => {
    const service = spawnService(name, environment.env);
    const url = await service.ready(30_000);
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    service.child.kill('SIGTERM');
    expect(await service.exited(SHUTDOWN_MS)).toBe(0);
    expect(service.stderr()).toBe('');
  });
});
