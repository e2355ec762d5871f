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
import { auditReads } from './audit.bench';
import { benchInfrastructure } from './bench-infrastructure';
import { type ConstantRateResult } from './constant-rate';
import { decisionsPerSecond } from './decisions.bench';
import { inOwnProcess } from './in-own-process';
import { projectionThroughput } from './projection-throughput.bench';
import { sdkStorageLatency, type StoreLatencies } from './sdk-storage.bench';
import { serviceLatency } from './service-latency.bench';

const log = (line: string): void => void process.stdout.write(`  ${line}\n`);

/** The parts of a run, in the order they run; `npm run bench -- --only audit,projection` runs some of them. */
const SECTIONS = ['decisions', 'latency', 'sdk', 'audit', 'append', 'projection'] as const;
type Section = (typeof SECTIONS)[number];

function sectionsToRun(argv: string[]): Set<Section> {
  const at = argv.findIndex((argument) => argument === '--only' || argument.startsWith('--only='));
  if (at < 0) return new Set(SECTIONS);
  const value = argv[at]!.includes('=') ? argv[at]!.slice('--only='.length) : (argv[at + 1] ?? '');
  const asked = value.split(',').filter((name) => name !== '');
  const unknown = asked.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (asked.length === 0 || unknown.length > 0) throw new Error(`--only takes a comma-separated list of ${SECTIONS.join(', ')}${unknown.length > 0 ? `; not ${unknown.join(', ')}` : ''}`);
  return new Set(asked as Section[]);
}

/** A row's goal, and whether this run met it (undefined for figures that are only reported). */
interface Goal {
  text: string;
  met?: boolean;
}
const atLeast = (minimum: number, ratio: number): Goal => ({ text: `>= ${minimum}`, met: ratio >= minimum });
const p99AtMost = (maximumMs: number, p99Ms: number, failed = 0): Goal => ({ text: `p99 <= ${maximumMs} ms`, met: p99Ms <= maximumMs && failed === 0 });
const report = (text = 'report'): Goal => ({ text });
type Row = [measure: string, figures: string, ratio: string, goal: Goal];

