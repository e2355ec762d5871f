import { type Command, Option } from 'commander';
import { globalOptions, print, printJson, withOutputOptions } from './cli-context';
import { CliError, EXIT } from './cli-error';

interface RebuildCommandOptions {
  brokers?: string;
  databaseUrl?: string;
  topic?: string;
  projectorGroup?: string;
  acceptDifferences: boolean;
  keepReplaced: boolean;
}

export function addRebuildCommand(program: Command): void {
  withOutputOptions(program.command('rebuild'))
    .description('replay the whole topic into a twin read model, compare it with the live one and swap it in (the projector must be running)')
    .addOption(new Option('--brokers <host:port,...>', 'Kafka brokers').env('KAFKA_BROKERS'))
    .addOption(new Option('--database-url <url>', "the read model's database").env('DATABASE_URL'))
    .addOption(new Option('--topic <name>', 'the event topic').env('LEDGER_TOPIC'))
    .addOption(new Option('--projector-group <id>', "the live projector's consumer group").env('PROJECTOR_GROUP_ID'))
    .option('--accept-differences', 'swap even when the rebuilt read model differs (the log is the truth)', false)
    .option('--keep-replaced', 'keep the replaced schema instead of dropping it', false)
    .action(async (options: RebuildCommandOptions, command: Command) => rebuild(options, globalOptions(command).json));
}

async function rebuild(options: RebuildCommandOptions, json: boolean): Promise<void> {
  await import('reflect-metadata');
  const [{ ConfigError }, { createKafka, ledgerDataSourceOptions, openLedgerDataSource }, { loadProjectorConfig }, { rebuildReadModel }, { SingleBar, Presets }] = await Promise.all([
    import('@ledger/platform'),
    import('@ledger/storage'),
    import('../../projector/src/config'),
    import('@ledger/ledger'),
    import('cli-progress'),
  ]);
  // The projector's own configuration, flags first: the rebuild must read the log and the database the projector does.
  const env: NodeJS.ProcessEnv = { ...process.env };
  const given = { KAFKA_BROKERS: options.brokers, DATABASE_URL: options.databaseUrl, LEDGER_TOPIC: options.topic, PROJECTOR_GROUP_ID: options.projectorGroup };
  for (const [name, value] of Object.entries(given)) if (value !== undefined) env[name] = value;
  let config;
  try {
    config = loadProjectorConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
  // Progress and the log go to stderr, so stdout holds the outcome alone (or its JSON).
  const log = (line: string) => {
    bar?.stop();
    bar = undefined;
    process.stderr.write(`rebuild: ${line}\n`);
  };
  let bar: InstanceType<typeof SingleBar> | undefined;
  let barDone = false;
  const onProgress = (applied: number, total: number) => {
    if (barDone || json) return;
    if (!bar) {
      bar = new SingleBar({ format: 'replaying [{bar}] {percentage}% | {value}/{total} records | ETA {eta_formatted}', etaBuffer: 20, stream: process.stderr }, Presets.shades_classic);
      bar.start(total, applied);
    }
    bar.update(applied);
    if (applied >= total) {
      bar.stop();
      bar = undefined;
      barDone = true;
    }
  };
  const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
  const dataSource = await openLedgerDataSource(
    ledgerDataSourceOptions({ url: config.database.url, poolSize: 4, timeoutMs: config.dependencyTimeoutMs, applicationName: 'assignment-ledger-cli-rebuild' }),
    { createIfMissing: false, timeoutMs: config.dependencyTimeoutMs },
  ).catch((error: unknown) => {
    throw new CliError(`cannot open the read model's database: ${(error as Error).message}`);
  });
  try {
    const report = await rebuildReadModel({
      dataSource,
      kafka: createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-cli-rebuild`, timeoutMs: config.dependencyTimeoutMs }, quiet),
      topic: config.kafka.topic,
      projectorGroupId: config.kafka.projectorGroupId,
      acceptDifferences: options.acceptDifferences,
      keepReplaced: options.keepReplaced,
      log,
      onProgress,
    });
    if (json) printJson(report);
    else print(`${report.matched ? 'matched' : 'DIFFERED'}; ${report.swapped ? 'swapped' : 'not swapped'}; ${report.records} records in ${report.seconds.toFixed(1)} s`);
    if (!report.swapped) process.exitCode = EXIT.differences;
  } finally {
    bar?.stop();
    await dataSource.destroy();
  }
}
