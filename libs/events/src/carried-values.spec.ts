import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { anyJsonValue } from '../../testing/src/carried-json.arbitraries';
import { CARRIED_JSON_DEFS, CarriedJsonValue, isCarriableJson, isSafeText, MAX_DEPTH_KEYWORD, MAX_JSON_DEPTH } from './carried-values';

const nested = (depth: number, leaf: unknown = 1): unknown => (depth === 0 ? leaf : depth % 2 ? { level: nested(depth - 1, leaf) } : [nested(depth - 1, leaf)]);

describe('what every transport carries', () => {
  it('takes text without U+0000 and lone surrogates, astral characters included', () => {
    expect(isSafeText('plain, "quoted", \\ back\nslash \u0001 \u{1F600}')).toBe(true);
    expect(isSafeText('a\u0000b')).toBe(false);
    expect(isSafeText('\udc00')).toBe(false);
    expect(isSafeText('x\ud83d')).toBe(false);
  });

  it(`takes JSON nested up to ${MAX_JSON_DEPTH} containers deep, with finite numbers and safe text in keys and strings`, () => {
    expect(isCarriableJson(nested(MAX_JSON_DEPTH))).toBe(true);
    expect(isCarriableJson(nested(MAX_JSON_DEPTH + 1))).toBe(false);
    expect(isCarriableJson(nested(4000))).toBe(false);
    expect(isCarriableJson({ big: Infinity })).toBe(false);
    expect(isCarriableJson([Number.NaN])).toBe(false);
    expect(isCarriableJson({ 'a\u0000': 1 })).toBe(false);
    expect(isCarriableJson({ a: ['\udfff'] })).toBe(false);
    expect(isCarriableJson({ when: new Date(0) })).toBe(false);
  });

  it('states the same limits in the published JSON Schema, so a consumer of the topic can rely on them', () => {
    // What a consumer adds to its validator for the one keyword standard JSON Schema lacks.
    const depthOf = (value: unknown): number => (value !== null && typeof value === 'object' ? 1 + Math.max(0, ...Object.values(value as Record<string, unknown>).map(depthOf)) : 0);
    const ajv = new Ajv2020({ strict: false, unicodeRegExp: false });
    ajv.addKeyword({ keyword: MAX_DEPTH_KEYWORD, schemaType: 'number', validate: (limit: number, value: unknown) => depthOf(value) <= limit });
    const published = ajv.compile({ $defs: CARRIED_JSON_DEFS, ...JSON.parse(JSON.stringify(CarriedJsonValue())) });
    const deepish = fc.integer({ min: MAX_JSON_DEPTH - 2, max: MAX_JSON_DEPTH + 2 }).map((depth) => nested(depth, 'leaf'));
    fc.assert(
      fc.property(fc.oneof(anyJsonValue(4), deepish), (value) => {
        expect(published(value)).toBe(isCarriableJson(value));
      }),
      { numRuns: 1000 },
    );
  });
});
