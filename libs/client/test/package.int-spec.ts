import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildClientPackage, CLIENT_PACKAGE_DIR, packClientPackage } from '../../../scripts/client/client-package';
import { type LedgerUnderTest, startLedgerUnderTest } from './ledger-under-test';

const run = promisify(execFile);
const repositoryRoot = join(CLIENT_PACKAGE_DIR, '..', '..');

type LockEntry = { version: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; dev?: boolean; devOptional?: boolean; peer?: boolean };

/**
 * A user's project depending on `names` at the versions this repository locks, with a lockfile taken from the
 * repository's, so `npm ci --offline` installs them from npm's cache (which holds tarballs, not registry metadata).
 */
function writeProjectLockedLikeTheRepository(project: string, names: string[]): void {
  const lock = JSON.parse(readFileSync(join(repositoryRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages: Record<string, Omit<LockEntry, 'dev' | 'devOptional' | 'peer'>> = {};
  for (const queue = [...names]; queue.length > 0;) {
    const path = `node_modules/${queue.shift()!}`;
    if (packages[path] || !lock.packages[path]) continue;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[path];
    packages[path] = entry;
    queue.push(...Object.keys({ ...entry.dependencies, ...entry.optionalDependencies }));
  }
  const dependencies = Object.fromEntries(names.map((name) => [name, lock.packages[`node_modules/${name}`]!.version]));
  const root = { name: 'ledger-client-user', version: '1.0.0', private: true };
  writeFileSync(join(project, 'package.json'), JSON.stringify({ ...root, type: 'module', dependencies }));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ ...root, lockfileVersion: 3, requires: true, packages: { '': { ...root, dependencies }, ...packages } }));
}

jest.setTimeout(180_000);

describe('the packed client, installed into a project outside the repository', () => {
  let ledger: LedgerUnderTest;
  let workspace: string;
  let project: string;

  beforeAll(async () => {
    ledger = await startLedgerUnderTest('client-package');
    workspace = mkdtempSync(join(tmpdir(), 'ledger-client-package-'));
    buildClientPackage();
    const tarball = packClientPackage(workspace);
    project = join(workspace, 'app');
    mkdirSync(project);
    // Offline: the client's dependencies and the SDK (a peer the user installs) come from npm's cache, then the tarball.
    writeProjectLockedLikeTheRepository(project, ['@grpc/grpc-js', '@grpc/proto-loader', '@sinclair/typebox', '@statsig/statsig-node-core']);
    const quiet = ['--offline', '--no-audit', '--no-fund', '--loglevel=error'];
    await run('npm', ['ci', ...quiet], { cwd: project });
    await run('npm', ['install', ...quiet, tarball], { cwd: project });
    copyFileSync(join(repositoryRoot, 'examples', 'statsig.mjs'), join(project, 'statsig.mjs'));
  });

  afterAll(async () => {
    if (workspace) rmSync(workspace, { recursive: true, force: true });
    await ledger?.close();
  });

  it('is installed by its name, with the SDKs as optional peers', () => {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', '@assignment-ledger', 'client', 'package.json'), 'utf8')) as Record<string, any>;
    expect(installed).toMatchObject({ name: '@assignment-ledger/client', peerDependenciesMeta: { '@statsig/statsig-node-core': { optional: true }, '@growthbook/growthbook': { optional: true } } });
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies['@assignment-ledger/client']).toMatch(/\.tgz$/);
  });

  it('runs the Statsig example against a running ledger: a first evaluation saved, the second one persisted', async () => {
    const example = async () => {
      const { stdout } = await run(process.execPath, ['statsig.mjs', 'packed-user-1'], {
        cwd: project,
        env: { PATH: process.env.PATH ?? '', LEDGER_URL: ledger.url, LEDGER_API_KEY: ledger.environment.adminKey },
      });
      return JSON.parse(stdout.trim().split('\n').at(-1)!) as { group: string; reason: string };
    };
    const first = await example();
    expect(first.reason).not.toBe('Persisted');
    await ledger.heldGroup('packed-user-1:userID', 'checkout_button', first.group);
    expect(await example()).toEqual({ userID: 'packed-user-1', group: first.group, reason: 'Persisted' });
  });
});
