/**
 * `npm run bench`: the ledger's speed against its ceilings, side by side in one run on one broker and one
 * database. Prints a table and writes bench/results/<time>.json.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { projectRoot, SERVICE_NODE_FLAGS } from '@ledger/platform';
import { appendThroughput } from './append-throughput.bench';
import { benchInfrastructure } from './bench-infrastructure';
import { type ConstantRateResult } from './constant-rate';
import { decisionsPerSecond } from './decisions.bench';
import { inOwnProcess } from './in-own-process';
import { projectionThroughput } from './projection-throughput.bench';
import { sdkStorageLatency, type StoreLatencies } from './sdk-storage.bench';
import { serviceLatency } from './service-latency.bench';

const log = (line: string): void => void process.stdout.write(`  ${line}\n`);

async function main(): Promise<void> {
  // The projector is measured in this process (the append path in one of its own), so both run as the services do.
  const missingFlags = SERVICE_NODE_FLAGS.filter((flag) => !process.execArgv.includes(flag));
  if (missingFlags.length > 0) throw new Error(`run the bench with the services' Node flags (npm run bench does): missing ${missingFlags.join(' ')}`);
  const infrastructure = await benchInfrastructure();
  try {
    console.log(`bench on ${cpus().length} cores, Node ${process.version}, Kafka at ${infrastructure.brokers}`);
    console.log('assignment decisions');
    const decisions = await decisionsPerSecond(log);
    // Latency before throughput: the throughput runs write hundreds of megabytes, which the broker deletes
    // a minute later and the database vacuums and flushes meanwhile; a latency run after them times that.
    console.log('latency at constant rates (HTTP and gRPC) and save-to-visible lag');
    const latency = await serviceLatency(log);
    console.log('SDK storage: per-request cost with an in-memory store, the ledger adapter and Redis');
    const sdkStorage = await sdkStorageLatency(log);
    console.log('append throughput');
    const append = await inOwnProcess(appendThroughput, require.resolve('./append-throughput.bench'), [infrastructure.brokers], log);
    console.log('projection throughput');
    const projection = await projectionThroughput(log);
    const latencyRow = (what: string, result: ConstantRateResult, goal: string): [string, string, string, string] => [
      `${what}, p50 / p99 at ${result.rate}/s`,
      `${result.p50Ms} / ${result.p99Ms} ms (${result.answeredPerSecond}/s answered, ${result.failed} failed, generator start lag p99 ${result.startLagP99Ms} ms)`,
      '',
      goal,
    ];

    const sdkRows = (sdk: string, result: StoreLatencies): Array<[string, string, string, string]> => [
      [
        `${sdk} evaluation, p50 / p99 at ${result.ledger.rate} users/s: in memory, ledger, Redis`,
        [result.inMemory, result.ledger, result.redis].map((store) => `${store.p50Ms} / ${store.p99Ms}`).join(', ') + ' ms',
        `${result.ledgerOverRedisP99}`,
        'report (ledger p99 / Redis p99)',
      ],
    ];
    const rows: Array<[string, string, string, string]> = [
      ['pure core decisions/s vs Statsig server core', `${decisions.coreDecisionsPerSecond} vs ${decisions.statsigDecisionsPerSecond}`, `${decisions.ratio}`, '>= 2'],
      [`ledger appends/s (${append.callers} callers) vs bare kafkajs batches`, `${append.ledgerAppendPerSecond} vs ${append.bareKafkajsPerSecond}`, `${append.ratioLedgerToBare}`, '>= 0.8'],
      [`ledger appends/s (${append.deepQueueCallers} callers, deep queue) vs bare`, `${append.ledgerDeepQueuePerSecond} vs ${append.bareKafkajsPerSecond}`, `${append.ratioDeepQueueToBare}`, 'report'],
      ['ledger appends/s vs Kafka ProducerPerformance', `${append.ledgerAppendPerSecond} vs ${append.kafkaProducerPerformancePerSecond}`, `${append.ratioLedgerToKafkaTool}`, 'report'],
      ['bare kafkajs vs Kafka ProducerPerformance', `${append.bareKafkajsPerSecond} vs ${append.kafkaProducerPerformancePerSecond}`, `${append.ratioBareToKafkaTool}`, 'report'],
      ['projected events/s vs raw bulk upsert', `${projection.projectorEventsPerSecond} vs ${projection.rawBulkUpsertRowsPerSecond}`, `${projection.ratio}`, '>= 0.6'],
      latencyRow('HTTP load', latency.httpLoad, 'p99 <= 10 ms'),
      [`save-to-visible p50 / p99 at ${latency.saveToVisible.rate}/s`, `${latency.saveToVisible.p50Ms} / ${latency.saveToVisible.p99Ms} ms`, '', 'p99 <= 250 ms'],
      latencyRow('HTTP evaluate, sticky hits', latency.httpEvaluateStickyHits, 'p99 <= 10 ms'),
      latencyRow('gRPC evaluate, sticky hits', latency.grpcEvaluateStickyHits, 'p99 <= 10 ms'),
      latencyRow('gRPC, bare grpc-js server answering at once', latency.grpcBareServer, 'report (floor)'),
      latencyRow('HTTP evaluate, first evaluations', latency.httpEvaluateFirstEvaluations, 'report'),
      latencyRow('gRPC evaluate, first evaluations', latency.grpcEvaluateFirstEvaluations, 'report'),
      ...sdkRows('Statsig core', sdkStorage.statsig),
      ...sdkRows('GrowthBook', sdkStorage.growthbook),
      ...sdkRows('Optimizely', sdkStorage.optimizely),
    ];
    const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]!.length), ['measure', 'figures', 'ratio', 'goal'][column]!.length));
    const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
    console.log(`\n${line(['measure', 'figures', 'ratio', 'goal'])}\n${line(widths.map((width) => '-'.repeat(width)))}\n${rows.map(line).join('\n')}`);

    const results = join(projectRoot(__dirname), 'bench', 'results');
    mkdirSync(results, { recursive: true });
    const file = join(results, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), cores: cpus().length, node: process.version, decisions, append, projection, latency, sdkStorage }, null, 2)}\n`);
    console.log(`\nwrote ${file}`);
  } finally {
    await infrastructure.stop();
  }
}

main().then(
  // Statsig's native server core keeps its threads after shutdown(), which would hold the process open.
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
