import { Kafka, logLevel } from 'kafkajs';
import { decodeLedgerEvent } from '@ledger/events';
import { createTestEnvironment, readTopic, savedEvent, type TestEnvironment } from '@ledger/testing';
import { EventAppender } from '../src/log/event-appender';
import { ensureLedgerTopics, KeyPartitioner, ledgerTopics } from '@ledger/storage';

const SOURCE = 'urn:assignment-ledger:appender-test';

describe('the event appender', () => {
  let environment: TestEnvironment;

  beforeAll(async () => {
    environment = await createTestEnvironment('appender');
  });

  afterAll(async () => {
    await environment?.cleanup();
  });

  it('batches concurrent appends yet tells each caller the exact partition and offset of its own event', async () => {
    const kafka = new Kafka({ brokers: environment.brokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await ensureLedgerTopics(admin, ledgerTopics(environment.topic), 3);
    const appender = new EventAppender(kafka, environment.topic, await KeyPartitioner.forTopic(admin, environment.topic), SOURCE);
    await appender.connect();
    try {
      const events = Array.from({ length: 300 }, (_, index) => savedEvent(`unit-${index % 37}:userID`, `exp_${index % 3}`, 'Control'));
      const positions = await Promise.all(events.map((event) => appender.append(event)));
      expect(new Set(positions.map((position) => `${position.partition}/${position.offset}`)).size).toBe(events.length);

      const records = await readTopic(environment.brokers, environment.topic, events.length);
      const eventIdAt = new Map(records.map((record) => [`${record.partition}/${record.offset}`, decodeLedgerEvent(record.value).metadata.eventId]));
      expect(eventIdAt.size).toBe(events.length);
      positions.forEach((position, index) => expect(eventIdAt.get(`${position.partition}/${position.offset}`)).toBe(events[index]!.metadata.eventId));

      // Each record names its own event in the CloudEvents headers, beside the headers consumers read before them.
      for (const record of records) {
        const event = decodeLedgerEvent(record.value);
        const headers = Object.fromEntries(Object.entries(record.headers ?? {}).map(([name, value]) => [name, String(value)]));
        expect(headers).toEqual({
          ce_specversion: '1.0',
          ce_id: event.metadata.eventId,
          ce_source: SOURCE,
          ce_type: 'org.assignment-ledger.sticky-value.saved.v2',
          ce_time: event.metadata.occurredAt,
          ce_subject: event.data.persistenceKey,
          ce_dataschema: 'urn:assignment-ledger:event:StickyValueSaved:v2',
          'content-type': 'application/json',
          'event-type': 'StickyValueSaved',
          'event-version': '2',
          'event-id': event.metadata.eventId,
        });
      }
    } finally {
      await appender.disconnect();
      await admin.disconnect();
    }
  });

  it('refuses an event that breaks its schema before anything is sent', async () => {
    const kafka = new Kafka({ brokers: environment.brokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const appender = new EventAppender(kafka, environment.topic, await KeyPartitioner.forTopic(admin, environment.topic), SOURCE);
    const broken = { ...savedEvent('u:userID', 'exp', 'Control'), version: 3 } as never;
    await expect(appender.append(broken)).rejects.toThrow('unknown event type/version');
    await admin.disconnect();
  });
});
