/**
 * Runs one benchmark function in a fresh process with the services' Node flags, the way the code it times
 * runs in a service: the bench's own process holds the decision benchmark's 100k users and Statsig's native
 * core by then, and a timed path that makes garbage pays for collecting a heap that is not its own.
 */
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { SERVICE_NODE_FLAGS } from '@ledger/platform';

/** A benchmark: its own arguments, then a function that prints one line of progress. */
type Benchmark<Args extends unknown[], Result> = (...argsThenLog: [...Args, (line: string) => void]) => Promise<Result>;

type FromChild = { line: string } | { result: unknown } | { error: string };

interface Job {
  modulePath: string;
  exportName: string;
  args: unknown[];
}

/**
 * Calls `benchmark` with `args` in the child. It must be exported under its own name from `modulePath`
 * (pass `require.resolve('./x.bench')`), since only names cross to the other process.
 */
export function inOwnProcess<Args extends unknown[], Result>(benchmark: Benchmark<Args, Result>, modulePath: string, args: Args, log: (line: string) => void): Promise<Result> {
  const exportName = benchmark.name;
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [], { execArgv: [...SERVICE_NODE_FLAGS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    child.on('message', (message: FromChild) => {
      if ('line' in message) return log(message.line);
      settled = true;
      if ('result' in message) resolve(message.result as Result);
      else reject(new Error(`${exportName} failed in its own process: ${message.error}`));
    });
    child.once('error', reject);
    child.once('exit', (code) => settled || reject(new Error(`${exportName}'s process exited with ${code} before reporting`)));
    child.send({ modulePath, exportName, args } satisfies Job);
  });
}

if (require.main === module) {
  process.once('message', (job: Job) => {
    const send = (message: FromChild) => new Promise<void>((done) => process.send!(message, () => done()));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the parent names the module to run only at run time
    const benchmark = (require(job.modulePath) as Record<string, Benchmark<unknown[], unknown>>)[job.exportName];
    if (typeof benchmark !== 'function') {
      void send({ error: `${job.modulePath} exports no function ${job.exportName}` }).then(() => process.exit(1));
      return;
    }
    benchmark(...job.args, (line: string) => void send({ line })).then(
      (result) => send({ result }).then(() => process.exit(0)),
      (error: unknown) => send({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }).then(() => process.exit(1)),
    );
  });
}
