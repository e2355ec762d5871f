import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { closedPort } from './service-process';

const run = promisify(execFile);

/**
 * A Postgres server owned by one test file, made with initdb and driven with pg_ctl, so a test can stop
 * and restart its database without touching the machine's own server. Postgres refuses to run as root,
 * so as root it runs as the `postgres` user.
 */
export class OwnedPostgres {
  private constructor(
    readonly dataDir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<OwnedPostgres> {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-owned-pg-'));
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(dataDir, Number(stdout.trim()), Number(gid.trim()));
    }
    const server = new OwnedPostgres(dataDir, await closedPort());
    await server.asOwner('initdb', ['-D', join(dataDir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await server.start();
    return server;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  urlFor(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dataDir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await this.asOwner('pg_ctl', ['-D', join(this.dataDir, 'data'), '-o', options, '-l', join(this.dataDir, 'server.log'), '-w', '-t', '30', 'start']);
  }

  /** A fast shutdown: open connections are cut, as in a crash of the database host. */
  async stop(): Promise<void> {
    await this.asOwner('pg_ctl', ['-D', join(this.dataDir, 'data'), '-m', 'fast', '-w', '-t', '30', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private async asOwner(command: string, args: string[]): Promise<void> {
    if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', command, ...args]);
    else await run(command, args);
  }
}

export const uniqueName = (prefix: string): string => `${prefix}_${randomBytes(4).toString('hex')}`;
