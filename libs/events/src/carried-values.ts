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

const FIRST_CONTAINER_REF = '#/$defs/JsonContainerAtDepth1';
const containerRef = (depth: number) => `#/$defs/JsonContainerAtDepth${depth}`;

TypeRegistry.Set('CarriedJsonObject', (_schema, value) => typeof value === 'object' && value !== null && !Array.isArray(value) && isCarriableJson(value));
TypeRegistry.Set('CarriedJsonValue', (_schema, value) => isCarriableJson(value));

/**
 * A JSON object within the limits above. Checked in code by isCarriableJson; published as a reference to
 * CARRIED_JSON_DEFS, which a schema using it must hold in its root `$defs`.
 */
export const CarriedJsonObject = (options: { description?: string } = {}): TUnsafe<Record<string, unknown>> =>
  Type.Unsafe<Record<string, unknown>>({ [Kind]: 'CarriedJsonObject', type: 'object', $ref: FIRST_CONTAINER_REF, ...options });

/** Any JSON value within the limits above (see CarriedJsonObject). */
export const CarriedJsonValue = (options: { description?: string } = {}): TUnsafe<unknown> =>
  Type.Unsafe<unknown>({ [Kind]: 'CarriedJsonValue', anyOf: [{ $ref: '#/$defs/JsonScalar' }, { $ref: FIRST_CONTAINER_REF }], ...options });

/** True for the published form of CarriedJsonObject / CarriedJsonValue (a schema copied as JSON loses its kinds). */
export function isCarriedJsonNode(node: Record<string, unknown>): boolean {
  const branches = node.anyOf;
  return node.$ref === FIRST_CONTAINER_REF || (Array.isArray(branches) && branches.some((branch: { $ref?: unknown }) => branch?.$ref === FIRST_CONTAINER_REF));
}

/**
 * The JSON Schema form of the limits: one definition per depth, since JSON Schema has no keyword for
 * nesting. A container at depth d holds scalars and containers of depth d + 1; at the last depth, scalars only.
 */
export const CARRIED_JSON_DEFS: Record<string, TSchema> = (() => {
  const defs: Record<string, unknown> = {
    JsonScalar: {
      description: 'A string without U+0000 or lone surrogates, a finite number, a boolean or null.',
      anyOf: [{ type: 'string', pattern: SAFE_TEXT_PATTERN }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }],
    },
  };
  for (let depth = 1; depth <= MAX_JSON_DEPTH; depth += 1) {
    const member = depth === MAX_JSON_DEPTH ? { $ref: '#/$defs/JsonScalar' } : { anyOf: [{ $ref: '#/$defs/JsonScalar' }, { $ref: containerRef(depth + 1) }] };
    defs[`JsonContainerAtDepth${depth}`] = {
      description: `A JSON object or array nested ${depth} deep (at most ${MAX_JSON_DEPTH}); keys are safe text.`,
      type: ['object', 'array'],
      propertyNames: { pattern: SAFE_TEXT_PATTERN },
      additionalProperties: member,
      items: member,
    };
  }
  return defs as Record<string, TSchema>;
})();
