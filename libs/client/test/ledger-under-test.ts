import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { decodeLedgerEvent, type LedgerEvent } from '@ledger/events';
import { createTestEnvironment, eventually, type TestEnvironment } from '@ledger/testing';
import { startLedgerStack, type LedgerStack } from '../../../apps/ledger/test/ledger-stack';
import { LedgerClient, type LedgerClientOptions } from '../src';

/** A ledger and a projector on the real broker and Postgres, and a way to count the calls the ledger received. */
export interface LedgerUnderTest {
  environment: TestEnvironment;
  url: string;
  grpcAddress: string;
  client(options?: Partial<LedgerClientOptions>): LedgerClient;
  /** Awaits until the ledger holds (or, with `undefined`, no longer holds) a group for the key and config; answers what it holds. */
  heldGroup(key: string, configName: string, group: string | undefined): Promise<Record<string, unknown>>;
  /** The events on the topic about one persistence key, once there are `count` of them. */
  eventsAbout(key: string, count: number): Promise<LedgerEvent[]>;
  /** The calls the ledger answered, by `<transport> <route>` (e.g. `http POST /v1/persisted/batch-load`), from its own metrics. */
  callsReceived(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function startLedgerUnderTest(label: string): Promise<LedgerUnderTest> {
  const environment = await createTestEnvironment(label);
  let stack: LedgerStack;
  try {
    stack = await startLedgerStack(environment.env, environment.adminKey);
  } catch (error) {
    await environment.cleanup();
    throw error;
  }
  const url = await stack.ledger.getUrl();
  const grpcAddress = `127.0.0.1:${environment.env.GRPC_PORT}`;
  const clients: LedgerClient[] = [];
  const reader = new LedgerClient({ url, apiKey: environment.adminKey });
  clients.push(reader);
  return {
    environment,
    url,
    grpcAddress,
    client: (options = {}) => {
      const client = new LedgerClient({ url, grpcAddress, apiKey: environment.adminKey, ...options });
      clients.push(client);
      return client;
    },
    heldGroup: (key, configName, group) =>
      eventually(
        async () => {
          const values = await reader.load(key);
          return (values[configName]?.group_name ?? undefined) === group ? values : undefined;
        },
        { what: `${key} holding ${group ?? 'nothing'} for ${configName}`, timeoutMs: 5000 },
      ),
    eventsAbout: (key, count) => eventsAbout(environment, key, count),
    callsReceived: async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const calls: Record<string, number> = {};
      for (const match of text.matchAll(/^assignment_ledger_request_duration_seconds_count\{([^}]*)\} (\d+)$/gm)) {
        const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map(([, name, value]) => [name, value]));
        if (labels.app !== 'ledger') continue;
        const name = `${labels.transport} ${labels.route}`;
        calls[name] = (calls[name] ?? 0) + Number(match[2]);
      }
      return calls;
    },
    close: async () => {
      for (const client of clients) client.close();
      await stack.close();
      await environment.cleanup();
    },
  };
}

/** The calls received between two readings of callsReceived, without the routes nobody called. */
export function callsBetween(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const made: Record<string, number> = {};
  for (const [route, count] of Object.entries(after)) {
    const delta = count - (before[route] ?? 0);
    if (delta > 0 && !route.includes('/metrics')) made[route] = delta;
  }
  return made;
}

async function eventsAbout(environment: TestEnvironment, key: string, count: number): Promise<LedgerEvent[]> {
  const consumer = new Kafka({ brokers: environment.brokers.split(','), logLevel: logLevel.NOTHING }).consumer({ groupId: `test-reader-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: environment.topic, fromBeginning: true });
    const events: LedgerEvent[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        const event = decodeLedgerEvent(message.value);
        if (event.data.persistenceKey === key) events.push(event);
      },
    });
    return await eventually(async () => (events.length >= count ? events : undefined), { what: `${count} events about ${key}`, timeoutMs: 10_000 });
  } finally {
    await consumer.disconnect();
  }
}
