import { CURRENT_EVENT_SCHEMAS, type LedgerEvent, type LedgerEventType } from './ledger-event';

/** The CloudEvents version the headers follow (Kafka protocol binding, binary mode: the record value is the event data). */
export const CLOUD_EVENTS_SPEC_VERSION = '1.0';
/** The `content-type` header: the record value is the event as JSON text. */
export const EVENT_CONTENT_TYPE = 'application/json';

/** Record headers, by name: what kafkajs takes and a consumer reads back as bytes. */
export type EventHeaders = Record<string, string>;

/**
 * The CloudEvents type of an event type and version, reverse-DNS style; a new version of an event gets a
 * new type, so a consumer routing on it never meets a shape it was not written for.
 */
export function cloudEventTypeOf(type: LedgerEventType | string, version: number): string {
  // StickyValueSaved -> sticky-value.saved: the subject, then what happened to it.
  const words = type
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .split('-');
  return `org.assignment-ledger.${words.slice(0, -1).join('-')}.${words.at(-1)}.v${version}`;
}

/**
 * The source a deployment names in `ce_source` unless configured: the topic identifies the ledger's log,
 * and an event id is unique within it, which is what CloudEvents asks of source plus id.
 */
export const defaultEventSource = (topic: string): string => `urn:assignment-ledger:${topic}`;

/** What every record of one type carries unchanged, worked out once. */
interface ConstantHeaders {
  ceType: string;
  /** The event schema's own `$id`: stable wherever the ledger runs, and the key a JSON Schema validator looks it up by. */
  dataSchema: string;
  eventType: string;
  version: number;
  eventVersion: string;
}

const constantHeaders = new Map<unknown, ConstantHeaders>(
  CURRENT_EVENT_SCHEMAS.map((schema) => {
    const type = schema.properties.type.const;
    const version = schema.properties.version.const;
    return [type, { ceType: cloudEventTypeOf(type, version), dataSchema: schema.$id!, eventType: type, version, eventVersion: String(version) }];
  }),
);

/**
 * Builds each record's headers for a deployment: the CloudEvents attributes, `content-type`, and the
 * headers consumers read before CloudEvents (event-type, event-version, event-id). Every append passes
 * through it, so it writes one literal of fixed shape from shared strings (no spread, no per-event text
 * but the event's own id, time and key).
 */
export function eventHeadersFor(source: string): (event: LedgerEvent) => EventHeaders {
  return (event) => {
    const constant = constantHeaders.get(event.type);
    if (constant === undefined || constant.version !== event.version) throw new Error(`no headers for ${event.type} v${event.version}: the ledger writes current versions only`);
    const id = event.metadata.eventId;
    return {
      ce_specversion: CLOUD_EVENTS_SPEC_VERSION,
      ce_id: id,
      ce_source: source,
      ce_type: constant.ceType,
      ce_time: event.metadata.occurredAt,
      ce_subject: event.data.persistenceKey,
      ce_dataschema: constant.dataSchema,
      'content-type': EVENT_CONTENT_TYPE,
      'event-type': constant.eventType,
      'event-version': constant.eventVersion,
      'event-id': id,
    };
  };
}
