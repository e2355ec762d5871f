import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import { defaultEventSource, encodeLedgerEvent, eventHeadersFor, type LedgerEvent, normalizeStickyValues } from '@ledger/events';
import { EventAppender, withEnvelope } from '@ledger/ledger';
import { ensureLedgerTopics, KeyPartitioner, ledgerTopics } from '@ledger/storage';
import { stickyValueFor } from '@ledger/testing';
import { kafkaJars } from './bench-infrastructure';

const run = promisify(execFile);
const RECORDS = 60_000;
/**
 * Concurrent callers, each appending one event at a time: as many as the largest produce request holds, so a
 * full batch is waiting whenever a request comes back (every request measured carried 1000 events) and the
 * path runs at its capacity; the bare producer, for its part, has every record built before the clock starts.
 */
const CALLERS = 1000;
/**
 * Also timed, and reported: callers queued eight requests deep. Each append then waits about 300 ms, long
 * enough to outlive two young-generation collections (kafkajs's buffers bring one every ~70 ms) and be
 * copied into the old generation: runs of the day this was set measured 0.68-0.83 of the bare rate this
 * way against 0.86-0.90 with 1000 callers.
 */
const DEEP_QUEUE_CALLERS = 8000;
const PARTITIONS = 6;
/**
 * Sent through each path before timing, so neither pays for JIT compilation, fresh partitions or a young heap
 * still growing: with 10,000 the ledger path, measured first, ran at 0.65 of its warm rate.
 */
const WARM_UP = 30_000;
/** Timed rounds per path; the rates are the medians, the ratios the medians of the rounds' own ratios. */
const ROUNDS = 5;

export interface AppendResult {
  records: number;
  recordBytes: number;
  callers: number;
  ledgerAppendPerSecond: number;
  deepQueueCallers: number;
  ledgerDeepQueuePerSecond: number;
  bareKafkajsPerSecond: number;
  kafkaProducerPerformancePerSecond: number;
  ratioLedgerToBare: number;
  ratioDeepQueueToBare: number;
  ratioLedgerToKafkaTool: number;
  ratioBareToKafkaTool: number;
}

/** What the service does per save: normalise the sticky value, build the envelope, validate and append. */
function saveEvent(index: number): LedgerEvent {
  const data = { persistenceKey: `bench-${index}:userID`, configName: 'checkout_button', stickyValues: normalizeStickyValues(stickyValueFor(index % 2 ? 'Control' : 'Test')) };
  return withEnvelope({ type: 'StickyValueSaved', version: 2, data }, { source: 'storage_api', apiKeyId: 'bench', requestId: randomUUID() });
}

