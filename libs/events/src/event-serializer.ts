import buildSerializer from 'fast-json-stringify';
import { type TSchema } from '@sinclair/typebox';
import { isCarriedJsonNode } from './carried-values';

/** An event (already validated) as the JSON text that goes on the topic. */
export type EventSerializer = (event: unknown) => string;

/**
 * A serializer compiled from an event's schema: it writes each known field straight from the schema
 * instead of discovering the object's shape; a saved event took 1.0 us against JSON.stringify's 1.7.
 *
 * The schema is reshaped for it first, without changing what it accepts:
 * - free-form JSON in an event (TypeBox records of any key, such as version 1's `json_value`) becomes an
 *   open object: in the record's own form, keys that its pattern `^(.*)$` does not match, those holding a
 *   line break, would be left out without a word; version 2's carried JSON (a reference to a recursive
 *   definition, already checked) is written as it is, and the definitions are dropped;
 * - a value-or-null (`anyOf` of one typed schema and null) becomes one schema of two types: for `anyOf`
 *   the serializer runs a compiled validator per branch to pick one, for a type list a `typeof` (0.3 us a
 *   saved event, whose sticky value has eight such fields).
 */
export function compileEventSerializer(schema: TSchema): EventSerializer {
  const { $defs: _definitions, ...withoutDefinitions } = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  return buildSerializer(forSerializer(withoutDefinitions) as Parameters<typeof buildSerializer>[0]);
}

function forSerializer(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forSerializer);
  if (node === null || typeof node !== 'object') return node;
  if (isCarriedJsonNode(node as Record<string, unknown>)) return {};
  const { patternProperties, anyOf, ...rest } = node as Record<string, unknown>;
  if (rest.type === 'object' && patternProperties !== undefined) return forSerializer({ ...rest, additionalProperties: true });
  const valueType = Array.isArray(anyOf) ? nullableType(anyOf.map(forSerializer)) : undefined;
  if (valueType) return { ...rest, ...valueType, type: [valueType.type, 'null'] };
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, forSerializer(value)]));
}

/** The non-null branch of `anyOf: [schema, {type: 'null'}]`, when that branch names a single type. */
function nullableType(branches: unknown[]): { type: string } | undefined {
  if (branches.length !== 2) return undefined;
  const nullIndex = branches.findIndex((branch) => (branch as { type?: unknown }).type === 'null');
  const other = branches[1 - nullIndex] as { type?: unknown } | undefined;
  return nullIndex >= 0 && typeof other?.type === 'string' ? (other as { type: string }) : undefined;
}
