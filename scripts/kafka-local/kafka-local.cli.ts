/**
 * kafka-local: run a real single-node Apache Kafka broker from its Maven Central jars.
 *
 *   npm run kafka:local -- start [--instance dev] [--port 9092]
 *   npm run kafka:local -- status|stop|wipe [--instance dev]
 *   npm run kafka:local -- fetch        (download the jars only)
 */
import { parseArgs } from 'node:util';
import { ensureJars, KAFKA_VERSION, start, status, stop, wipe } from './kafka-local';

const USAGE = 'usage: kafka-local <start|status|stop|wipe|fetch> [--instance NAME] [--port N]';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { instance: { type: 'string', default: 'dev' }, port: { type: 'string' }, help: { type: 'boolean' } },
  });
  const [command] = positionals;
  const log = (line: string): void => console.log(line);
  const instance = values.instance;
  switch (values.help ? 'help' : command) {
    case 'start': {
      const port = values.port === undefined ? undefined : Number(values.port);
      if (port !== undefined && !Number.isInteger(port)) throw new Error(`--port must be a whole number, got ${values.port}`);
      const state = await start({ instance, port, log });
      console.log(`kafka-local "${instance}" ready: KAFKA_BROKERS=${state.brokers} (pid ${state.pid}, log ${state.logFile})`);
      return;
    }
    case 'status': {
      const state = await status(instance);
      console.log(state ? JSON.stringify(state, null, 2) : `kafka-local "${instance}" is not running`);
      process.exitCode = state ? 0 : 3;
      return;
    }
    case 'stop':
      return stop(instance, log);
    case 'wipe':
      return wipe(instance, log);
    case 'fetch':
      console.log(`Apache Kafka ${KAFKA_VERSION} jars in ${await ensureJars(log)}`);
      return;
    default:
      console.log(USAGE);
      process.exitCode = command === undefined || values.help ? 0 : 2;
  }
}

main().catch((error: unknown) => {
  console.error(`kafka-local: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
