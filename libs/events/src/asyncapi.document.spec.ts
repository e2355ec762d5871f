import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { ASYNCAPI_FILE, defaultFeedYaml } from '../../../scripts/events/asyncapi-file';
import { feedAsyncApiDocument, feedAsyncApiYaml } from './asyncapi.document';
import { eventHeadersFor } from './event-headers';
import { encodeLedgerEvent, type LedgerEvent } from './ledger-event';

const SOURCE = 'urn:assignment-ledger:eu';
const metadata = { eventId: '6f1c1c49-8b8e-4a5e-9a57-0a1b2c3d4e5f', occurredAt: '2026-11-25T10:00:00.000Z', cause: { source: 'evaluation' as const, apiKeyId: 'key-1', requestId: 'req-9' } };
const deep = (depth: number): Record<string, unknown> => (depth === 1 ? { leaf: [1, 'two', null] } : { inner: deep(depth - 1) });
const saved: LedgerEvent = {
  type: 'StickyValueSaved',
  version: 2,
  data: {
    persistenceKey: 'test-123:userID',
    configName: 'checkout_button',
    stickyValues: {
      value: true,
      json_value: deep(31),
      rule_id: 'Test',
      group_name: 'Test',
      secondary_exposures: [{ gate: 'g', gateValue: 'true', ruleID: 'r' }],
      undelegated_secondary_exposures: null,
      config_delegate: null,
      explicit_parameters: null,
      time: 1_764_000_000_000,
      config_version: 3,
    },
    assignment: {
      experiment: 'checkout_button',
      experimentVersion: 1,
      bucketVersion: 1,
      allocationPercent: 100,
      ruleId: 'Test',
      groupName: 'Test',
      buckets: { allocation: 8026, group: 6974 },
      targeting: { passed: true },
      enforceTargeting: false,
      reason: 'Evaluated',
    },
  },
  metadata,
};
const deleted: LedgerEvent = { type: 'StickyValueDeleted', version: 2, data: { persistenceKey: 'test-123:userID', configName: 'checkout_button', reason: 'experiment_inactive' }, metadata };

/** Error diagnostics, and warnings other than the parser's advice to move to AsyncAPI 3.1. */
async function problemsOf(text: string): Promise<string[]> {
  const { diagnostics } = await new Parser().parse(text);
  return diagnostics.filter((diagnostic) => diagnostic.code !== 'asyncapi-latest-version').map((diagnostic) => `${diagnostic.code} at ${diagnostic.path.join('.')}: ${diagnostic.message}`);
}

describe('the AsyncAPI document of the event feed', () => {
  it('is kept in the repository exactly as the code builds it (npm run events:asyncapi rewrites it)', () => {
    expect(readFileSync(ASYNCAPI_FILE, 'utf8')).toBe(defaultFeedYaml());
  });

  it("is a valid AsyncAPI 3.0 document, as kept and with a deployment's own topic, partitions and replicas", async () => {
    expect(await problemsOf(readFileSync(ASYNCAPI_FILE, 'utf8'))).toEqual([]);
    expect(await problemsOf(feedAsyncApiYaml(feedAsyncApiDocument({ topic: 'eu.sticky', partitions: 12, replicas: 3, source: SOURCE })))).toEqual([]);
  });

  describe('describes the records the ledger writes', () => {
    const document = parseYaml(feedAsyncApiYaml(feedAsyncApiDocument({ topic: 'eu.sticky', partitions: 12, source: SOURCE }))) as {
      components: { messages: Record<string, { headers: object; payload: object; bindings: { kafka: { key: object } } }> };
    };
    const ajv = addFormats(new Ajv({ strict: false }));
    const messageOf = (event: LedgerEvent) => document.components.messages[`${event.type}V${event.version}`]!;

    it.each([saved, deleted])('$type: its headers, key and value', (event) => {
      const message = messageOf(event);
      expect(ajv.validate(message.headers, eventHeadersFor(SOURCE)(event))).toBe(true);
      expect(ajv.validate(message.bindings.kafka.key, event.data.persistenceKey)).toBe(true);
      expect(ajv.validate(message.payload, JSON.parse(encodeLedgerEvent(event).toString()))).toBe(true);
    });

    it('and not records of another deployment, type or shape', () => {
      const message = messageOf(saved);
      expect(ajv.validate(message.headers, eventHeadersFor('urn:assignment-ledger:us')(saved))).toBe(false);
      expect(ajv.validate(messageOf(deleted).headers, eventHeadersFor(SOURCE)(saved))).toBe(false);
      expect(ajv.validate(message.payload, { ...saved, data: { ...saved.data, extra: 1 } })).toBe(false);
      expect(ajv.validate(message.bindings.kafka.key, 'no-id-type')).toBe(false);
    });
  });
});
