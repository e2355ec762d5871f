import { type Static, Type } from '@sinclair/typebox';
import { ConfigNameSchema } from '@ledger/events';

export const AuditQuerySchema = Type.Object(
  {
    experiment: Type.Optional(ConfigNameSchema),
    // Opaque: base64url of the last entry's event id.
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    // Query values arrive as strings: 1 to 1000, without leading zeros.
    limit: Type.Optional(Type.String({ pattern: '^(?:[1-9][0-9]{0,2}|1000)$' })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuerySchema>;

export const ExplainQuerySchema = Type.Object({ asOf: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false });
export type ExplainQuery = Static<typeof ExplainQuerySchema>;

export const AssignmentsQuerySchema = Type.Object({ format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('ndjson')])) }, { additionalProperties: false });
export type AssignmentsQuery = Static<typeof AssignmentsQuerySchema>;

export const DEFAULT_AUDIT_PAGE = 100;

/** Opaque to callers, so what it holds may change. */
export const encodeAuditCursor = (eventId: string): string => Buffer.from(eventId).toString('base64url');

export function decodeAuditCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const eventId = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(eventId) ? eventId : undefined;
}
