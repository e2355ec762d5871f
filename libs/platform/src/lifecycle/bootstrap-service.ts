import { type INestApplication } from '@nestjs/common';
import { ConfigError } from '../config/env-config';

/** Shutdown must finish within this; past it the process exits anyway rather than hang an orchestrator. */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface ServiceEntryPoint<C> {
  name: string;
  loadConfig(env: NodeJS.ProcessEnv): C;
  start(config: C): Promise<INestApplication>;
  /** More addresses the service answers on, for the ready line (e.g. its gRPC port). */
  alsoListening?(config: C): string;
}

/**
 * Boots a service: bad configuration or an unreachable dependency ends the process with one line on
 * stderr and a non-zero code (2 for configuration, 1 otherwise) instead of a stack trace or a hang.
 */
export async function bootstrapService<C>(entry: ServiceEntryPoint<C>): Promise<void> {
  let config: C;
  try {
    config = entry.loadConfig(process.env);
  } catch (error) {
    fail(entry.name, error, error instanceof ConfigError ? 2 : 1);
  }
  let app: INestApplication;
  try {
    app = await entry.start(config);
  } catch (error) {
    fail(entry.name, error, 1);
  }
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      // Ctrl-C under `npm start` brings both: the terminal's SIGINT and the local stack's SIGTERM. Closing twice
      // would end the database pool twice, which TypeORM logs as an error.
      if (stopping) return;
      stopping = true;
      setTimeout(() => {
        process.stderr.write(`${entry.name}: shutdown took longer than ${SHUTDOWN_GRACE_MS} ms; exiting\n`);
        process.exit(1);
      }, SHUTDOWN_GRACE_MS).unref();
      app.close().then(
        () => process.exit(0),
        (error: unknown) => fail(entry.name, error, 1),
      );
    });
  }
  const also = entry.alsoListening ? ` (${entry.alsoListening(config)})` : '';
  process.stdout.write(`${entry.name}: ready on ${await app.getUrl()}${also}\n`);
}

function fail(name: string, error: unknown, code: number): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${name}: ${message.split('\n')[0]}\n`);
  process.exit(code);
}
