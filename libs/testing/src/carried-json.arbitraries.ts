import fc from 'fast-check';

/** Makes any text carriable: U+0000 dropped, lone surrogates replaced (surrogate pairs, astral characters, stay). */
const carriable = (text: string): string => (text.replace(/\u0000/g, '') as string & { toWellFormed(): string }).toWellFormed();

const sanitised = (value: unknown): unknown => {
  if (typeof value === 'string') return carriable(value);
  if (Array.isArray(value)) return value.map(sanitised);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [carriable(key), sanitised(inner)]));
  return value;
};

/** Any text the ledger carries: quotes, backslashes, control characters, astral characters; no U+0000, no lone surrogate. */
export const carriableText = (constraints: { minLength?: number; maxLength?: number } = {}) =>
  fc
    .string({ unit: 'binary', ...constraints })
    .map(carriable)
    .filter((text) => text.length >= (constraints.minLength ?? 0));

/** JSON objects the ledger carries, nested up to `maxDepth` levels below the top. */
export const carriableJsonObject = (maxDepth: number) =>
  fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), fc.jsonValue({ maxDepth, stringUnit: 'binary' }), { maxKeys: 4 }).map((value) => sanitised(value) as Record<string, unknown>);

/** Any JSON at all, with the text the ledger refuses (U+0000, lone surrogates) among its strings: for checking refusals. */
export const anyJsonValue = (maxDepth: number) => fc.jsonValue({ maxDepth, stringUnit: 'binary' });
