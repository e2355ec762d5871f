/** google.protobuf.Struct as @grpc/proto-loader presents it (with `oneofs: true`, a Value names its kind). */
export interface ProtoStruct {
  fields?: Record<string, ProtoValue>;
}
interface ProtoValue {
  kind?: string;
  nullValue?: unknown;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: ProtoStruct;
  listValue?: { values?: ProtoValue[] };
}

export function toStruct(object: object): ProtoStruct {
  return { fields: Object.fromEntries(Object.entries(object).map(([key, value]) => [key, toValue(value)])) };
}

function toValue(value: unknown): ProtoValue {
  if (value === null || value === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(toValue) } };
  return { structValue: toStruct(value as object) };
}

export function fromStruct(struct: ProtoStruct | null | undefined): Record<string, unknown> | undefined {
  if (!struct) return undefined;
  return Object.fromEntries(Object.entries(struct.fields ?? {}).map(([key, value]) => [key, fromValue(value)]));
}

function fromValue(value: ProtoValue): unknown {
  switch (value.kind) {
    case 'numberValue':
      return value.numberValue;
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'structValue':
      return fromStruct(value.structValue);
    case 'listValue':
      return (value.listValue?.values ?? []).map(fromValue);
    default:
      return null;
  }
}
