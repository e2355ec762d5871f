/**
 * The topic read as an analytics job outside this repository would read it: plain kafkajs and ajv, the
 * published schema files, the served AsyncAPI document and docs/events.md; nothing of the ledger's code
 * but the harness that starts it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Kafka, logLevel } from 'kafkajs';
import { createTestEnvironment, type TestEnvironment } from '@ledger/testing';
import { type LedgerStack, startLedgerStack } from './ledger-stack';

const SCHEMAS_DIR = join(__dirname, '..', '..', '..', 'libs', 'events', 'schemas');

const experimentSpec = {
  idType: 'userID',
  status: 'active',
  allocationPercent: 100,
  targeting: [{ field: 'country', operator: 'any', values: ['NZ'] }],
  groups: [
    { name: 'Control', weight: 50, parameters: { color: 'blue' } },
    { name: 'Test', weight: 50, parameters: { color: 'green' } },
  ],
  defaultParameters: { color: 'grey' },
};
const stickyValue = (group: string) => ({ value: true, json_value: { group }, rule_id: group, group_name: group, secondary_exposures: [], time: 1_764_000_000_000, config_version: 1 });

type Held = Map<string, Map<string, unknown>>;

describe('an outside consumer of the event topic', () => {
  let environment: TestEnvironment;
  let stack: LedgerStack;

  beforeAll(async () => {
    environment = await createTestEnvironment('outside-consumer');
    stack = await startLedgerStack(environment.env, environment.adminKey);
  });

  afterAll(async () => {
    await stack?.close();
    await environment?.cleanup();
  });

  it('validates every record against the published contract and, deduplicating and folding as the guide says, arrives at the read model', async () => {
    const { api } = stack;
    // Evaluations with persistence: first evaluations save, a later one reads the value, persist:false deletes it.
    expect((await api.put('/v1/experiments/checkout_button', experimentSpec)).status).toBe(201);
    for (const userID of ['e-1', 'e-2', 'e-3', 'e-4']) expect((await api.post('/v1/experiments/checkout_button/evaluate', { user: { userID, country: 'NZ' } })).status).toBe(200);
    expect((await api.post('/v1/experiments/checkout_button/evaluate', { user: { userID: 'e-1', country: 'NZ' } })).body.reason).toBe('Persisted');
    expect((await api.post('/v1/experiments/checkout_button/evaluate', { user: { userID: 'e-2', country: 'NZ' }, persist: false })).status).toBe(200);
    // Storage API saves, a delete, a delete of nothing, and a save again after the delete.
    for (const unit of ['s-1', 's-2', 's-3']) expect((await api.put(`/v1/persisted/${unit}:userID/pricing_page`, stickyValue('Control'))).status).toBe(201);
    expect((await api.delete('/v1/persisted/s-1:userID/pricing_page')).body.outcome).toBe('deleted');
    expect((await api.delete('/v1/persisted/s-9:userID/pricing_page')).body.outcome).toBe('absent');
    expect((await api.put('/v1/persisted/s-1:userID/pricing_page', stickyValue('Test'))).status).toBe(201);
    // A unit erased: everything it held goes, in every config.
    expect((await api.put('/v1/persisted/x-1:userID/pricing_page', stickyValue('Control'))).status).toBe(201);
    expect((await api.post('/v1/experiments/checkout_button/evaluate', { user: { userID: 'x-1', country: 'NZ' } })).status).toBe(200);
    expect((await api.delete('/v1/units/x-1:userID')).body.outcome).toBe('erased');
    // Six callers race on one unit's first save: one wins, in the log as in the answers.
    const race = await Promise.all(['A', 'B', 'C', 'D', 'E', 'F'].map((group) => api.put('/v1/persisted/race-1:userID/pricing_page', stickyValue(group))));
    expect(race.filter((answer) => answer.status === 201)).toHaveLength(1);

    // What the consumer knows: the schema files, and the headers of each message from the served AsyncAPI document.
    const ajv = addFormats(new Ajv2020({ strict: false }));
    for (const file of readdirSync(SCHEMAS_DIR)) ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS_DIR, file), 'utf8')));
    const asyncapi = (await (await fetch(`${await stack.ledger.getUrl()}/v1/asyncapi.json`)).json()) as {
      components: { messages: Record<string, { headers: { properties: Record<string, { const?: string }> } }> };
    };
    const headersSchemaOf = (ceType: string) => Object.values(asyncapi.components.messages).find((message) => message.headers.properties.ce_type?.const === ceType)?.headers;

    // Its own group, from the beginning; after reading to the end it reads everything again, as after a restart
    // that lost its committed offsets, so every event arrives twice.
    const kafka = new Kafka({ brokers: environment.brokers.split(','), logLevel: logLevel.NOTHING, clientId: 'analytics' });
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(environment.topic);
    await admin.disconnect();
    const total = ends.reduce((sum, partition) => sum + Number(partition.high), 0);
    const consumer = kafka.consumer({ groupId: `analytics-${environment.groupId}` });
    await consumer.connect();
    await consumer.subscribe({ topic: environment.topic, fromBeginning: true });

    const problems: string[] = [];
    const seen = new Set<string>();
    const held: Held = new Map();
    const outcomes = { saved: 0, superseded: 0, deleted: 0, erased: 0, duplicates: 0 };
    let received = 0;
    let readAll: () => void;
    let readTwice: () => void;
    const firstPass = new Promise<void>((resolve) => (readAll = resolve));
    const secondPass = new Promise<void>((resolve) => (readTwice = resolve));
    const countReceived = () => {
      received += 1;
      if (received === total) readAll();
      if (received === 2 * total) readTwice();
    };
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
        const key = message.key?.toString('utf8') ?? '';
        const event = JSON.parse(message.value?.toString('utf8') ?? 'null');
        const where = `partition ${partition} offset ${message.offset}`;
        const headersSchema = headersSchemaOf(headers.ce_type ?? '');
        if (!headersSchema || !ajv.validate(headersSchema, headers)) problems.push(`${where}: headers ${JSON.stringify(headers)} ${ajv.errorsText()}`);
        if (!ajv.validate(headers.ce_dataschema ?? '', event)) problems.push(`${where}: value ${ajv.errorsText()}`);
        if (headers.ce_id !== event.metadata.eventId || headers.ce_time !== event.metadata.occurredAt || headers.ce_subject !== key || key !== event.data.persistenceKey) {
          problems.push(`${where}: headers and key disagree with the value`);
        }

        // The fold of docs/events.md: once per event id, per (persistence key, config name), in log order.
        if (seen.has(headers.ce_id!)) outcomes.duplicates += 1;
        else {
          seen.add(headers.ce_id!);
          if (event.type === 'UnitErased') {
            held.delete(key);
            outcomes.erased += 1;
            return countReceived();
          }
          const configs = held.get(key) ?? new Map<string, unknown>();
          held.set(key, configs);
          const { configName } = event.data;
          if (event.type === 'StickyValueDeleted') {
            if (configs.delete(configName)) outcomes.deleted += 1;
          } else if (configs.has(configName)) {
            outcomes.superseded += 1;
          } else {
            configs.set(configName, event.data.stickyValues);
            outcomes.saved += 1;
          }
        }

        countReceived();
      },
    });
    try {
      await withinSeconds(30, firstPass, `reading ${total} records`);
      for (const { partition } of ends) consumer.seek({ topic: environment.topic, partition, offset: '0' });
      await withinSeconds(30, secondPass, `reading ${total} records again`);
    } finally {
      await consumer.disconnect();
    }

    expect(problems).toEqual([]);
    // Every event once more, dropped by its id; every delete appended removed a held value.
    expect(outcomes).toMatchObject({ duplicates: total, deleted: 2, erased: 1 });
    expect(outcomes.saved + outcomes.superseded + outcomes.deleted + outcomes.erased).toBe(total);
    expect((await api.get('/v1/persisted/x-1:userID')).body.values).toEqual({});
    expect(held.get('race-1:userID')?.get('pricing_page')).toEqual(race.find((answer) => answer.status === 201)!.body.value);
    for (const [key, configs] of held) {
      const readModel = await api.get(`/v1/persisted/${encodeURIComponent(key)}`);
      expect({ key, values: readModel.body.values }).toEqual({ key, values: Object.fromEntries(configs) });
    }
    expect([...held.keys()].sort()).toEqual(['e-1:userID', 'e-2:userID', 'e-3:userID', 'e-4:userID', 'race-1:userID', 's-1:userID', 's-2:userID', 's-3:userID']);
  });
});

function withinSeconds(seconds: number, work: Promise<void>, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${seconds} s`)), seconds * 1000)));
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
