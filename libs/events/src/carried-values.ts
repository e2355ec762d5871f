import { Kind, type StringOptions, type TSchema, type TUnsafe, Type, TypeRegistry } from '@sinclair/typebox';

/**
 * What every transport, the log and the read model can all carry, stated once. A value outside these
 * limits is refused where it enters (a 400 or INVALID_ARGUMENT, nothing appended) and, should one reach
 * the topic anyway, the projector dead-letters it instead of stopping on it:
 * - text holds no U+0000 and no lone surrogate (Postgres jsonb refuses both; UTF-8 cannot encode the second);
 * - free-form JSON nests at most MAX_JSON_DEPTH containers deep (protobuf's Struct spends two message levels
 *   per JSON level, and its decoders stop near a hundred), and holds finite numbers only.
 */
export const MAX_JSON_DEPTH = 32;

/** Any text without U+0000 and without lone surrogates; a surrogate pair (an astral character) is fine. */
export const SAFE_TEXT_PATTERN = '^(?:[^\\u0000\\ud800-\\udfff]|[\\ud800-\\udbff][\\udc00-\\udfff])*$';
const SAFE_TEXT = new RegExp(SAFE_TEXT_PATTERN);

export const isSafeText = (text: string): boolean => SAFE_TEXT.test(text);

/** A string every transport and the read model carry unchanged. */
export const SafeString = (options: StringOptions = {}) => Type.String({ pattern: SAFE_TEXT_PATTERN, ...options });

/**
 * True when `value` is JSON every transport carries: plain objects and arrays nested at most `maxDepth` deep
 * (a top-level container is depth 1), safe text in keys and strings, finite numbers.
 */
export function isCarriableJson(value: unknown, maxDepth = MAX_JSON_DEPTH): boolean {
  return carriable(value, maxDepth);
}

function carriable(value: unknown, depthLeft: number): boolean {
  switch (typeof value) {
    case 'string':
      return SAFE_TEXT.test(value);
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return true;
    case 'object': {
      if (value === null) return true;
      if (depthLeft === 0) return false;
      if (Array.isArray(value)) {
        for (const item of value) if (!carriable(item, depthLeft - 1)) return false;
        return true;
      }
      // Plain objects only (not Dates, Maps, ...); asked by tag, as a prototype may come from another realm.
      if (Object.prototype.toString.call(value) !== '[object Object]') return false;
      for (const key in value) {
        if (!SAFE_TEXT.test(key) || !carriable((value as Record<string, unknown>)[key], depthLeft - 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** The keyword with which the published schemas state the nesting limit (JSON Schema has none for it). */
export const MAX_DEPTH_KEYWORD = 'x-maxDepth';
const JSON_VALUE_REF = '#/$defs/CarriedJsonValue';

TypeRegistry.Set('CarriedJsonObject', (_schema, value) => typeof value === 'object' && value !== null && !Array.isArray(value) && isCarriableJson(value));
TypeRegistry.Set('CarriedJsonValue', (_schema, value) => isCarriableJson(value));

const depthLimit = { [MAX_DEPTH_KEYWORD]: MAX_JSON_DEPTH };

/**
 * A JSON object within the limits above. Checked in code by isCarriableJson; published as a reference to
 * CARRIED_JSON_DEFS (which a schema using it must hold in its root `$defs`) with the depth stated beside it.
 */
export const CarriedJsonObject = (options: { description?: string } = {}): TUnsafe<Record<string, unknown>> =>
  Type.Unsafe<Record<string, unknown>>({ [Kind]: 'CarriedJsonObject', type: 'object', $ref: JSON_VALUE_REF, ...depthLimit, ...options });

/** Any JSON value within the limits above (see CarriedJsonObject). */
export const CarriedJsonValue = (options: { description?: string } = {}): TUnsafe<unknown> => Type.Unsafe<unknown>({ [Kind]: 'CarriedJsonValue', $ref: JSON_VALUE_REF, ...depthLimit, ...options });

/** True for the published form of CarriedJsonObject / CarriedJsonValue (a schema copied as JSON loses its kinds). */
export const isCarriedJsonNode = (node: Record<string, unknown>): boolean => MAX_DEPTH_KEYWORD in node;

/**
 * The JSON Schema form of the limits on text and numbers: one recursive definition, so that tools which expand
 * references meet a cycle rather than a chain. Standard JSON Schema has no keyword for nesting, so each use
 * states it with `x-maxDepth` (containers, a top-level one counting 1), which a validator can be taught in a
 * few lines (see carried-values.spec.ts); the ledger checks it on every value it accepts.
 */
export const CARRIED_JSON_DEFS: Record<string, TSchema> = {
  CarriedJsonValue: {
    description: `JSON whose text holds no U+0000 and no lone surrogate and whose numbers are finite; its nesting is bounded where it is used (${MAX_DEPTH_KEYWORD}).`,
    anyOf: [
      { type: 'string', pattern: SAFE_TEXT_PATTERN },
      { type: 'number' },
      { type: 'boolean' },
      { type: 'null' },
      { type: 'array', items: { $ref: JSON_VALUE_REF } },
      { type: 'object', propertyNames: { pattern: SAFE_TEXT_PATTERN }, additionalProperties: { $ref: JSON_VALUE_REF } },
    ],
  } as unknown as TSchema,
};
