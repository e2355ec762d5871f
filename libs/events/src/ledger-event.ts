import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { compileEventSerializer } from './event-serializer';
import { registerEventFormats } from './formats';
import { StickyValueDeletedV1Schema } from './sticky-value-deleted.v1';
import { StickyValueSavedV1Schema } from './sticky-value-saved.v1';

registerEventFormats();

/** Every event version the ledger topic may carry. */
export const LEDGER_EVENT_SCHEMAS = [StickyValueSavedV1Schema, StickyValueDeletedV1Schema] as const;

export const LedgerEventSchema = Type.Union([...LEDGER_EVENT_SCHEMAS]);
export type LedgerEvent = Static<typeof LedgerEventSchema>;
export type LedgerEventType = LedgerEvent['type'];
/** An event without its envelope metadata (id, time, cause), as the core decides it; the adapter adds the envelope. */
export type LedgerEventData = Omit<LedgerEvent, 'metadata'>;

interface CompiledEventSchema {
  check: ReturnType<typeof TypeCompiler.Compile>;
  serialize(event: unknown): string;
}

/** By type, then version: looked up with the event's own fields, no key text built per event. */
const compiled = new Map<unknown, Map<unknown, CompiledEventSchema>>();
for (const schema of LEDGER_EVENT_SCHEMAS) {
  const { type, version } = schema.properties;
  if (!compiled.has(type.const)) compiled.set(type.const, new Map());
  compiled.get(type.const)!.set(version.const, { check: TypeCompiler.Compile(schema), serialize: compileEventSerializer(schema) });
}

function eventSchemaKey(type: string, version: number): string {
  return `${type}.v${version}`;
}

export class InvalidEventError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidEventError';
  }
}

export function validateLedgerEvent(candidate: unknown): LedgerEvent {
  checked(candidate);
  return candidate as LedgerEvent;
}

/** Serialises an event for the topic, refusing one that breaks its schema so no invalid event is ever produced. */
export function encodeLedgerEvent(event: LedgerEvent): Buffer {
  return Buffer.from(checked(event).serialize(event));
}

/** The compiled schema of the candidate's type and version, once the candidate has passed it. */
function checked(candidate: unknown): CompiledEventSchema {
  if (typeof candidate !== 'object' || candidate === null) throw new InvalidEventError('event is not a JSON object');
  const { type, version } = candidate as { type?: unknown; version?: unknown };
  const schema = compiled.get(type)?.get(version);
  if (!schema) throw new InvalidEventError(`unknown event type/version ${String(type)} v${String(version)}`);
  // Check() is the compiled fast path; the error walk runs only for a record that fails it.
  if (schema.check.Check(candidate)) return schema;
  const firstError = schema.check.Errors(candidate).First();
  throw new InvalidEventError(`${eventSchemaKey(String(type), Number(version))} ${firstError ? `${firstError.path || '/'}: ${firstError.message}` : 'does not match its schema'}`);
}

/** Parses and validates a record read from the topic; throws InvalidEventError with the reason otherwise. */
export function decodeLedgerEvent(payload: Buffer | null): LedgerEvent {
  if (payload === null) throw new InvalidEventError('record has no value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new InvalidEventError('record value is not JSON');
  }
  return validateLedgerEvent(parsed);
}

/** Record headers that let a consumer route or filter without parsing the value. */
export function eventHeaders(event: LedgerEvent): Record<string, string> {
  return { 'event-type': event.type, 'event-version': String(event.version), 'event-id': event.metadata.eventId };
}
