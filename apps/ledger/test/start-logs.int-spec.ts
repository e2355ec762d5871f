import { createTestEnvironment, jsonClient, killLeftoverServices, OwnedKafka, type ServiceName, spawnService, stickyValueFor, type TestEnvironment } from '@ledger/testing';

const START_MS = 60_000;
const SHUTDOWN_MS = 10_000;

/** The log lines a service wrote, without the one plain line that says it is ready. */
const logLines = (stdout: string, name: ServiceName): string[] => stdout.split('\n').filter((line) => line !== '' && !line.startsWith(`${name}: ready on `));

describe('what the services log when started as a person starts them', () => {
  let broker: OwnedKafka;
  let environment: TestEnvironment;
  let env: Record<string, string>;

  beforeAll(async () => {
    // A broker nobody has used yet, as on a first `npm start`: its group and transaction coordinators are still loading.
    broker = await OwnedKafka.create();
    environment = await createTestEnvironment('start-logs');
    env = { ...environment.env, KAFKA_BROKERS: broker.brokers, LOG_LEVEL: 'info' };
  });

  afterEach(killLeftoverServices);

  afterAll(async () => {
    await broker?.stop();
    await broker?.destroy();
    await environment?.cleanup();
  });

  it('logs nothing at error level or above when both start at once, create the topics, take a save and stop on Ctrl-C', async () => {
    const services = (['ledger', 'projector'] as const).map((name) => ({ name, process: spawnService(name, env) }));
    const [ledgerUrl] = await Promise.all(services.map((service) => service.process.ready(START_MS)));
    const api = jsonClient(ledgerUrl!, { authorization: `Bearer ${environment.adminKey}` });
    expect((await api.put('/v1/persisted/first-start:userID/exp', stickyValueFor('Control'))).status).toBe(201);
    // Ctrl-C under `npm start`: the terminal's SIGINT reaches each service, and the local stack's SIGTERM after it.
    for (const service of services) service.process.child.kill('SIGINT');
    for (const service of services) service.process.child.kill('SIGTERM');
    for (const service of services) expect(await service.process.exited(SHUTDOWN_MS)).toBe(0);

    for (const { name, process } of services) {
      const lines = logLines(process.stdout(), name).map((line) => JSON.parse(line) as { level: number; context?: string; msg: string });
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.filter((line) => line.level >= 50)).toEqual([]);
      // Nest's listing of every route it mapped is a debug line.
      expect(lines.filter((line) => line.context === 'RouterExplorer' || line.context === 'RoutesResolver')).toEqual([]);
      expect(process.stderr()).toBe('');
    }
  });

  it('writes readable lines, not JSON, with LOG_FORMAT=pretty', async () => {
    const ledger = spawnService('ledger', { ...env, LOG_FORMAT: 'pretty', HTTP_PORT: '0' });
    await ledger.ready(START_MS);
    ledger.child.kill('SIGTERM');
    expect(await ledger.exited(SHUTDOWN_MS)).toBe(0);
    const lines = logLines(ledger.stdout(), 'ledger');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(() => JSON.parse(line)).toThrow();
      expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN): ledger /);
    }
    expect(lines).toContainEqual(expect.stringMatching(/INFO: ledger \[NestApplication\] Nest application successfully started$/));
  });
});
