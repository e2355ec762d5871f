import { type TSchema } from '@sinclair/typebox';
import { stringify as toYaml } from 'yaml';
import { isCarriedJsonNode, MAX_JSON_DEPTH } from './carried-values';
import { CLOUD_EVENTS_SPEC_VERSION, cloudEventTypeOf, EVENT_CONTENT_TYPE } from './event-headers';
import { LEDGER_EVENT_SCHEMAS } from './ledger-event';
import { PERSISTENCE_KEY_PATTERN, PersistenceKeySchema } from './persistence-key.schema';
import { PUBLISHED_SCHEMAS, schemaUrlPath } from './schema-catalogue';

/** What a deployment's document says about its topic; everything else is the contract itself. */
export interface FeedDocumentOptions {
  /** The event topic; its dead-letter topic is `<topic>.dead-letter`. */
  topic: string;
  partitions: number;
  /** Replicas per partition; left out when not known (the broker's default applied when the topic was made). */
  replicas?: number;
  /** The CloudEvents source this deployment's records name. */
  source: string;
}

/** Bumped whenever the document's content changes (a new event version, a new header). */
const DOCUMENT_VERSION = '1.0.0';
const KAFKA_BINDING_VERSION = '0.5.0';
/** Both topics are kept for ever: the event topic is the source of truth that a rebuild replays from offset 0. */
const TOPIC_CONFIGURATION = { 'cleanup.policy': ['delete'], 'retention.ms': -1 };

const messageId = (type: string, version: number) => `${type}V${version}`;
const messageRef = (type: string, version: number) => ({ $ref: `#/components/messages/${messageId(type, version)}` });

/**
 * The AsyncAPI 3.0 document of the event topic and its dead-letter topic, built from the event schemas
 * themselves so it cannot drift from them (a test holds libs/events/asyncapi.yaml to it, and parses it).
 *
 * Each payload is its event schema with the free-form JSON values (json_value, secondary exposures) shown
 * as any JSON, their limits in words: the published schema's recursive definition and its x-maxDepth
 * keyword are for JSON Schema validators (an earlier per-depth form kept the AsyncAPI parser busy for
 * minutes). The exact contract is the published schema, named in every record's `ce_dataschema`.
 */
