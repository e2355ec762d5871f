import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import { encodeLedgerEvent, eventHeaders, type LedgerEvent, normalizeStickyValues } from '@ledger/events';
import { ensureLedgerTopics, EventAppender, KeyPartitioner, ledgerTopics, withEnvelope } from '@ledger/storage';
import { stickyValueFor } from '@ledger/testing';
import { kafkaJars } from './bench-infrastructure';

const run = promisify(execFile);
const RECORDS = 60_000;
/**
 * Concurrent callers, each appending one event at a time: twice the records the bare producer keeps in
 * flight (4 batches of 1000), as a loaded server has requests waiting while others are on the wire; the
 * bare producer, for its part, has every record built before the clock starts.
 */
const CALLERS = 8000;
const PARTITIONS = 6;
/**
 * Sent through each path before timing, so neither pays for JIT compilation, fresh partitions or a young heap
 * still growing: with 10,000 the ledger path, measured first, ran at 0.65 of its warm rate.
 */
const WARM_UP = 30_000;
/** Timed rounds per path; the figures are the medians. */
const ROUNDS = 3;

export interface AppendResult {
  records: number;
  recordBytes: number;
  ledgerAppendPerSecond: number;
  bareKafkajsPerSecond: number;
  kafkaProducerPerformancePerSecond: number;
  ratioLedgerToBare: number;
  ratioLedgerToKafkaTool: number;
  ratioBareToKafkaTool: number;
}

/** What the service does per save: normalise the sticky value, build the envelope, validate and append. */
function saveEvent(index: number): LedgerEvent {
  const data = { persistenceKey: `bench-${index}:userID`, configName: 'checkout_button', stickyValues: normalizeStickyValues(stickyValueFor(index % 2 ? 'Control' : 'Test')) };
  return withEnvelope({ type: 'StickyValueSaved', version: 1, data }, { apiKeyId: 'bench', correlationId: randomUUID(), source: 'storage_api' });
}

export async function appendThroughput(brokers: string, log: (line: string) => void): Promise<AppendResult> {
  const kafka = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING, clientId: 'bench' });
  const admin = kafka.admin();
  await admin.connect();
  const suffix = randomUUID().slice(0, 8);
  const topics = { ledger: `bench.${suffix}.ledger`, bare: `bench.${suffix}.bare`, tool: `bench.${suffix}.tool` };
  for (const topic of Object.values(topics)) await ensureLedgerTopics(admin, ledgerTopics(topic), PARTITIONS);
  const recordBytes = encodeLedgerEvent(saveEvent(0)).length;

  // The ledger's append path, under concurrent callers.
  const appender = new EventAppender(kafka, topics.ledger, await KeyPartitioner.forTopic(admin, topics.ledger));
  await appender.connect();
  const appendConcurrently = async (count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        for (let index = next++; index < count; index = next++) await appender.append(saveEvent(index));
      }),
    );
  };

  // A bare kafkajs producer with the same records (key, value, headers, timestamp), built beforehand,
  // in batches of 1000, four batches in flight.
  const records = Array.from({ length: RECORDS }, (_, index) => {
    const event = saveEvent(index);
    return { key: event.data.persistenceKey, value: encodeLedgerEvent(event), headers: eventHeaders(event), timestamp: String(Date.parse(event.metadata.occurredAt)) };
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
  await appendConcurrently(WARM_UP);
  await sendInBatches(WARM_UP);
  // The paths take turns, the first of each round alternating, so both meet the broker (and the JIT) in
  // the same state.
  const ledgerRates: number[] = [];
  const bareRates: number[] = [];
  const timeLedger = async () => void ledgerRates.push(RECORDS / (await seconds(() => appendConcurrently(RECORDS))));
  const timeBare = async () => void bareRates.push(RECORDS / (await seconds(() => sendInBatches(RECORDS))));
  for (let turn = 1; turn <= ROUNDS; turn += 1) {
    for (const time of turn % 2 ? [timeLedger, timeBare] : [timeBare, timeLedger]) await time();
    log(`round ${turn}: ledger append path ${Math.round(ledgerRates.at(-1)!)}/s, bare kafkajs ${Math.round(bareRates.at(-1)!)}/s (${RECORDS} events each)`);
  }
  await appender.disconnect();
  await producer.disconnect();

  // Kafka's own producer benchmark: the broker's ceiling on this machine.
  const jars = await kafkaJars();
  const { stdout } = await run('java', [
    '-Xmx512m',
    '-cp',
    `${jars}/*`,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic', topics.tool,
    '--num-records', String(RECORDS * 3),
    '--record-size', String(recordBytes),
    '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${brokers}`, 'acks=all', 'enable.idempotence=true',
  ], { maxBuffer: 16 * 1024 * 1024 });
  const summary = stdout.trim().split('\n').pop() ?? '';
  const toolPerSecond = Number(/([\d.]+) records\/sec/.exec(summary)?.[1] ?? NaN);
  log(`kafka ProducerPerformance: ${summary}`);

  await admin.deleteTopics({ topics: Object.values(topics).flatMap((topic) => [topic, `${topic}.dead-letter`]) }).catch(() => undefined);
  await admin.disconnect();
  const ledgerPerSecond = median(ledgerRates);
  const barePerSecond = median(bareRates);
  return {
    records: RECORDS,
    recordBytes,
    ledgerAppendPerSecond: Math.round(ledgerPerSecond),
    bareKafkajsPerSecond: Math.round(barePerSecond),
    kafkaProducerPerformancePerSecond: Math.round(toolPerSecond),
    ratioLedgerToBare: round(ledgerPerSecond / barePerSecond),
    ratioLedgerToKafkaTool: round(ledgerPerSecond / toolPerSecond),
    ratioBareToKafkaTool: round(barePerSecond / toolPerSecond),
  };
}

const round = (value: number): number => Math.round(value * 100) / 100;

const median = (values: number[]): number => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;
