import { randomBytes } from 'node:crypto';
import { type Command, Option } from 'commander';
import { globalOptions, positiveInteger, print, printJson, withOutputOptions } from './cli-context';
import { CliError, EXIT, oneLine } from './cli-error';
import { matchesFilter, renderEventLine, type TailFilter } from './tail.render';

const TYPES = { StickyValueSaved: 'StickyValueSaved', StickyValueDeleted: 'StickyValueDeleted', saved: 'StickyValueSaved', deleted: 'StickyValueDeleted' } as const;

interface TailOptions {
  brokers?: string;
  topic: string;
  fromBeginning: boolean;
  key?: string;
  experiment?: string;
  type?: keyof typeof TYPES;
  count?: number;
}

export function addTailCommand(program: Command): void {
  withOutputOptions(program.command('tail'))
    .description('follow the event topic: one readable line per event (v1 records upcast), until Ctrl-C')
    .addOption(new Option('--brokers <host:port,...>', 'Kafka brokers').env('KAFKA_BROKERS'))
    .addOption(new Option('--topic <name>', 'the event topic').env('LEDGER_TOPIC').default('assignment-ledger.sticky-values'))
    .option('--from-beginning', 'start at the oldest record instead of the end', false)
    .option('--key <key>', 'only events of this persistence key')
    .option('--experiment <name>', 'only events of this experiment (config name)')
    .addOption(new Option('--type <type>', 'only events of this type').choices(Object.keys(TYPES)))
    .option('--count <n>', 'stop after printing this many events', positiveInteger)
    .action(async (options: TailOptions, command: Command) => tail(options, globalOptions(command).json, globalOptions(command).timeout));
}

async function tail(options: TailOptions, json: boolean, timeoutMs: number): Promise<void> {
  if (!options.brokers) throw new CliError('no Kafka brokers: pass --brokers or set KAFKA_BROKERS', EXIT.usage);
  // Loaded here, not at start, so the other commands (and --help) do not pay for the Kafka client.
  const [{ createKafka, ledgerTopics }, { decodeLedgerEvent, InvalidEventError }] = await Promise.all([import('@ledger/storage'), import('@ledger/events')]);
  const topic = ledgerTopics(options.topic).events;
  const filter: TailFilter = { key: options.key, experiment: options.experiment, type: options.type ? TYPES[options.type] : undefined };
  const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
  const kafka = createKafka({ brokers: options.brokers.split(','), clientId: 'assignment-ledger-cli', timeoutMs }, silent, { retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 } });
  // Its own group, so following the topic never moves anyone's offsets; deleted on the way out.
  const groupId = `assignment-ledger-cli-tail-${randomBytes(6).toString('hex')}`;
  const admin = kafka.admin();
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  let printed = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const stop = () => finish();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await admin.connect();
    if (!(await admin.listTopics()).includes(topic)) throw new CliError(`topic ${topic} does not exist on ${options.brokers}`);
    // The end as it is now: every event appended from here on is printed, however long joining the group takes.
    const ends = await admin.fetchTopicOffsets(topic);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        if (options.count !== undefined && printed >= options.count) return;
        let event;
        try {
          event = decodeLedgerEvent(message.value);
        } catch (error) {
          if (!(error instanceof InvalidEventError)) throw error;
          process.stderr.write(`partition ${partition} offset ${message.offset}: not a ledger event (${error.reason})\n`);
          return;
        }
        if (!matchesFilter(event, filter)) return;
        if (json) printJson(event);
        else print(renderEventLine(event));
        printed += 1;
        if (options.count !== undefined && printed >= options.count) finish();
      },
    });
    if (!options.fromBeginning) for (const { partition, high } of ends) consumer.seek({ topic, partition, offset: high });
    process.stderr.write(`following ${topic} (${ends.length} partitions) from ${options.fromBeginning ? 'the beginning' : 'the end'}; Ctrl-C stops\n`);
    await finished;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot follow ${topic} on ${options.brokers}: ${oneLine(error)}`);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