export async function appendThroughput(brokers: string, log: (line: string) => void): Promise<AppendResult> {
  const kafka = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING, clientId: 'bench' });
  const admin = kafka.admin();
  await admin.connect();
  const suffix = randomUUID().slice(0, 8);
  const topics = { ledger: `bench.${suffix}.ledger`, bare: `bench.${suffix}.bare`, tool: `bench.${suffix}.tool` };
  for (const topic of Object.values(topics)) await ensureLedgerTopics(admin, ledgerTopics(topic), PARTITIONS);
  const recordBytes = encodeLedgerEvent(saveEvent(0)).length;
  const source = defaultEventSource(topics.ledger);

  // The ledger's append path, under concurrent callers.
  const appender = new EventAppender(kafka, topics.ledger, await KeyPartitioner.forTopic(admin, topics.ledger), source);
  await appender.connect();
  const appendConcurrently = async (count: number, callers: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: callers }, async () => {
        for (let index = next++; index < count; index = next++) await appender.append(saveEvent(index));
      }),
    );
  };

  // A bare kafkajs producer with the same records (key, value, the same eleven headers, timestamp), built
  // beforehand, in batches of 1000, four batches in flight.
  const headersOf = eventHeadersFor(source);
  const records = Array.from({ length: RECORDS }, (_, index) => {
    const event = saveEvent(index);
    return { key: event.data.persistenceKey, value: encodeLedgerEvent(event), headers: headersOf(event), timestamp: String(Date.parse(event.metadata.occurredAt)) };
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const sendInBatches = async (count: number) => {
    let batch = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let start = batch++ * 1000; start < count; start = batch++ * 1000) {
          await producer.send({ topic: topics.bare, acks: -1, compression: CompressionTypes.None, messages: records.slice(start, Math.min(start + 1000, count)) });
        }
      }),
    );
  };

  const seconds = async (work: () => Promise<void>) => {
    const started = process.hrtime.bigint();
    await work();
    return Number(process.hrtime.bigint() - started) / 1e9;
  };
  await appendConcurrently(WARM_UP, CALLERS);
  await appendConcurrently(WARM_UP, DEEP_QUEUE_CALLERS);
  await sendInBatches(WARM_UP);
  // The paths take turns, the first of each round rotating, so all meet the broker (and the JIT) in the
  // same states.
  const rates = { ledger: [] as number[], deepQueue: [] as number[], bare: [] as number[] };
  const paths = [
    async () => void rates.ledger.push(RECORDS / (await seconds(() => appendConcurrently(RECORDS, CALLERS)))),
    async () => void rates.deepQueue.push(RECORDS / (await seconds(() => appendConcurrently(RECORDS, DEEP_QUEUE_CALLERS)))),
    async () => void rates.bare.push(RECORDS / (await seconds(() => sendInBatches(RECORDS)))),
  ];
  for (let turn = 0; turn < ROUNDS; turn += 1) {
    for (let path = 0; path < paths.length; path += 1) await paths[(turn + path) % paths.length]!();
    const last = (values: number[]) => Math.round(values.at(-1)!);
    log(
      `round ${turn + 1}: ledger append path ${last(rates.ledger)}/s (${CALLERS} callers), ${last(rates.deepQueue)}/s (${DEEP_QUEUE_CALLERS} callers), bare kafkajs ${last(rates.bare)}/s (${RECORDS} events each)`,
    );
  }
  await appender.disconnect();
  await producer.disconnect();

  // Kafka's own producer benchmark: the broker's ceiling on this machine.
  const jars = await kafkaJars();
  const { stdout } = await run(
    'java',
    [
      '-Xmx512m',
      '-cp',
      `${jars}/*`,
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      topics.tool,
      '--num-records',
      String(RECORDS * 3),
      '--record-size',
      String(recordBytes),
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${brokers}`,
      'acks=all',
      'enable.idempotence=true',
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const summary = stdout.trim().split('\n').pop() ?? '';
  const toolPerSecond = Number(/([\d.]+) records\/sec/.exec(summary)?.[1] ?? NaN);
  log(`kafka ProducerPerformance: ${summary}`);

  await admin.deleteTopics({ topics: Object.values(topics).flatMap((topic) => [topic, `${topic}.dead-letter`]) }).catch(() => undefined);
  await admin.disconnect();
  const ledgerPerSecond = median(rates.ledger);
  const deepQueuePerSecond = median(rates.deepQueue);
  const barePerSecond = median(rates.bare);
  return {
    records: RECORDS,
    recordBytes,
    callers: CALLERS,
    ledgerAppendPerSecond: Math.round(ledgerPerSecond),
    deepQueueCallers: DEEP_QUEUE_CALLERS,
    ledgerDeepQueuePerSecond: Math.round(deepQueuePerSecond),
    bareKafkajsPerSecond: Math.round(barePerSecond),
    kafkaProducerPerformancePerSecond: Math.round(toolPerSecond),
    // Ratios of rates timed back to back within a round: this machine's speed drifts more between rounds.
    ratioLedgerToBare: round(median(rates.ledger.map((rate, turn) => rate / rates.bare[turn]!))),
    ratioDeepQueueToBare: round(median(rates.deepQueue.map((rate, turn) => rate / rates.bare[turn]!))),
    ratioLedgerToKafkaTool: round(ledgerPerSecond / toolPerSecond),
    ratioBareToKafkaTool: round(barePerSecond / toolPerSecond),
  };
}

const round = (value: number): number => Math.round(value * 100) / 100;

const median = (values: number[]): number => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;
