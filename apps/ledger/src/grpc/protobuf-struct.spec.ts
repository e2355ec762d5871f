import fc from 'fast-check';
import { fromStruct, toStruct } from './protobuf-struct';

describe('google.protobuf.Struct conversion', () => {
  it('round-trips any JSON object whose numbers are finite', () => {
    const json = fc.jsonValue({ noUnicodeString: false }).filter((value) => value !== null && typeof value === 'object' && !Array.isArray(value));
    fc.assert(
      fc.property(json, (value) => {
        const normalised = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
        expect(roundTrip(normalised)).toEqual(normalised);
      }),
    );
  });

  it.each([NaN, Infinity, -Infinity])('refuses %p, which JSON cannot carry', (number) => {
    const struct = { fields: { nested: { kind: 'structValue' as const, structValue: { fields: { n: { kind: 'numberValue' as const, numberValue: number } } } } } };
    expect(() => fromStruct(struct)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });
});

/** Encodes, then decodes as proto-loader presents a Struct: the chosen oneof named in `kind`. */
function roundTrip(value: Record<string, unknown>): unknown {
  const withKinds = (struct: unknown): unknown => {
    if (Array.isArray(struct)) return struct.map(withKinds);
    if (struct === null || typeof struct !== 'object') return struct;
    const entries = Object.entries(struct as Record<string, unknown>).map(([key, inner]) => [key, withKinds(inner)]);
    const object = Object.fromEntries(entries) as Record<string, unknown>;
    const kind = ['nullValue', 'numberValue', 'stringValue', 'boolValue', 'structValue', 'listValue'].find((name) => name in object);
    return kind ? { ...object, kind } : object;
  };
  return fromStruct(withKinds(toStruct(value)) as never);
}
