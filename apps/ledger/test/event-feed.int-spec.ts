import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { parse as parseYaml } from 'yaml';
import { createTestEnvironment, readTopic, stickyValueFor, type TestEnvironment } from '@ledger/testing';
import { type LedgerStack, startLedgerStack } from './ledger-stack';

const SOURCE = 'urn:assignment-ledger:event-feed-test';
const SCHEMAS_DIR = join(__dirname, '..', '..', '..', 'libs', 'events', 'schemas');

interface Listing {
  schemas: Array<{ name: string; type: string; version: number; id: string; url: string; current: boolean; description: string }>;
  asyncapi: { yaml: string; json: string };
}

describe("the event feed's public contract, served by the ledger", () => {
  let environment: TestEnvironment;
  let stack: LedgerStack;
  let baseUrl: string;
  /** No API key: the contract is public. */
  const get = (path: string) => fetch(`${baseUrl}${path}`);

  beforeAll(async () => {
    environment = await createTestEnvironment('event-feed');
    stack = await startLedgerStack({ ...environment.env, LEDGER_EVENT_SOURCE: SOURCE }, environment.adminKey);
    baseUrl = await stack.ledger.getUrl();
  });

  afterAll(async () => {
    await stack?.close();
    await environment?.cleanup();
  });

  it('lists every published schema, old versions too, each with the id records name and the URL serving its file', async () => {
    const response = await get('/v1/schemas');
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const listing = (await response.json()) as Listing;
    expect(listing.schemas.map(({ name, current }) => [name, current])).toEqual([
      ['StickyValueSaved.v1', false],
      ['StickyValueDeleted.v1', false],
      ['StickyValueSaved.v2', true],
      ['StickyValueDeleted.v2', true],
      ['UnitErased.v1', true],
    ]);
    expect(listing.asyncapi).toEqual({ yaml: '/v1/asyncapi.yaml', json: '/v1/asyncapi.json' });
    for (const schema of listing.schemas) {
      expect(schema).toMatchObject({ id: `urn:assignment-ledger:event:${schema.type}:v${schema.version}`, url: `/v1/schemas/${schema.type}.v${schema.version}.schema.json` });
      expect(schema.description.length).toBeGreaterThan(0);
      const file = await get(schema.url);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('application/schema+json');
      expect(file.headers.get('cache-control')).toContain('immutable');
      // Byte for byte the published file, whose own $id is what the listing says.
      const text = await file.text();
      expect(text).toBe(readFileSync(join(SCHEMAS_DIR, `${schema.name}.schema.json`), 'utf8'));
      expect(JSON.parse(text).$id).toBe(schema.id);
    }
  });

  it('answers 404 UNKNOWN_SCHEMA for a file it does not publish, and reads nothing else from disk', async () => {
    const unknown = await get('/v1/schemas/StickyValueSaved.v3.schema.json');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('UNKNOWN_SCHEMA');
    // Whether the router or the route refuses these, what comes back is an error, not a file.
    for (const path of ['/v1/schemas/..%2F..%2F..%2Fpackage.json', '/v1/schemas/%2E%2E%2Fschemas%2FStickyValueSaved.v2.schema.json', '/v1/schemas/']) {
      const response = await get(path);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toMatch(/^(UNKNOWN_SCHEMA|NOT_FOUND)$/);
    }
  });

  it('serves the AsyncAPI document of this deployment, as YAML and as JSON, valid for the AsyncAPI parser', async () => {
    const yamlResponse = await get('/v1/asyncapi.yaml');
    const jsonResponse = await get('/v1/asyncapi.json');
    expect([yamlResponse.status, jsonResponse.status]).toEqual([200, 200]);
    expect(yamlResponse.headers.get('content-type')).toBe('application/yaml');
    expect(jsonResponse.headers.get('content-type')).toMatch(/^application\/json/);
    const yamlText = await yamlResponse.text();
    const document = (await jsonResponse.json()) as any;
    expect(parseYaml(yamlText)).toEqual(document);

    // The topic as the broker has it (the test environment makes 3 partitions on one broker) and this deployment's source.
    expect(document.channels.stickyValueEvents).toMatchObject({ address: environment.topic, bindings: { kafka: { topic: environment.topic, partitions: 3, replicas: 1 } } });
    expect(document.channels.refusedRecords.address).toBe(`${environment.topic}.dead-letter`);
    expect(document.components.messages.StickyValueSavedV2.headers.properties.ce_source.const).toBe(SOURCE);

    const { diagnostics } = await new Parser().parse(yamlText);
    expect(diagnostics.filter((diagnostic) => diagnostic.severity === 0).map((diagnostic) => diagnostic.message)).toEqual([]);
  });

  it("names, in every record's ce_dataschema, a schema it lists and serves", async () => {
    const saved = await stack.api.put('/v1/persisted/feed-1:userID/checkout_button', stickyValueFor('Test'));
    expect(saved.status).toBe(201);
    const [record] = await readTopic(environment.brokers, environment.topic, 1);
    const dataSchema = String(record!.headers!.ce_dataschema);
    expect(String(record!.headers!.ce_source)).toBe(SOURCE);

    const listing = (await (await get('/v1/schemas')).json()) as Listing;
    const listed = listing.schemas.find((schema) => schema.id === dataSchema);
    expect(listed).toMatchObject({ name: 'StickyValueSaved.v2', current: true });
    expect(JSON.parse(await (await get(listed!.url)).text()).$id).toBe(dataSchema);
  });

  it('still asks for a key everywhere else', async () => {
    expect((await get('/v1/persisted/feed-1:userID')).status).toBe(401);
  });
});
