import { randomUUID } from 'node:crypto';
import { CompressionTypes, Kafka, logLevel, Partitioners } from 'kafkajs';
import { ABSENT, evolve, type StickyState } from '@ledger/assignment';
import { encodeLedgerEvent, type LedgerEvent, type StickyValueEvent } from '@ledger/events';
import { stickyValueFor } from './sticky-values.fixture';

const metadata = () => ({
  eventId: randomUUID(),
  occurredAt: new Date().toISOString(),
  cause: { source: 'storage_api' as const, apiKeyId: 'test', requestId: 'test' },
});

export const savedEvent = (persistenceKey: string, configName: string, group: string): StickyValueEvent => ({
  type: 'StickyValueSaved',
  version: 2,
  data: { persistenceKey, configName, stickyValues: stickyValueFor(group) },
  metadata: metadata(),
});

export const deletedEvent = (persistenceKey: string, configName: string): StickyValueEvent => ({
  type: 'StickyValueDeleted',
  version: 2,
  data: { persistenceKey, configName, reason: 'explicit' },
  metadata: metadata(),
});

/** A deterministic mix of saves and deletes over `keys` units and two configs: a busy log in miniature. */
export function eventMix(count: number, keys: number, seed = 7): StickyValueEvent[] {
  // mulberry32: a small seeded generator whose low bits are as random as its high ones.
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return Array.from({ length: count }, () => {
    const key = `unit-${next() % keys}:userID`;
    const config = next() % 2 === 0 ? 'exp_a' : 'exp_b';
    return next() % 4 === 0 ? deletedEvent(key, config) : savedEvent(key, config, ['Control', 'Test'][next() % 2]!);
  });
}

/** Appends events straight to the topic, keyed like the ledger does; raw records (poison) pass as they are. */
export async function produceEvents(brokers: string, topic: string, events: Array<LedgerEvent | { key: string; raw: string }>): Promise<void> {
  const producer = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    for (let start = 0; start < events.length; start += 1000) {
      await producer.send({
        topic,
        acks: -1,
        compression: CompressionTypes.None,
        messages: events.slice(start, start + 1000).map((event) => ('raw' in event ? { key: event.key, value: event.raw } : { key: event.data.persistenceKey, value: encodeLedgerEvent(event) })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** The read model a correct projection must hold after `events`: a pure fold, per (key, config), in order. */
export function expectedReadModel(events: LedgerEvent[]): Map<string, StickyState> {
  const states = new Map<string, StickyState>();
  for (const event of events) {
    if (event.type === 'UnitErased') {
      for (const id of states.keys()) if (id.startsWith(`${event.data.persistenceKey}|`)) states.delete(id);
      continue;
    }
    const id = `${event.data.persistenceKey}|${event.data.configName}`;
    states.set(id, evolve(states.get(id) ?? ABSENT, event).state);
  }
  for (const [id, state] of states) if (state.kind === 'absent') states.delete(id);
  return states;
}
