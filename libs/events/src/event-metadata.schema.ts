import { type Static, Type } from '@sinclair/typebox';
import { SafeString } from './carried-values';

export const EVENT_SOURCES = ['storage_api', 'evaluation', 'sdk_adapter', 'rebuild'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/** The header (gRPC: metadata key) with which a storage call declares that one of this project's SDK adapters made it. */
export const CALLER_HEADER = 'x-ledger-caller';
/** The only source a storage call may declare; absent, it is `storage_api`. */
export const DECLARABLE_CALLER = 'sdk_adapter' satisfies EventSource;

/**
 * The source a storage call is recorded under: `sdk_adapter` when it declared so, `storage_api` when it declared
 * nothing, and undefined (to be refused) for any other declaration, so a typo is never recorded as a source.
 */
export function storageCallSource(declared: unknown): EventSource | undefined {
  if (declared === undefined) return 'storage_api';
  return declared === DECLARABLE_CALLER ? DECLARABLE_CALLER : undefined;
}

/** A request id as both transports accept it from a caller (others are replaced by a fresh one). */
export const REQUEST_ID_PATTERN = '^[A-Za-z0-9._:-]{1,200}$';
/** W3C Trace Context `traceparent`, version 00. */
export const TRACEPARENT_PATTERN = '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$';

const TRACEPARENT = new RegExp(TRACEPARENT_PATTERN);

/** The caller's `traceparent` when it is a valid W3C one (version 00); anything else is not recorded. */
export function acceptedTraceparent(given: unknown): string | undefined {
  return typeof given === 'string' && TRACEPARENT.test(given) ? given : undefined;
}

/** As published in the v1 event schemas; frozen. */
export const EventMetadataV1Schema = Type.Object(
  {
    eventId: Type.String({ format: 'uuid' }),
    occurredAt: Type.String({ format: 'date-time' }),
    caller: Type.Object({ apiKeyId: Type.Union([Type.String({ minLength: 1 }), Type.Null()]) }, { additionalProperties: false }),
    correlationId: Type.String({ minLength: 1, maxLength: 200 }),
    source: Type.Union(EVENT_SOURCES.map((source) => Type.Literal(source))),
  },
  { additionalProperties: false },
);
export type EventMetadataV1 = Static<typeof EventMetadataV1Schema>;

/** Who asked for a change, through which door, as part of which request. */
export const EventCauseSchema = Type.Object(
  {
    source: Type.Union(
      EVENT_SOURCES.map((source) => Type.Literal(source)),
      { description: 'Through which door: the storage API (SDK adapters calling load/save/delete), an evaluation, an SDK adapter of this project, or a rebuild.' },
    ),
    apiKeyId: Type.Union([SafeString({ minLength: 1, maxLength: 200 }), Type.Null()], { description: "The id (never the secret) of the caller's API key; null when none applies." }),
    requestId: Type.String({ pattern: REQUEST_ID_PATTERN, description: "The request's id: the caller's X-Request-Id (or gRPC x-request-id) when well-formed, else one the ledger made." }),
    traceparent: Type.Optional(Type.String({ pattern: TRACEPARENT_PATTERN, description: 'The W3C traceparent the caller sent, when it sent a valid one.' })),
  },
  { additionalProperties: false, description: 'Who caused the event, and as part of which request.' },
);
export type EventCause = Static<typeof EventCauseSchema>;

/** The envelope of every event from version 2 on. */
export const EventMetadataSchema = Type.Object(
  {
    eventId: Type.String({ format: 'uuid', description: 'Unique per event; a consumer deduplicates by it (delivery is at least once).' }),
    occurredAt: Type.String({ format: 'date-time', description: 'When the ledger accepted the event (RFC 3339, UTC).' }),
    cause: EventCauseSchema,
  },
  { additionalProperties: false, description: "The event's envelope: its id, when the ledger accepted it, and its cause." },
);
export type EventMetadata = Static<typeof EventMetadataSchema>;