export function feedAsyncApiDocument(options: FeedDocumentOptions): Record<string, unknown> {
  const deadLetterTopic = `${options.topic}.dead-letter`;
  const messages: Record<string, unknown> = {};
  for (const [index, schema] of LEDGER_EVENT_SCHEMAS.entries()) {
    const published = PUBLISHED_SCHEMAS[index]!;
    messages[messageId(published.type, published.version)] = {
      name: published.name,
      title: schema.title,
      summary: published.description,
      description: [
        `The exact contract is the published JSON Schema (draft 2020-12) \`${published.id}\`, served at \`${schemaUrlPath(published.file)}\`.`,
        published.current
          ? 'The ledger writes this version now.'
          : 'The ledger no longer writes this version; records of it stay on the topic and readable. They carry only the event-type, event-version and event-id headers.',
      ].join(' '),
      contentType: EVENT_CONTENT_TYPE,
      headers: published.current ? cloudEventHeadersSchema(published, options.source) : legacyHeadersSchema(published),
      payload: payloadSchemaOf(schema),
      bindings: { kafka: { key: keySchema(), bindingVersion: KAFKA_BINDING_VERSION } },
    };
  }
  messages.RefusedRecord = {
    name: 'RefusedRecord',
    title: 'A record the projector refused',
    summary: 'A record of the event topic that broke the event contract or that Postgres refused, copied as it was with why and where from.',
    description:
      "Key and value are the refused record's own, byte for byte (the value may be no JSON at all); its other headers are not copied. Both decisions depend on the record alone, so a rebuild dead-letters the same records again.",
    contentType: 'application/octet-stream',
    headers: {
      type: 'object',
      required: ['dead-letter-reason', 'source-topic', 'source-partition', 'source-offset'],
      properties: {
        'dead-letter-reason': { type: 'string', description: 'Why the record was refused, e.g. the schema path that failed.' },
        'source-topic': { type: 'string', description: 'The topic the record was read from.' },
        'source-partition': { type: 'string', pattern: '^[0-9]+$', description: 'Its partition there, in decimal.' },
        'source-offset': { type: 'string', pattern: '^[0-9]+$', description: 'Its offset there, in decimal.' },
      },
    },
    payload: { description: "The refused record's value as it was; absent when it had none." },
    bindings: { kafka: { key: { type: 'string', description: "The refused record's key as it was." }, bindingVersion: KAFKA_BINDING_VERSION } },
  };

  const allEvents = PUBLISHED_SCHEMAS.map((schema) => ({ $ref: `#/channels/stickyValueEvents/messages/${messageId(schema.type, schema.version)}` }));
  const currentEvents = PUBLISHED_SCHEMAS.filter((schema) => schema.current).map((schema) => ({ $ref: `#/channels/stickyValueEvents/messages/${messageId(schema.type, schema.version)}` }));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Assignment ledger: sticky value events',
      version: DOCUMENT_VERSION,
      description: [
        "The ledger's event log: every save and every delete of a unit's sticky value, in the order the ledger accepted them.",
        "Records are keyed by persistence key (`<unitID>:<idType>`) and partitioned by murmur2 of the key as Kafka's default partitioner does, so one unit's events stay in order on one partition.",
        'Delivery is at least once: deduplicate by `ce_id`. A save takes effect only when the unit held no value for the config at its place in the log (first write wins); later saves are superseded.',
        "Each record is a CloudEvent in the Kafka protocol binding's binary mode: the attributes are `ce_` headers, the value is the event as JSON.",
      ].join('\n'),
      license: { name: 'Apache-2.0' },
      tags: [{ name: 'cloudevents' }, { name: 'event-sourcing' }],
    },
    defaultContentType: EVENT_CONTENT_TYPE,
    channels: {
      stickyValueEvents: {
        address: options.topic,
        title: 'Sticky value events',
        description: 'The source of truth: never compacted or expired. Every version the ledger ever wrote stays readable; the ledger writes the current versions only.',
        messages: Object.fromEntries(PUBLISHED_SCHEMAS.map((schema) => [messageId(schema.type, schema.version), messageRef(schema.type, schema.version)])),
        bindings: { kafka: topicBinding(options.topic, options.partitions, options.replicas) },
      },
      refusedRecords: {
        address: deadLetterTopic,
        title: 'Refused records (dead letters)',
        description: 'Records of the event topic that the projector could not apply; they are not part of the read model.',
        messages: { RefusedRecord: { $ref: '#/components/messages/RefusedRecord' } },
        bindings: { kafka: topicBinding(deadLetterTopic, 1, options.replicas) },
      },
    },
    operations: {
      appendStickyValueEvents: {
        action: 'send',
        channel: { $ref: '#/channels/stickyValueEvents' },
        title: 'The ledger appends saves and deletes',
        summary: 'Each accepted save over absence, and each delete of a held value, is appended once its schema is checked; acknowledged after all in-sync replicas have it.',
        messages: currentEvents,
      },
      readStickyValueEvents: {
        action: 'receive',
        channel: { $ref: '#/channels/stickyValueEvents' },
        title: 'Consumers fold the log',
        summary: 'Per (persistence key, config name), in log order: a save when no value is held takes effect, a save over a held value is superseded, a delete removes the held value.',
        messages: allEvents,
      },
      deadLetterRefusedRecords: {
        action: 'send',
        channel: { $ref: '#/channels/refusedRecords' },
        title: 'The projector sets refused records aside',
        messages: [{ $ref: '#/channels/refusedRecords/messages/RefusedRecord' }],
      },
    },
    components: { messages },
  };
}

