/**
 * Rebuilds the read model from the log and swaps it in:
 *   npm run rebuild [-- --accept-differences] [--keep-replaced]
 * Reads the same environment as the projector (KAFKA_BROKERS, DATABASE_URL, LEDGER_TOPIC, PROJECTOR_GROUP_ID).
 * Exit codes: 0 swapped, 1 failed, 2 bad configuration, 3 differences found and the live model kept.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { ConfigError } from '@ledger/platform';
import { createKafka, ledgerDataSourceOptions, openLedgerDataSource } from '@ledger/storage';
import { loadProjectorConfig } from '../config';
import { rebuildReadModel } from '@ledger/ledger';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'accept-differences': { type: 'boolean', default: false }, 'keep-replaced': { type: 'boolean', default: false } } });
  const config = loadProjectorConfig(process.env);
  const log = (line: string): void => void process.stdout.write(`rebuild: ${line}\n`);
  const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
  const dataSource = await openLedgerDataSource(
    ledgerDataSourceOptions({ url: config.database.url, poolSize: 4, timeoutMs: config.dependencyTimeoutMs, applicationName: 'assignment-ledger-rebuild' }),
    { createIfMissing: false, timeoutMs: config.dependencyTimeoutMs },
  );
  try {
    const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-rebuild`, timeoutMs: config.dependencyTimeoutMs }, quiet);
    const report = await rebuildReadModel({
      dataSource,
      kafka,
      topic: config.kafka.topic,
      projectorGroupId: config.kafka.projectorGroupId,
      acceptDifferences: values['accept-differences'],
      keepReplaced: values['keep-replaced'],
      log,
    });
    log(`${report.matched ? 'matched' : 'DIFFERED'}; ${report.swapped ? 'swapped' : 'not swapped'}; ${report.records} records in ${report.seconds.toFixed(1)} s`);
    return report.swapped ? 0 : 3;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`rebuild: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
