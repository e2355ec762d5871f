import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../../platform/src/lifecycle/project-root';
import { SERVICE_NODE_FLAGS } from '../../platform/src/lifecycle/service-node-flags';

export type ServiceName = 'ledger' | 'projector';

/** A service started as operators start it: the built entry point in its own process. */
export interface ServiceProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code, or rejects when the process is still running after `ms`. */
  exited(ms: number): Promise<number | null>;
  /** Resolves with the URL once the service prints that it is ready. */
  ready(ms: number): Promise<string>;
}

const repositoryRoot = projectRoot(__dirname);
const running = new Set<ChildProcess>();

/** Kills every service a test started and did not see exit, so a failed test leaves no process behind. */
export async function killLeftoverServices(): Promise<void> {
  const leftovers = [...running];
  for (const child of leftovers) child.kill('SIGKILL');
  await Promise.all(leftovers.map((child) => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve)))));
}

export function spawnService(name: ServiceName, env: Record<string, string>): ServiceProcess {
  const entry = join(repositoryRoot, 'dist', 'apps', name, 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first (\`npm test\` does)`);
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, entry], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited: (ms) => within(exit, ms, `${name} to exit`),
    ready: (ms) =>
      within(
        new Promise<string>((resolve, reject) => {
          const look = () => {
            const match = new RegExp(`^${name}: ready on (\\S+)`, 'm').exec(out);
            if (match) resolve(match[1]!);
          };
          child.stdout!.on('data', look);
          void exit.then((code) => reject(new Error(`${name} exited with ${code} before it was ready: ${err.trim()}`)));
          look();
        }),
        ms,
        `${name} to be ready`,
      ),
  };
}

function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${what}`)), ms)))]).finally(() => clearTimeout(timer));
}

/** A loopback port that nothing listens on, to stand for a dependency that is down. */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