/** The document as YAML, the form kept in the repository and served at /v1/asyncapi.yaml. */
export function feedAsyncApiYaml(document: Record<string, unknown>): string {
  return toYaml(document, { lineWidth: 0, aliasDuplicateObjects: false });
}

function topicBinding(topic: string, partitions: number, replicas: number | undefined): Record<string, unknown> {
  return { topic, partitions, ...(replicas === undefined ? {} : { replicas }), topicConfiguration: TOPIC_CONFIGURATION, bindingVersion: KAFKA_BINDING_VERSION };
}

function keySchema(): Record<string, unknown> {
  return { type: 'string', pattern: PERSISTENCE_KEY_PATTERN, maxLength: PersistenceKeySchema.maxLength, description: `The persistence key (UTF-8): ${PersistenceKeySchema.description}` };
}

const eventIdHeader = (description: string) => ({ type: 'string', format: 'uuid', description });

function legacyHeadersSchema(published: (typeof PUBLISHED_SCHEMAS)[number]): Record<string, unknown> {
  return {
    type: 'object',
    required: ['event-type', 'event-version', 'event-id'],
    properties: legacyHeaderProperties(published),
  };
}

function legacyHeaderProperties(published: (typeof PUBLISHED_SCHEMAS)[number]): Record<string, unknown> {
  return {
    'event-type': { type: 'string', const: published.type, description: "The event type (the value's `type`)." },
    'event-version': { type: 'string', const: String(published.version), description: "The event version, in decimal (the value's `version`)." },
    'event-id': eventIdHeader("The event id (the value's `metadata.eventId`); the same as `ce_id`."),
  };
}

/** CloudEvents attributes as Kafka headers (binary mode), then the headers consumers read before them. */
function cloudEventHeadersSchema(published: (typeof PUBLISHED_SCHEMAS)[number], source: string): Record<string, unknown> {
  const properties = {
    ce_specversion: { type: 'string', const: CLOUD_EVENTS_SPEC_VERSION, description: 'The CloudEvents version.' },
    ce_id: eventIdHeader("The event id (the value's `metadata.eventId`), unique per event: deduplicate by it."),
    ce_source: { type: 'string', format: 'uri', const: source, description: 'The ledger deployment that appended the event.' },
    ce_type: { type: 'string', const: cloudEventTypeOf(published.type, published.version), description: 'One per event type and version.' },
    ce_time: { type: 'string', format: 'date-time', description: "When the ledger accepted the event (the value's `metadata.occurredAt`, RFC 3339, UTC)." },
    ce_subject: { type: 'string', pattern: PERSISTENCE_KEY_PATTERN, description: 'The persistence key, as in the record key.' },
    ce_dataschema: { type: 'string', format: 'uri', const: published.id, description: `The \`$id\` of the event's JSON Schema, served at \`${schemaUrlPath(published.file)}\`.` },
    'content-type': { type: 'string', const: EVENT_CONTENT_TYPE, description: 'The record value is the event as JSON text (UTF-8).' },
    ...legacyHeaderProperties(published),
  };
  return { type: 'object', required: Object.keys(properties), properties };
}

/** The event schema as an AsyncAPI payload: no `$id` (the document is its context), carried JSON as any JSON. */
function payloadSchemaOf(schema: TSchema): Record<string, unknown> {
  const { $id: _id, $defs: _definitions, ...rest } = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  return withCarriedJsonAsAny(rest) as Record<string, unknown>;
}

function withCarriedJsonAsAny(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withCarriedJsonAsAny);
  if (node === null || typeof node !== 'object') return node;
  const fields = node as Record<string, unknown>;
  if (isCarriedJsonNode(fields)) {
    const limits = `Any JSON ${fields.type === 'object' ? 'object' : 'value'} nested at most ${MAX_JSON_DEPTH} deep, with finite numbers and text without U+0000 or lone surrogates.`;
    return { ...(fields.type ? { type: fields.type } : {}), description: fields.description ? `${String(fields.description)} ${limits}` : limits };
  }
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, withCarriedJsonAsAny(value)]));
}