async function main(): Promise<void> {
  const run = sectionsToRun(process.argv.slice(2));
  // The projector is measured in this process (the append path in one of its own), so both run as the services do.
  const missingFlags = SERVICE_NODE_FLAGS.filter((flag) => !process.execArgv.includes(flag));
  if (missingFlags.length > 0) throw new Error(`run the bench with the services' Node flags (npm run bench does): missing ${missingFlags.join(' ')}`);
  const infrastructure = await benchInfrastructure();
  try {
    console.log(`bench on ${cpus().length} cores, Node ${process.version}, Kafka at ${infrastructure.brokers}${run.size < SECTIONS.length ? `; only ${[...run].join(', ')}` : ''}`);
    const rows: Row[] = [];
    const latencyRow = (what: string, result: ConstantRateResult, goal: Goal): Row => [
      `${what}, p50 / p99 at ${result.rate}/s`,
      `${result.p50Ms} / ${result.p99Ms} ms (${result.answeredPerSecond}/s answered, ${result.failed} failed, generator start lag p99 ${result.startLagP99Ms} ms)`,
      '',
      goal,
    ];
    const figures: Record<string, unknown> = {};

    if (run.has('decisions')) {
      console.log('assignment decisions');
      const decisions = await decisionsPerSecond(log);
      figures.decisions = decisions;
      rows.push(['pure core decisions/s vs Statsig server core', `${decisions.coreDecisionsPerSecond} vs ${decisions.statsigDecisionsPerSecond}`, `${decisions.ratio}`, atLeast(2, decisions.ratio)]);
    }
    // Latency before throughput: the throughput runs write hundreds of megabytes, which the broker deletes
    // a minute later and the database vacuums and flushes meanwhile; a latency run after them times that.
    if (run.has('latency')) {
      console.log('latency at constant rates (HTTP and gRPC) and save-to-visible lag');
      const latency = await serviceLatency(log);
      figures.latency = latency;
      rows.push(
        latencyRow('HTTP load', latency.httpLoad, p99AtMost(10, latency.httpLoad.p99Ms, latency.httpLoad.failed)),
        [
          `save-to-visible p50 / p99 at ${latency.saveToVisible.rate}/s`,
          `${latency.saveToVisible.p50Ms} / ${latency.saveToVisible.p99Ms} ms`,
          '',
          p99AtMost(250, latency.saveToVisible.p99Ms, latency.saveToVisible.failed),
        ],
        latencyRow('HTTP evaluate, sticky hits', latency.httpEvaluateStickyHits, p99AtMost(10, latency.httpEvaluateStickyHits.p99Ms, latency.httpEvaluateStickyHits.failed)),
        latencyRow('gRPC evaluate, sticky hits', latency.grpcEvaluateStickyHits, p99AtMost(10, latency.grpcEvaluateStickyHits.p99Ms, latency.grpcEvaluateStickyHits.failed)),
        latencyRow('gRPC, bare grpc-js server answering at once', latency.grpcBareServer, report('report (floor)')),
        latencyRow('HTTP evaluate, first evaluations', latency.httpEvaluateFirstEvaluations, report()),
        latencyRow('gRPC evaluate, first evaluations', latency.grpcEvaluateFirstEvaluations, report()),
      );
    }
    if (run.has('sdk')) {
      console.log('SDK storage: per-request cost with an in-memory store, the ledger adapter and Redis');
      const sdkStorage = await sdkStorageLatency(log);
      figures.sdkStorage = sdkStorage;
      const sdkRow = (sdk: string, result: StoreLatencies): Row => [
        `${sdk} evaluation, p50 / p99 at ${result.ledger.rate} users/s: in memory, ledger, Redis`,
        [result.inMemory, result.ledger, result.redis].map((store) => `${store.p50Ms} / ${store.p99Ms}`).join(', ') + ' ms',
        `${result.ledgerOverRedisP99}`,
        report('report (ledger p99 / Redis p99)'),
      ];
      rows.push(sdkRow('Statsig core', sdkStorage.statsig), sdkRow('GrowthBook', sdkStorage.growthbook), sdkRow('Optimizely', sdkStorage.optimizely));
    }
    // The audit reads after the other latency runs (its million seeded rows leave vacuum and flushing behind)
    // and before the throughput runs.
    if (run.has('audit')) {
      console.log("audit reads: a unit's trail and explanation, an experiment's assignments and their export");
      const audit = await auditReads(log);
      figures.audit = audit;
      const exported = (side: { rowsPerSecond: number; megabytesPerSecond: number }) => `${side.rowsPerSecond} rows/s (${side.megabytesPerSecond} MB/s)`;
      rows.push(
        latencyRow(`audit of a unit with ${audit.unitEvents} events, first page`, audit.trail, p99AtMost(20, audit.trail.p99Ms, audit.trail.failed)),
        latencyRow(`audit of a unit with ${audit.unitEvents} events, last page by cursor`, audit.trailLastPage, p99AtMost(20, audit.trailLastPage.p99Ms, audit.trailLastPage.failed)),
        latencyRow(`audit of a unit with ${audit.unitEvents} events, whole trail in one answer (${Math.round(audit.wholeTrail.bytes / 1000)} kB)`, audit.wholeTrail, report()),
        latencyRow(`explain of a unit with ${audit.unitEvents} events`, audit.explain, p99AtMost(10, audit.explain.p99Ms, audit.explain.failed)),
        latencyRow(`assignments, ${audit.stickyUnits} sticky units`, audit.assignments, p99AtMost(50, audit.assignments.p99Ms, audit.assignments.failed)),
        [
          `ndjson export of ${audit.stickyUnits} units vs raw COPY TO STDOUT`,
          `${exported(audit.exportHttp)} vs ${exported(audit.exportRawCopy)}`,
          `${audit.exportRatio}`,
          atLeast(0.5, audit.exportRatio),
        ],
      );
    }
    if (run.has('append')) {
      console.log('append throughput');
      const append = await inOwnProcess(appendThroughput, require.resolve('./append-throughput.bench'), [infrastructure.brokers], log);
      figures.append = append;
      rows.push(
        [
          `ledger appends/s (${append.callers} callers) vs bare kafkajs batches`,
          `${append.ledgerAppendPerSecond} vs ${append.bareKafkajsPerSecond}`,
          `${append.ratioLedgerToBare}`,
          atLeast(0.8, append.ratioLedgerToBare),
        ],
        [
          `ledger appends/s (${append.deepQueueCallers} callers, deep queue) vs bare`,
          `${append.ledgerDeepQueuePerSecond} vs ${append.bareKafkajsPerSecond}`,
          `${append.ratioDeepQueueToBare}`,
          report(),
        ],
        ['ledger appends/s vs Kafka ProducerPerformance', `${append.ledgerAppendPerSecond} vs ${append.kafkaProducerPerformancePerSecond}`, `${append.ratioLedgerToKafkaTool}`, report()],
        ['bare kafkajs vs Kafka ProducerPerformance', `${append.bareKafkajsPerSecond} vs ${append.kafkaProducerPerformancePerSecond}`, `${append.ratioBareToKafkaTool}`, report()],
      );
    }
    if (run.has('projection')) {
      console.log('projection throughput');
      const projection = await projectionThroughput(log);
      figures.projection = projection;
      // The projector now also keeps the experiment counters and the history; the goal holds with them.
      rows.push([
        'projected events/s (rows, history, counters) vs raw bulk upsert',
        `${projection.projectorEventsPerSecond} vs ${projection.rawBulkUpsertRowsPerSecond}`,
        `${projection.ratio}`,
        atLeast(0.6, projection.ratio),
      ]);
    }

    const cells = rows.map(([measure, numbers, ratio, goal]) => [measure, numbers, ratio, goal.text, goal.met === undefined ? '' : goal.met ? 'pass' : 'FAIL']);
    const headings = ['measure', 'figures', 'ratio', 'goal', 'met'];
    const widths = headings.map((heading, column) => Math.max(...cells.map((row) => row[column]!.length), heading.length));
    const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
    console.log(`\n${line(headings)}\n${line(widths.map((width) => '-'.repeat(width)))}\n${cells.map(line).join('\n')}`);

    const results = join(projectRoot(__dirname), 'bench', 'results');
    mkdirSync(results, { recursive: true });
    const file = join(results, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      `${JSON.stringify({ at: new Date().toISOString(), cores: cpus().length, node: process.version, ...figures, goals: cells.map(([measure, , , goal, met]) => ({ measure, goal, met })) }, null, 2)}\n`,
    );
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
