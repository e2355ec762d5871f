import { type Static, Type } from '@sinclair/typebox';

export const EVENT_SOURCES = ['storage_api', 'evaluation', 'sdk_adapter', 'rebuild'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/** Who asked for a change and through which door; the audit trail answers "why" from here and from `data`. */
export const EventMetadataSchema = Type.Object(
  {
    eventId: Type.String({ format: 'uuid' }),
    occurredAt: Type.String({ format: 'date-time' }),
    caller: Type.Object({ apiKeyId: Type.Union([Type.String({ minLength: 1 }), Type.Null()]) }, { additionalProperties: false }),
    correlationId: Type.String({ minLength: 1, maxLength: 200 }),
    source: Type.Union(EVENT_SOURCES.map((source) => Type.Literal(source))),
  },
  { additionalProperties: false },
);

export type EventMetadata = Static<typeof EventMetadataSchema>;
