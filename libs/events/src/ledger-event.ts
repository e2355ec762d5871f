import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { compileEventSerializer } from './event-serializer';
import { registerEventFormats } from './formats';
import { StickyValueDeletedV1Schema } from './sticky-value-deleted.v1';
import { StickyValueDeletedV2Schema } from './sticky-value-deleted.v2';
import { StickyValueSavedV1Schema } from './sticky-value-saved.v1';
import { StickyValueSavedV2Schema } from './sticky-value-saved.v2';
import { UnitErasedV1Schema } from './unit-erased.v1';
import { upcastToCurrent } from './upcasters';

registerEventFormats();

/** Every event version the ledger topic may carry, each with its published schema file. */
export const LEDGER_EVENT_SCHEMAS = [StickyValueSavedV1Schema, StickyValueDeletedV1Schema, StickyValueSavedV2Schema, StickyValueDeletedV2Schema, UnitErasedV1Schema] as const;

/** The versions the ledger writes now; older ones are upcast to these when read, so readers see these only. */
export const CURRENT_EVENT_SCHEMAS = [StickyValueSavedV2Schema, StickyValueDeletedV2Schema, UnitErasedV1Schema] as const;

export const LedgerEventSchema = Type.Union([...CURRENT_EVENT_SCHEMAS]);
export type LedgerEvent = Static<typeof LedgerEventSchema>;
export type LedgerEventType = LedgerEvent['type'];
/** An event about one unit's value for one config (every type but an erasure, which is about the whole unit). */
export type StickyValueEvent = Exclude<LedgerEvent, { type: 'UnitErased' }>;
/** An event of any version the topic may carry, as written. */
export type StoredLedgerEvent = Static<(typeof LEDGER_EVENT_SCHEMAS)[number]>;
/**
 * An event without its envelope metadata (id, time, cause), as the core decides it; the adapter adds the
 * envelope. Still a union over the event types, so `type` tells `data` apart.
 */
export type LedgerEventData = LedgerEvent extends infer Event ? (Event extends LedgerEvent ? Omit<Event, 'metadata'> : never) : never;

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

export class InvalidEventError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidEventError';
  }
}

/** The candidate, once it has passed the schema of its own type and version. */
export function validateLedgerEvent(candidate: unknown): StoredLedgerEvent {
  checked(candidate);
  return candidate as StoredLedgerEvent;
}

/** Serialises an event for the topic, refusing one that breaks its schema so no invalid event is ever produced. */
export function encodeLedgerEvent(event: StoredLedgerEvent): Buffer {
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
  throw new InvalidEventError(`${String(type)}.v${String(version)} ${firstError ? `${firstError.path || '/'}: ${firstError.message}` : 'does not match its schema'}`);
}

/**
 * Parses and validates a record read from the topic and upcasts it to the current version; throws
 * InvalidEventError with the reason otherwise. An older record must also fit the current version's
 * limits once upcast, so every reader can rely on them; whether it does depends on the record alone.
 */
export function decodeLedgerEvent(payload: Buffer | null): LedgerEvent {
  if (payload === null) throw new InvalidEventError('record has no value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new InvalidEventError('record value is not JSON');
  }
  return currentEventOf(parsed);
}

/** An event already parsed (a record's value, or a history row's copy of it), validated and upcast to the current version. */
export function currentEventOf(parsed: unknown): LedgerEvent {
  const stored = validateLedgerEvent(parsed);
  if (stored.type === 'UnitErased' || stored.version === 2) return stored;
  const upcast = upcastToCurrent(stored);
  try {
    checked(upcast);
  } catch (error) {
    throw new InvalidEventError(`${stored.type}.v${stored.version} is beyond what version 2 carries: ${(error as InvalidEventError).reason}`);
  }
  return upcast;
}
