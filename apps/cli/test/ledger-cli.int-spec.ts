import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkoutButtonSpec,
  closedPort,
  createTestEnvironment,
  eventually,
  jsonClient,
  killLeftoverServices,
  type ServiceProcess,
  spawnService,
  stickyValueFor,
  type TestEnvironment,
} from '@ledger/testing';
import { projectRoot } from '../../../libs/platform/src/lifecycle/project-root';

const BIN = join(projectRoot(__dirname), 'dist', 'apps', 'cli', 'src', 'ledger.cli.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('the ledger CLI, run as its bin against a running ledger', () => {
  let environment: TestEnvironment;
  let ledger: ServiceProcess;
  let projector: ServiceProcess;
  let url: string;
  let specDir: string;
  const started: ChildProcess[] = [];

  /** The CLI with only what an operator would set: PATH, the ledger's URL and key, and the broker settings. */
  const cliEnv = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH ?? '', LEDGER_URL: url, LEDGER_API_KEY: environment.adminKey, ...extra });
  const cli = (args: string[], extra: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], { env: cliEnv(extra), timeout: 30_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
      });
    });

  beforeAll(async () => {
    environment = await createTestEnvironment('cli');
    ledger = spawnService('ledger', environment.env);
    projector = spawnService('projector', { ...environment.env, HTTP_PORT: '0' });
    [url] = await Promise.all([ledger.ready(30_000), projector.ready(30_000)]);
    specDir = await mkdtemp(join(tmpdir(), 'ledger-cli-'));
  });

  afterAll(async () => {
    for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
    ledger?.child.kill('SIGTERM');
    projector?.child.kill('SIGTERM');
    await Promise.all([ledger?.exited(15_000), projector?.exited(15_000)]);
    await killLeftoverServices();
    if (specDir) await rm(specDir, { recursive: true, force: true });
    await environment?.cleanup();
  });

  it('answers --help on every command', async () => {
    const commands = [
      [],
      ['audit'],
      ['explain'],
      ['tail'],
      ['rebuild'],
      ['experiments'],
      ['experiments', 'list'],
      ['experiments', 'show'],
      ['experiments', 'publish'],
      ['keys'],
      ['keys', 'create'],
      ['keys', 'list'],
      ['keys', 'revoke'],
    ];
    const runs = await Promise.all(commands.map((command) => cli([...command, '--help'])));
    runs.forEach((run, index) => {
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toContain(`Usage: ledger ${commands[index]!.join(' ')}`.trimEnd());
    });
  });

  it('publishes, lists and shows experiments, as tables and as JSON', async () => {
    const file = join(specDir, 'checkout_button.json');
    await writeFile(file, JSON.stringify(checkoutButtonSpec({ targeting: [] })));
    const published = await cli(['experiments', 'publish', file]);
    expect(published).toMatchObject({ code: 0, stdout: 'published checkout_button version 1\n' });
    expect(await cli(['experiments', 'publish', file])).toMatchObject({ code: 0, stdout: 'checkout_button unchanged: version 1 already says this\n' });
    await writeFile(file, JSON.stringify(checkoutButtonSpec({ targeting: [], allocationPercent: 50 })));
    expect(await cli(['experiments', 'publish', file])).toMatchObject({ code: 0, stdout: 'published checkout_button version 2 (changed: allocationPercent)\n' });
    const yamlFile = join(specDir, 'second.yaml');
    await writeFile(yamlFile, 'status: active\nallocationPercent: 20\ngroups:\n  - name: Only\n    weight: 100\n');
    expect(await cli(['experiments', 'publish', yamlFile, '--name', 'banner_copy', '--json'])).toMatchObject({ code: 0 });

    const list = await cli(['experiments', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^NAME\s+VERSION\s+STATUS\s+PUBLISHED$/);
    expect(list.stdout).toMatch(/^banner_copy\s+1\s+active\s+\d{4}-/m);
    expect(list.stdout).toMatch(/^checkout_button\s+2\s+active\s+\d{4}-/m);
    const listJson = JSON.parse((await cli(['experiments', 'list', '--json'])).stdout);
    expect(listJson).toEqual({ experiments: [expect.objectContaining({ name: 'banner_copy', version: 1 }), expect.objectContaining({ name: 'checkout_button', version: 2, status: 'active' })] });

    const show = await cli(['experiments', 'show', 'checkout_button']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('checkout_button version 2 (active), published ');
    expect(show.stdout).toContain('allocation: 50.00 %');
    expect(show.stdout).toContain('changed from the previous version: allocationPercent');
    expect(show.stdout).toMatch(/^Test\s+50\.00 %\s+\{"color":"green"\}$/m);
    expect(JSON.parse((await cli(['experiments', 'show', 'checkout_button', '--version', '1', '--json'])).stdout)).toMatchObject({
      name: 'checkout_button',
      version: 1,
      spec: { allocationPercent: 100 },
    });

    const missing = await cli(['experiments', 'show', 'no_such_experiment']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^ledger: GET \/v1\/experiments\/no_such_experiment: 404 UNKNOWN_EXPERIMENT: .+\n$/);
  });

  it('creates, lists and revokes API keys; a revoked key is refused', async () => {
    const created = JSON.parse((await cli(['keys', 'create', 'dashboards', '--scope', 'evaluate', 'audit:read', '--json'])).stdout);
    expect(created).toMatchObject({ id: expect.any(String), name: 'dashboards', scopes: ['evaluate', 'audit:read'], key: expect.stringMatching(/^alk_/) });
    const human = await cli(['keys', 'create', 'reader', '--scope', 'storage:read']);
    expect(human.stdout).toMatch(/^created \S+ \(storage:read\); its secret, shown this once:\nalk_\S+\n$/);

    const list = await cli(['keys', 'list']);
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+SCOPES\s+CREATED BY\s+CREATED\s+REVOKED$/);
    expect(list.stdout).toMatch(new RegExp(`^${created.id}\\s+dashboards\\s+evaluate,audit:read\\s+bootstrap-admin\\s+\\S+\\s+-$`, 'm'));
    expect(list.stdout).not.toContain(created.key);

    expect(await cli(['keys', 'revoke', created.id])).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^revoked ${created.id} \\(dashboards\\) at \\d{4}-`)) });
    expect(JSON.parse((await cli(['keys', 'list', '--json'])).stdout).apiKeys.map((key: { id: string }) => key.id)).not.toContain(created.id);
    const withRevoked = JSON.parse((await cli(['keys', 'list', '--json', '--include-revoked'])).stdout);
    expect(withRevoked.apiKeys).toContainEqual(expect.objectContaining({ id: created.id, revokedAt: expect.any(String) }));

    const refused = await cli(['experiments', 'list'], { LEDGER_API_KEY: created.key });
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(/^ledger: GET \/v1\/experiments\?limit=500: 401 UNAUTHENTICATED: [^\n]+\n$/);
  });

  it('tail prints the line of a save made while it follows the topic, filtered, and as JSON', async () => {
    const follow = (args: string[]) => {
      const child = spawn(process.execPath, [BIN, 'tail', ...args], { env: cliEnv({ KAFKA_BROKERS: environment.brokers, LEDGER_TOPIC: environment.topic }), stdio: ['ignore', 'pipe', 'pipe'] });
      started.push(child);
      const output = { stdout: '', stderr: '' };
      child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      return { output, exited };
    };
    const readable = follow(['--key', 'tailed-1:userID', '--count', '1']);
    const json = follow(['--json', '--type', 'saved', '--experiment', 'tail_exp', '--count', '1']);
    await eventually(
      async () => {
        expect(readable.output.stderr).toContain('following');
        expect(json.output.stderr).toContain('following');
        return true;
      },
      { timeoutMs: 20_000, what: 'both tails to follow the topic' },
    );

    const api = jsonClient(url, { authorization: `Bearer ${environment.adminKey}` });
    // Another unit first: the key filter must leave its line out.
    expect((await api.put('/v1/persisted/tailed-0:userID/other_exp', stickyValueFor('Control'))).status).toBe(201);
    const save = await api.put('/v1/persisted/tailed-1:userID/tail_exp', stickyValueFor('Test'));
    expect(save.status).toBe(201);

    expect(await readable.exited).toBe(0);
    expect(readable.output.stdout).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[^ ]+Z  StickyValueSaved    tailed-1:userID  tail_exp  Test \\(sdk save\\)  ${save.body.eventId}\\n$`));
    expect(await json.exited).toBe(0);
    expect(JSON.parse(json.output.stdout)).toMatchObject({
      type: 'StickyValueSaved',
      version: 2,
      data: { persistenceKey: 'tailed-1:userID', configName: 'tail_exp' },
      metadata: { eventId: save.body.eventId },
    });
  });

  it("audit and explain print a seeded unit's trail (every page) and why it is sticky, and --json the API's answers", async () => {
    const api = jsonClient(url, { authorization: `Bearer ${environment.adminKey}` });
    const key = 'audited-1:userID';
    expect((await api.put('/v1/experiments/cli_audit', checkoutButtonSpec({ targeting: [] }))).status).toBe(201);
    const first = await api.post('/v1/experiments/cli_audit/evaluate', { user: { userID: 'audited-1' } });
    expect(first.body).toMatchObject({ reason: 'Evaluated', sticky: { key } });
    const group: string = first.body.groupName;
    expect((await api.put(`/v1/persisted/${key}/cli_other`, stickyValueFor('Control'), { 'x-request-id': 'req-cli-other' })).status).toBe(201);
    expect((await api.delete(`/v1/persisted/${key}/cli_other?reason=explicit`)).body).toMatchObject({ outcome: 'deleted' });
    expect((await api.put('/v1/experiments/cli_audit', checkoutButtonSpec({ targeting: [], allocationPercent: 10 }))).status).toBe(201);
    const trail = (await api.get(`/v1/audit/${key}`)).body;
    const [save, other, removed] = trail.entries.map((entry: { eventId: string }) => entry.eventId);

    const audit = await cli(['audit', key]);
    expect(audit).toMatchObject({ code: 0, stderr: '' });
    const lines = audit.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+EVENT\s+EXPERIMENT\s+VERSION\s+GROUP\s+RULE\s+BUCKETS\s+WHY\s+OUTCOME\s+CAUSE\s+TRACE\/REQUEST\s+EVENT ID$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\S+Z\\s+save\\s+cli_audit\\s+v1/b1\\s+${group}\\s+\\S+\\s+${first.body.buckets.allocation}/${first.body.buckets.group}\\s+targeting passed\\s+saved\\s+evaluation by \\S+\\s+\\S+\\s+${save}$`,
        ),
      ),
      expect.stringMatching(new RegExp(`^\\S+Z\\s+save\\s+cli_other\\s+v1\\s+Control\\s+rule-Control\\s+-\\s+sdk save\\s+saved\\s+storage_api by \\S+\\s+req-cli-other\\s+${other}$`)),
      expect.stringMatching(new RegExp(`^\\S+Z\\s+delete\\s+cli_other\\s+-\\s+Control\\s+-\\s+-\\s+explicit\\s+deleted\\s+storage_api by \\S+\\s+\\S+\\s+${removed}$`)),
    ]);
    // One entry a call: the CLI follows the cursor and answers the whole trail in the route's shape.
    expect(JSON.parse((await cli(['audit', key, '--page-size', '1', '--json'])).stdout)).toEqual(trail);
    expect(JSON.parse((await cli(['audit', key, '--experiment', 'cli_other', '--json'])).stdout).entries.map((entry: { eventId: string }) => entry.eventId)).toEqual([other, removed]);
    expect(await cli(['audit', 'nobody:userID'])).toMatchObject({ code: 0, stdout: 'nobody:userID: no saves, deletes or erasures recorded\n' });
    expect(await cli(['audit', 'not-a-key'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ledger: GET \/v1\/audit\/not-a-key\?limit=1000: 400 INVALID_PERSISTENCE_KEY: [^\n]+\n$/) });

    // Buckets follow from the experiment's name and the unit id: audited-1's allocation bucket (1016) is past 10 %.
    const explain = await cli(['explain', key, 'cli_audit']);
    expect(explain).toMatchObject({ code: 0, stderr: '' });
    const [sentence, blank, ...facts] = explain.stdout.trimEnd().split('\n');
    expect(sentence).toMatch(
      new RegExp(
        `^audited-1 is in ${group} since \\d{4}-\\d{2}-\\d{2} because it was first evaluated under version 1, allocation bucket ${first.body.buckets.allocation} below 100\\.00 %; evaluated now under version 2 \\(allocation 10\\.00 %\\) it would be NotAllocated, so the persisted value keeps it in ${group}\\.$`,
      ),
    );
    expect(blank).toBe('');
    expect(facts).toEqual([
      'sticky:   yes',
      `group:    ${group}`,
      `since:    ${first.body.sticky.savedAt}`,
      expect.stringMatching(/^as of: {4}\d{4}-\d{2}-\d{2}T\S+Z$/),
      `now:      version 2: live NotAllocated, answered ${group} (Persisted), would write nothing`,
    ]);
    const asOf = new Date().toISOString();
    const explained = JSON.parse((await cli(['explain', key, 'cli_audit', '--as-of', asOf, '--json'])).stdout);
    expect(explained).toEqual((await api.get(`/v1/audit/${key}/cli_audit/explain?asOf=${encodeURIComponent(asOf)}`)).body);
    expect(explained).toMatchObject({ sticky: true, group, since: first.body.sticky.savedAt });

    // The same unit's events as they sit in the log.
    const tailed = await cli(['tail', '--from-beginning', '--key', key, '--count', '3'], { KAFKA_BROKERS: environment.brokers, LEDGER_TOPIC: environment.topic });
    expect(tailed.code).toBe(0);
    expect(
      tailed.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split(/\s+/).slice(1, 4)),
    ).toEqual([
      ['StickyValueSaved', key, 'cli_audit'],
      ['StickyValueSaved', key, 'cli_other'],
      ['StickyValueDeleted', key, 'cli_other'],
    ]);
  });

  it('rebuild replays the log, reports and swaps', async () => {
    const run = await cli(['rebuild'], { KAFKA_BROKERS: environment.brokers, DATABASE_URL: environment.databaseUrl, LEDGER_TOPIC: environment.topic, PROJECTOR_GROUP_ID: environment.groupId });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^matched; swapped; \d+ records in \d+\.\d s\n$/);
    expect(run.stderr).toContain(`rebuild: replaying`);
    const json = await cli(['rebuild', '--json'], {
      KAFKA_BROKERS: environment.brokers,
      DATABASE_URL: environment.databaseUrl,
      LEDGER_TOPIC: environment.topic,
      PROJECTOR_GROUP_ID: environment.groupId,
    });
    expect(JSON.parse(json.stdout)).toMatchObject({ matched: true, swapped: true, records: expect.any(Number), live: { rows: expect.any(Number) } });
  });

  it('fails in one line with a non-zero exit when the ledger is unreachable, the key is wrong or missing, or the input is bad', async () => {
    const down = await cli(['experiments', 'list'], { LEDGER_URL: `http://127.0.0.1:${await closedPort()}` });
    expect(down).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^ledger: cannot reach the ledger at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n$/) });
    // A ledger that accepts the connection and never answers: the deadline ends the call.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const hung = await cli(['experiments', 'list', '--timeout', '300'], { LEDGER_URL: `http://127.0.0.1:${port}` });
      expect(hung).toMatchObject({ code: 1, stderr: `ledger: the ledger at http://127.0.0.1:${port} did not answer within 300 ms\n` });
    } finally {
      silent.close();
    }
    const wrongKey = await cli(['keys', 'list'], { LEDGER_API_KEY: 'not-a-key' });
    expect(wrongKey).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ledger: GET \/v1\/api-keys\?limit=500: 401 UNAUTHENTICATED: [^\n]+\n$/) });
    const noKey = await cli(['keys', 'list'], { LEDGER_API_KEY: '' });
    expect(noKey).toMatchObject({ code: 2, stderr: 'ledger: no API key: pass --key or set LEDGER_API_KEY\n' });
    expect(await cli(['experiments', 'publish', join(specDir, 'missing.json')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^ledger: cannot read .+missing\.json: ENOENT\n$/) });
    const unknown = await cli(['experiments', 'frobnicate']);
    expect(unknown).toMatchObject({ code: 2, stderr: "error: unknown command 'frobnicate'\n" });
  });
});
