import { request as httpRequest, Agent } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { Client as GrpcClient, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import fc from 'fast-check';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Client as PgClient } from 'pg';
import { checkoutButtonSpec, createTestEnvironment, eventually, readTopic, stickyValueFor, type TestEnvironment } from '@ledger/testing';
import { fromStruct, type ProtoStruct } from '../src/grpc/protobuf-struct';
import { AUDIT_PROTO, EVALUATION_PROTO, PERSISTED_VALUES_PROTO, PROTO_ROOT } from '../src/ledger.app';
import { type LedgerStack, startLedgerStack } from './ledger-stack';

/**
 * Hostile and careless input against the running ledger (HTTP and gRPC, real broker and Postgres).
 *
 * Every request, whatever it holds, must be answered without a 5xx (gRPC: without INTERNAL, UNKNOWN or
 * UNAVAILABLE), with the documented error shape (gRPC: an `error-code` trailer), and a refused request must
 * append nothing to the topic. Requests run one at a time so the topic's log end, read after each one, tells
 * exactly what that request appended. At the end the projector must have applied the whole log and a normal
 * save and load must still work on both transports.
 *
 * The generators produce compact recipes (a 20,000-level nesting is `deep(20000, "array")`), so a failing
 * counterexample prints short; each property has its own fixed seed, so a failure reproduces.
 */

const BODY_LIMIT_BYTES = 64 * 1024;
/** A request the ledger has not answered in this long counts as a hang (its dependency timeouts are 2 s). */
const ANSWER_TIMEOUT_MS = 10_000;
/** A property that is still running after this long stops and fails rather than pass with fewer cases. */
const PROPERTY_TIME_LIMIT_MS = 25_000;
const PROPERTY_TEST_TIMEOUT_MS = PROPERTY_TIME_LIMIT_MS + 2 * ANSWER_TIMEOUT_MS;

const runs = <T>(seed: number, numRuns: number): fc.Parameters<T> => ({
  seed,
  numRuns,
  interruptAfterTimeLimit: PROPERTY_TIME_LIMIT_MS,
  markInterruptAsFailure: true,
  verbose: fc.VerbosityLevel.Verbose,
});

// ---------------------------------------------------------------------------------------------------------
// Recipes for values too big or too odd to print: each prints as the call that makes it.

/** 'x' repeated `length` times, then `tail`. */
class LongText {
  constructor(
    readonly length: number,
    readonly tail: string,
  ) {}
  text(): string {
    return 'x'.repeat(this.length) + this.tail;
  }
  [fc.toStringMethod](): string {
    return `longText(${this.length}, ${JSON.stringify(this.tail)})`;
  }
}

/** A number written as raw JSON text (1e309, -0, NaN...), which JSON.stringify could not produce. */
class RawNumber {
  constructor(readonly text: string) {}
  [fc.toStringMethod](): string {
    return `raw(${this.text})`;
  }
}

/** Containers nested `depth` deep around the number 1: objects {"a": ...}, arrays [...], or both in turn. */
class DeepJson {
  constructor(
    readonly depth: number,
    readonly shape: 'object' | 'array' | 'mixed',
  ) {}
  private isArrayAt(level: number): boolean {
    return this.shape === 'array' || (this.shape === 'mixed' && level % 2 === 1);
  }
  jsonText(): string {
    const open: string[] = [];
    const close: string[] = [];
    for (let level = 0; level < this.depth; level += 1) {
      open.push(this.isArrayAt(level) ? '[' : '{"a":');
      close.push(this.isArrayAt(level) ? ']' : '}');
    }
    return `${open.join('')}1${close.reverse().join('')}`;
  }
  /** The google.protobuf.Value, built without recursion: every level is a prefix of the level inside it. */
  protobufValue(): Buffer {
    const prefixes: Buffer[] = [];
    let innerLength = 9; // the innermost Value: number_value = 1 (tag + 8 bytes)
    for (let level = this.depth - 1; level >= 0; level -= 1) {
      let prefix: Buffer;
      if (this.isArrayAt(level)) {
        // Value{list_value: ListValue{values: <inner>}}
        const list = Buffer.concat([key(1, 2), varint(innerLength)]);
        prefix = Buffer.concat([key(6, 2), varint(list.length + innerLength), list]);
      } else {
        // Value{struct_value: Struct{fields: {key: "a", value: <inner>}}}
        const entryHead = Buffer.concat([stringField(1, 'a'), key(2, 2), varint(innerLength)]);
        const structHead = Buffer.concat([key(1, 2), varint(entryHead.length + innerLength), entryHead]);
        prefix = Buffer.concat([key(5, 2), varint(structHead.length + innerLength), structHead]);
      }
      prefixes.push(prefix);
      innerLength += prefix.length;
    }
    return Buffer.concat([...prefixes.reverse(), doubleField(2, 1)]);
  }
  [fc.toStringMethod](): string {
    return `deep(${this.depth}, ${JSON.stringify(this.shape)})`;
  }
}

type Special = LongText | RawNumber | DeepJson;
const isSpecial = (value: unknown): value is Special => value instanceof LongText || value instanceof RawNumber || value instanceof DeepJson;

/** JSON text of a tree that may hold recipes; each recipe is written as its own raw text. */
function jsonTextOf(tree: unknown): string {
  const raw: string[] = [];
  const marker = (index: number) => `@@hostile-raw-${index}@@`;
  const text = JSON.stringify(tree, (_key, value: unknown) => {
    if (!isSpecial(value)) return value;
    raw.push(value instanceof LongText ? JSON.stringify(value.text()) : value instanceof RawNumber ? value.text : value.jsonText());
    return marker(raw.length - 1);
  });
  return raw.reduce((result, piece, index) => result.replace(`"${marker(index)}"`, () => piece), text ?? '');
}

// ---------------------------------------------------------------------------------------------------------
// A protobuf writer, so requests can carry what no generated client would send (NaN in a Struct, a nesting
// deeper than the client's own recursion, unknown fields, broken bytes).

function varint(value: number | bigint): Buffer {
  let rest = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest) byte |= 0x80;
    bytes.push(byte);
  } while (rest);
  return Buffer.from(bytes);
}
const key = (field: number, wireType: number) => varint((field << 3) | wireType);
const bytesField = (field: number, payload: Buffer) => Buffer.concat([key(field, 2), varint(payload.length), payload]);
const stringField = (field: number, text: string) => bytesField(field, Buffer.from(text, 'utf8'));
const varintField = (field: number, value: number | bigint) => Buffer.concat([key(field, 0), varint(value)]);
function doubleField(field: number, value: number): Buffer {
  const payload = Buffer.alloc(8);
  payload.writeDoubleLE(value);
  return Buffer.concat([key(field, 1), payload]);
}

function protobufValue(node: unknown): Buffer {
  if (node instanceof DeepJson) return node.protobufValue();
  if (node instanceof LongText) return stringField(3, node.text());
  if (node instanceof RawNumber) return doubleField(2, Number(node.text));
  if (node === null || node === undefined) return varintField(1, 0);
  if (typeof node === 'number') return doubleField(2, node);
  if (typeof node === 'string') return stringField(3, node);
  if (typeof node === 'boolean') return varintField(4, node ? 1 : 0);
  if (Array.isArray(node)) return bytesField(6, Buffer.concat(node.map((item) => bytesField(1, protobufValue(item)))));
  return bytesField(5, protobufStruct(node as Record<string, unknown>));
}

function protobufStruct(object: Record<string, unknown>): Buffer {
  return Buffer.concat(Object.entries(object).map(([name, value]) => bytesField(1, Buffer.concat([stringField(1, name), bytesField(2, protobufValue(value))]))));
}

// ---------------------------------------------------------------------------------------------------------
// Generators.

const ODD_CHARACTERS = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\udc00\ud800',
  '\u0001',
  '\u0008',
  '\u001b',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u202e',
  '\ufeff',
  '\uffff',
  '\ud83d\ude00',
  '\n',
  '\r\n',
  '\t',
  '"',
  '\\',
  '%',
  '/',
  ':',
  '..',
  '<script>',
  "'",
  '{}',
];
const oddString = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.oneof(fc.constantFrom(...ODD_CHARACTERS), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }) },
);
const longText = (lengths: number[]) => fc.tuple(fc.constantFrom(...lengths), fc.constantFrom('', '\u0000', '\ud800', 'é', '\ud83d\ude00')).map(([length, tail]) => new LongText(length, tail));
const rawNumber = fc
  .constantFrom(
    '1e309',
    '-1e309',
    '-0',
    '-0.0',
    '1e-400',
    '123456789012345678901234567890',
    '9007199254740993',
    '-9007199254740993',
    '1E400',
    '0.1e1',
    '2.5',
    'NaN',
    'Infinity',
    '-Infinity',
    '01',
    '1.',
    '.5',
    '+1',
    '0x10',
  )
  .map((text) => new RawNumber(text));
/** Nesting mostly within what a careless caller sends, now and then far beyond it. */
const deepJson = fc
  .tuple(
    fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 100 }) }, { weight: 1, arbitrary: fc.constantFrom(2_000, 3_000, 5_000, 20_000) }),
    fc.constantFrom<'object' | 'array' | 'mixed'>('object', 'array', 'mixed'),
  )
  .map(([depth, shape]) => new DeepJson(depth, shape));
const wrongType = fc.constantFrom<unknown>(null, true, 0, -1, 1.5, '', 'true', '1', [], {}, [null], { value: true }, [[[]]]);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  oddString,
  longText([513, 2_000, 70_000]),
  rawNumber,
  deepJson,
  wrongType,
  fc.dictionary(oddString, fc.oneof(oddString, rawNumber, wrongType), { maxKeys: 3 }),
  fc.array(fc.oneof(oddString, rawNumber), { maxLength: 3 }),
);

/** A request's caller: mostly one allowed to do it, sometimes a narrower key, no key or a wrong one. */
type CallerName = 'admin' | 'writer' | 'reader' | 'evaluator' | 'publisher' | 'auditor' | 'anonymous' | 'wrong';
const callerFor = (usual: CallerName): fc.Arbitrary<CallerName> =>
  fc.oneof({ weight: 8, arbitrary: fc.constant(usual) }, { weight: 2, arbitrary: fc.constantFrom<CallerName>('admin', 'writer', 'reader', 'evaluator', 'publisher', 'auditor', 'anonymous', 'wrong') });

const KEY_POOL = Array.from({ length: 12 }, (_, index) => `fz-${index}:${index % 3 === 0 ? 'stableID' : 'userID'}`);
const CONFIG_POOL = ['exp_a', 'exp_b', 'checkout.v2', 'fuzz_exp'];
const persistenceKey = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...KEY_POOL) },
  { weight: 1, arbitrary: oddString.map((unit) => `${unit}:userID`) },
  { weight: 1, arbitrary: fc.constantFrom('no-id-type', ':userID', 'u:', 'u:1bad', `${'k'.repeat(512)}:userID`, `${'k'.repeat(513)}:userID`, 'a:b:c:userID', 'u:userID\u0000') },
);
const configName = fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...CONFIG_POOL) }, { weight: 2, arbitrary: fc.oneof(oddString, fc.constantFrom('', '-lead', 'a'.repeat(200), 'a'.repeat(201))) });

const validStickyValues = fc.record({
  value: fc.boolean(),
  json_value: fc.oneof(fc.constant(null), fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })),
  rule_id: fc.option(fc.string({ maxLength: 12 }), { nil: null }),
  group_name: fc.option(fc.constantFrom('Control', 'Test'), { nil: null }),
  secondary_exposures: fc.array(fc.record({ gate: fc.string({ maxLength: 8 }), gateValue: fc.constantFrom('true', 'false'), ruleID: fc.string({ maxLength: 8 }) }), { maxLength: 2 }),
  undelegated_secondary_exposures: fc.constant(null),
  config_delegate: fc.constant(null),
  explicit_parameters: fc.option(fc.array(fc.string({ maxLength: 6 }), { maxLength: 2 }), { nil: null }),
  time: fc.option(fc.integer({ min: 0, max: 2_000_000_000_000 }), { nil: null }),
  config_version: fc.option(fc.nat(100), { nil: null }),
});
const STICKY_FIELDS = ['value', 'json_value', 'rule_id', 'group_name', 'secondary_exposures', 'undelegated_secondary_exposures', 'config_delegate', 'explicit_parameters', 'time', 'config_version'];

type Mutation = { op: 'set'; field: string; value: unknown } | { op: 'drop'; field: string } | { op: 'deepJsonValue'; value: DeepJson } | { op: 'versions'; snake: unknown; camel: unknown };
const stickyMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('set' as const), field: fc.constantFrom(...STICKY_FIELDS, 'configVersion', 'extra_field', '__proto__', ''), value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('set' as const), field: fc.constant('json_value'), value: fc.dictionary(oddString, hostileValue, { minKeys: 1, maxKeys: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('drop' as const), field: fc.constantFrom(...STICKY_FIELDS) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('deepJsonValue' as const), value: deepJson.filter((deep) => deep.shape !== 'array') }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('versions' as const), snake: fc.oneof(fc.nat(5), rawNumber, wrongType), camel: fc.oneof(fc.nat(5), rawNumber, wrongType) }) },
);

function mutated(base: Record<string, unknown>, mutations: Mutation[]): Record<string, unknown> {
  const body: Record<string, unknown> = { ...base };
  for (const mutation of mutations) {
    if (mutation.op === 'set') Object.defineProperty(body, mutation.field, { value: mutation.value, enumerable: true, writable: true, configurable: true });
    else if (mutation.op === 'drop') delete body[mutation.field];
    else if (mutation.op === 'deepJsonValue') body.json_value = mutation.value;
    else Object.assign(body, { config_version: mutation.snake, configVersion: mutation.camel });
  }
  return body;
}

/** Percent-encodes a string's UTF-8 bytes (a lone surrogate goes out as U+FFFD, as any client would send it). */
const percentEncoded = (text: string) =>
  [...Buffer.from(text, 'utf8')].map((byte) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
/** Percent-encodes every code point, as the generator's own path segments need (U+0000 included). */
const everyCodePointEncoded = (text: string) => [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

const userIdLike = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 30 }).map((n) => `user-${n}`) },
  { weight: 2, arbitrary: oddString },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('\u0000', '\u0001', '\u001f', '\ud800', '\udfff', '\t', '\u2028', '\ufeff'), fc.nat(30)).map(([odd, n]) => `unit-${n}${odd}`) },
  { weight: 1, arbitrary: longText([511, 512, 513, 600, 5_000]) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'user:with:colons') },
);
const attributeValue = fc.oneof(oddString, rawNumber, wrongType, deepJson, fc.array(oddString, { maxLength: 3 }), longText([513, 10_000]));
/** Present now and then: most requests keep the field valid (or leave it out), so they reach persistence. */
const rarely = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
const withoutUndefined = (fields: Record<string, unknown>) => Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
const statsigUser = fc
  .record({
    userID: fc.oneof({ weight: 6, arbitrary: userIdLike }, { weight: 1, arbitrary: wrongType }, { weight: 1, arbitrary: fc.constant(undefined) }),
    email: rarely(oddString),
    country: rarely(fc.oneof(fc.constantFrom('NZ', 'nz', 'US'), oddString)),
    custom: rarely(fc.oneof({ weight: 3, arbitrary: fc.dictionary(oddString, attributeValue, { maxKeys: 3 }) }, deepJson, wrongType)),
    customIDs: rarely(
      fc.oneof({ weight: 3, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('companyID', 'companyid', 'stableID'), oddString), fc.oneof(userIdLike, wrongType), { maxKeys: 3 }) }, wrongType),
    ),
    privateAttributes: rarely(fc.dictionary(oddString, attributeValue, { maxKeys: 2 })),
    extra: rarely(hostileValue),
  })
  .map(withoutUndefined);

const EXPERIMENT_FIELDS = ['idType', 'status', 'salt', 'allocationPercent', 'targeting', 'groups', 'defaultParameters', 'bucketVersion', 'minBucketVersion'];
type ExperimentMutation =
  | { op: 'set'; field: string; value: unknown }
  | { op: 'groupParameters'; value: unknown }
  | { op: 'groupName'; value: unknown }
  | { op: 'targeting'; field: string; operator: string; values: unknown[] }
  | { op: 'weights'; first: unknown; second: unknown };
const experimentSpec = fc.record({
  name: fc.oneof({ weight: 9, arbitrary: fc.constantFrom('fz-0', 'fz-1', 'fz-2', 'fz-3') }, { weight: 1, arbitrary: oddString }),
  status: fc.constantFrom('active', 'inactive'),
  mutations: fc.array(
    fc.oneof(
      { weight: 3, arbitrary: fc.record({ op: fc.constant('set' as const), field: fc.constantFrom(...EXPERIMENT_FIELDS, 'extra'), value: hostileValue }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('groupParameters' as const), value: fc.oneof(deepJson, fc.dictionary(oddString, hostileValue, { minKeys: 1, maxKeys: 3 })) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('groupName' as const), value: fc.oneof(oddString, longText([200, 201])) }) },
      {
        weight: 1,
        arbitrary: fc.record({
          op: fc.constant('targeting' as const),
          field: fc.oneof(fc.constantFrom('country', 'userID', 'custom.plan'), oddString),
          operator: fc.oneof(fc.constantFrom('any', 'none', 'gt'), oddString),
          values: fc.array(fc.oneof(oddString, rawNumber, wrongType), { maxLength: 3 }),
        }),
      },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('weights' as const), first: fc.oneof(rawNumber, fc.double()), second: fc.oneof(rawNumber, fc.double()) }) },
    ),
    { maxLength: 3 },
  ),
});

function experimentBody(status: string, mutations: ExperimentMutation[]): Record<string, unknown> {
  const spec = checkoutButtonSpec({ status, targeting: [] }) as Record<string, any>;
  spec.groups = spec.groups.map((group: Record<string, unknown>) => ({ ...group }));
  for (const mutation of mutations) {
    switch (mutation.op) {
      case 'set':
        spec[mutation.field] = mutation.value;
        break;
      case 'groupParameters':
        spec.groups[0].parameters = mutation.value;
        break;
      case 'groupName':
        spec.groups[1].name = mutation.value;
        break;
      case 'targeting':
        spec.targeting = [{ field: mutation.field, operator: mutation.operator, values: mutation.values }];
        break;
      case 'weights':
        spec.groups[0].weight = mutation.first;
        spec.groups[1].weight = mutation.second;
        break;
    }
  }
  return spec;
}

/** Times a query (asOf) or a gRPC field (as_of) may carry: valid, impossible, out of range and misspelt. */
const AS_OF = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-01-01T24:00:00Z',
  '2026-01-01T23:59:60Z',
  '2026-01-01T00:00:00+99:99',
  '2026-01-01T00:00:00.1234567890123456789Z',
  '99999-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '-000001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '1969-12-31T23:59:59.999Z',
  '2026-01-01',
  '2026-01-01 00:00:00Z',
  '2026-01-01t00:00:00z',
  'now',
  '',
  '0',
];

// ---------------------------------------------------------------------------------------------------------

interface HttpCase {
  method: string;
  path: string;
  caller: CallerName;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Set where the agreed error codes fix the answer; otherwise only the general rules apply. */
  expect?: { status: number; code: string };
  /** An OFREP route: its 400 and 404 answer in OFREP's shape ({errorCode, errorDetails}), the rest in the ledger's. */
  ofrep?: boolean;
}

interface HttpAnswer {
  status: number;
  text: string;
}

interface GrpcCase {
  service: 'PersistedValues' | 'Evaluation' | 'AuditService';
  method: string;
  message: Buffer;
  caller: CallerName;
  requestId?: string;
  /** Milliseconds from now; negative is already past. */
  deadlineMs?: number;
  expectCode?: status;
}

interface GrpcAnswer {
  code: status;
  details: string;
  trailers: Metadata | undefined;
}

const excerpt = (text: string | Buffer | undefined, limit = 240): string => {
  if (text === undefined) return '(none)';
  const shown = typeof text === 'string' ? text : text.toString('latin1');
  return shown.length > limit ? `${JSON.stringify(shown.slice(0, limit))}... (${shown.length} chars)` : JSON.stringify(shown);
};

describe('the ledger under hostile and careless input', () => {
  let environment: TestEnvironment;
  let stack: LedgerStack;
  let kafkaAdmin: Admin;
  let database: PgClient;
  let grpc: GrpcClient;
  let httpPort: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const keys = new Map<CallerName, string>();
  const histogram = { http: new Map<number, number>(), grpc: new Map<string, number>() };
  let logEnd = 0;

  const authorizationOf = (caller: CallerName): string | undefined =>
    caller === 'anonymous' ? undefined : caller === 'wrong' ? 'Bearer alk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' : `Bearer ${keys.get(caller)}`;

  const recordsInLog = async () => (await kafkaAdmin.fetchTopicOffsets(environment.topic)).reduce((sum, partition) => sum + Number(partition.high), 0);

  const definition = loadSync([PERSISTED_VALUES_PROTO, EVALUATION_PROTO, AUDIT_PROTO], { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_ROOT] });
  const responseDecoder = (service: string, method: string) => (definition[`assignment_ledger.v1.${service}`] as any)[method].responseDeserialize as (bytes: Buffer) => any;

  function sendHttp(call: HttpCase): Promise<HttpAnswer | { failure: string }> {
    const authorization = authorizationOf(call.caller);
    return new Promise((resolve) => {
      let request;
      try {
        request = httpRequest(
          { host: '127.0.0.1', port: httpPort, method: call.method, path: call.path, agent, headers: { ...(authorization ? { authorization } : {}), ...call.headers } },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
            response.on('error', (error) => resolve({ failure: `the answer broke off: ${error.message}` }));
          },
        );
      } catch (error) {
        // Node's client refused to send it: a generator bug, not the ledger's.
        throw new Error(`the test could not send ${call.method} ${excerpt(call.path)}: ${(error as Error).message}`);
      }
      request.setTimeout(ANSWER_TIMEOUT_MS, () => request.destroy(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)));
      request.on('error', (error) => resolve({ failure: `no answer: ${error.message}` }));
      request.end(call.body);
    });
  }

  /** Sends one request and holds its answer to the rules every answer must keep. */
  async function expectSoundHttp(call: HttpCase): Promise<void> {
    const before = logEnd;
    const answer = await sendHttp(call);
    logEnd = await recordsInLog();
    const appended = logEnd - before;
    const shown = `${call.method} ${excerpt(call.path, 160)} as ${call.caller} headers=${excerpt(JSON.stringify(call.headers ?? {}), 160)} body=${excerpt(call.body)}`;
    if ('failure' in answer) throw new Error(`${shown}: ${answer.failure}`);
    histogram.http.set(answer.status, (histogram.http.get(answer.status) ?? 0) + 1);
    const problems: string[] = [];
    if (answer.status >= 500) problems.push(`a ${answer.status}`);
    if (answer.status >= 400) {
      let code: unknown;
      let message: unknown;
      try {
        const parsed = JSON.parse(answer.text) as { error?: { code?: unknown; message?: unknown }; errorCode?: unknown; errorDetails?: unknown };
        if (call.ofrep && parsed.error === undefined && [400, 404].includes(answer.status)) ({ errorCode: code, errorDetails: message } = parsed);
        else ({ code, message } = parsed.error ?? {});
      } catch {
        // not JSON: reported below
      }
      const shape = call.ofrep ? '{"error": {"code": UPPER_SNAKE, "message"}} or OFREP\'s {"errorCode", "errorDetails"}' : '{"error": {"code": UPPER_SNAKE, "message"}}';
      if (typeof code !== 'string' || !/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(code) || typeof message !== 'string') problems.push(`no ${shape} body`);
      if (appended !== 0) problems.push(`${appended} record(s) appended to the topic by a refused request`);
      if (call.expect && (answer.status !== call.expect.status || code !== call.expect.code)) problems.push(`expected ${call.expect.status} ${call.expect.code}`);
    } else if (call.expect) {
      problems.push(`expected ${call.expect.status} ${call.expect.code}`);
    }
    if (problems.length > 0) throw new Error(`${shown} answered ${answer.status} ${excerpt(answer.text, 400)}: ${problems.join('; ')}`);
  }

  function callGrpc(call: GrpcCase): Promise<GrpcAnswer> {
    const metadata = new Metadata();
    const authorization = authorizationOf(call.caller);
    if (authorization) metadata.set('authorization', authorization);
    if (call.requestId !== undefined) metadata.set('x-request-id', call.requestId);
    const decode = responseDecoder(call.service, call.method);
    return new Promise((resolve) => {
      grpc.makeUnaryRequest(
        `/assignment_ledger.v1.${call.service}/${call.method}`,
        (message: Buffer) => message,
        decode,
        call.message,
        metadata,
        { deadline: Date.now() + (call.deadlineMs ?? ANSWER_TIMEOUT_MS) },
        (error: ServiceError | null) => resolve(error ? { code: error.code, details: error.details, trailers: error.metadata } : { code: status.OK, details: '', trailers: undefined }),
      );
    });
  }

  async function expectSoundGrpc(call: GrpcCase): Promise<void> {
    const before = logEnd;
    const answer = await callGrpc(call);
    logEnd = await recordsInLog();
    const appended = logEnd - before;
    const name = status[answer.code] ?? String(answer.code);
    histogram.grpc.set(name, (histogram.grpc.get(name) ?? 0) + 1);
    const shown = `${call.service}.${call.method} as ${call.caller} x-request-id=${excerpt(call.requestId, 60)} deadline=${call.deadlineMs ?? ANSWER_TIMEOUT_MS}ms message=${call.message.length} bytes ${excerpt(call.message.subarray(0, 120).toString('hex'), 240)}`;
    const problems: string[] = [];
    if ([status.INTERNAL, status.UNKNOWN, status.UNAVAILABLE].includes(answer.code)) problems.push(`status ${name}`);
    if (answer.code === status.DEADLINE_EXCEEDED && call.deadlineMs === undefined) problems.push(`no answer within ${ANSWER_TIMEOUT_MS} ms`);
    if (answer.code !== status.OK) {
      // A call whose deadline passed is ended by the client itself, so no trailer can reach it; a message over the
      // size limit is refused by grpc-js from its length prefix, before any code of the ledger runs.
      const answeredByGrpcJs = answer.code === status.DEADLINE_EXCEEDED || (answer.code === status.RESOURCE_EXHAUSTED && /larger than max/.test(answer.details ?? ''));
      if (!answeredByGrpcJs && (answer.trailers?.get('error-code') ?? []).length === 0) problems.push('no error-code trailer');
      if (appended !== 0) problems.push(`${appended} record(s) appended to the topic by a failed call`);
    }
    if (call.expectCode !== undefined && answer.code !== call.expectCode) problems.push(`expected ${status[call.expectCode]}`);
    if (problems.length > 0) {
      throw new Error(`${shown} answered ${name} ${excerpt(answer.details, 300)} error-code=${JSON.stringify(answer.trailers?.get('error-code') ?? [])}: ${problems.join('; ')}`);
    }
  }

  beforeAll(async () => {
    environment = await createTestEnvironment('hostile-input');
    stack = await startLedgerStack(environment.env, environment.adminKey);
    httpPort = Number(new URL(await stack.ledger.getUrl()).port);
    keys.set('admin', environment.adminKey);
    const scoped: Array<[CallerName, string]> = [
      ['writer', 'storage:write'],
      ['reader', 'storage:read'],
      ['evaluator', 'evaluate'],
      ['publisher', 'experiments:write'],
      ['auditor', 'audit:read'],
    ];
    for (const [caller, scope] of scoped) {
      const created = await stack.api.post('/v1/api-keys', { name: `hostile-input ${caller}`, scopes: [scope] });
      expect(created.status).toBe(201);
      keys.set(caller, created.body.key);
    }
    expect((await stack.api.put('/v1/experiments/fuzz_exp', checkoutButtonSpec({ targeting: [] }))).status).toBe(201);
    expect((await stack.api.put('/v1/experiments/fuzz_company', checkoutButtonSpec({ idType: 'companyID', targeting: [] }))).status).toBe(201);
    kafkaAdmin = new Kafka({ brokers: environment.brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await kafkaAdmin.connect();
    database = new PgClient({ connectionString: environment.databaseUrl });
    await database.connect();
    grpc = new GrpcClient(`127.0.0.1:${environment.env.GRPC_PORT}`, credentials.createInsecure());
    logEnd = await recordsInLog();
  });

  afterAll(async () => {
    const line = (counts: Map<number | string, number>) =>
      [...counts]
        .sort(([a], [b]) => String(a).localeCompare(String(b)))
        .map(([code, count]) => `${code}: ${count}`)
        .join(', ');
    process.stdout.write(`\nhostile input, answers by status\n  HTTP: ${line(histogram.http)}\n  gRPC: ${line(histogram.grpc)}\n\n`);
    grpc?.close();
    agent.destroy();
    await database?.end();
    await kafkaAdmin?.disconnect();
    await stack?.close();
    await environment?.cleanup();
  });

  it(
    'API key creation and revocation',
    async () => {
      const creation = fc.record({
        caller: callerFor('admin'),
        name: fc.oneof(oddString, longText([200, 201, 70_000]), wrongType, fc.constant('fuzzed key')),
        scopes: fc.oneof(
          fc.subarray(['storage:read', 'storage:write', 'evaluate', 'admin'], { minLength: 1 }),
          fc.array(fc.oneof(oddString, wrongType), { maxLength: 3 }),
          wrongType,
          fc.constant(['admin', 'admin']),
        ),
        extra: fc.option(hostileValue, { nil: undefined }),
      });
      const revocation = fc.record({ caller: callerFor('admin'), id: fc.oneof(fc.uuid(), oddString, longText([36, 2_000]), fc.constantFrom('0', '-1', '00000000-0000-0000-0000-00000000000g')) });
      await fc.assert(
        fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: creation }, { weight: 1, arbitrary: revocation }), async (recipe) => {
          if ('id' in recipe) {
            const id = recipe.id instanceof LongText ? recipe.id.text() : recipe.id;
            return expectSoundHttp({ method: 'DELETE', path: `/v1/api-keys/${everyCodePointEncoded(id)}`, caller: recipe.caller });
          }
          const body = { name: recipe.name, scopes: recipe.scopes, ...(recipe.extra === undefined ? {} : { extra: recipe.extra }) };
          return expectSoundHttp({ method: 'POST', path: '/v1/api-keys', caller: recipe.caller, headers: { 'content-type': 'application/json' }, body: jsonTextOf(body) });
        }),
        runs(0x4b_e1, 40),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  it(
    'PUT /v1/experiments/{name}: specs with odd strings, deep parameters and NaN-like numbers',
    async () => {
      await fc.assert(
        fc.asyncProperty(experimentSpec, callerFor('publisher'), async (recipe, caller) =>
          expectSoundHttp({
            method: 'PUT',
            path: `/v1/experiments/${percentEncoded(recipe.name)}`,
            caller,
            headers: { 'content-type': 'application/json' },
            body: jsonTextOf(experimentBody(recipe.status, recipe.mutations)),
          }),
        ),
        runs(0xe4_9e, 50),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  it(
    'PUT /v1/persisted/{key}/{config}: valid sticky values with hostile mutations',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            caller: callerFor('writer'),
            key: persistenceKey,
            config: configName,
            base: validStickyValues,
            mutations: fc.array(stickyMutation, { maxLength: 3 }),
            async: fc.boolean(),
          }),
          async ({ caller, key, config, base, mutations, async }) =>
            expectSoundHttp({
              method: 'PUT',
              path: `/v1/persisted/${percentEncoded(key)}/${percentEncoded(config)}`,
              caller,
              headers: { 'content-type': 'application/json', ...(async ? { prefer: 'respond-async' } : {}) },
              body: jsonTextOf(mutated(base, mutations)),
            }),
        ),
        runs(0x57_1c, 120),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  it(
    'raw bodies: truncated JSON, invalid UTF-8, BOM, other media types, content encodings, oversize',
    async () => {
      const targets = [
        { method: 'PUT', path: '/v1/persisted/fz-raw:userID/exp_a', caller: 'writer' as const, body: () => jsonTextOf(stickyValueFor('Control')) },
        { method: 'POST', path: '/v1/persisted/batch-load', caller: 'reader' as const, body: () => JSON.stringify({ keys: KEY_POOL.slice(0, 3) }) },
        { method: 'POST', path: '/v1/experiments/fuzz_exp/evaluate', caller: 'evaluator' as const, body: () => JSON.stringify({ user: { userID: 'raw-user' } }) },
        { method: 'POST', path: '/v1/evaluate', caller: 'evaluator' as const, body: () => JSON.stringify({ user: { userID: 'raw-user' }, persist: false }) },
        { method: 'PUT', path: '/v1/experiments/fz-raw', caller: 'publisher' as const, body: () => JSON.stringify(checkoutButtonSpec({ targeting: [] })) },
        { method: 'POST', path: '/v1/api-keys', caller: 'admin' as const, body: () => JSON.stringify({ name: 'raw', scopes: ['storage:read'] }) },
        { method: 'POST', path: '/ofrep/v1/evaluate/flags/fuzz_exp', caller: 'evaluator' as const, body: () => JSON.stringify({ context: { targetingKey: 'raw-user' } }), ofrep: true },
        { method: 'POST', path: '/ofrep/v1/evaluate/flags', caller: 'evaluator' as const, body: () => JSON.stringify({ context: { targetingKey: 'raw-user' } }), ofrep: true },
      ];
      const INVALID_UTF8 = [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]];
      const damage = fc.oneof(
        fc.record({ kind: fc.constant('truncated' as const), keep: fc.double({ min: 0, max: 0.999, noNaN: true }) }),
        fc.record({ kind: fc.constant('invalidUtf8' as const), bytes: fc.constantFrom(...INVALID_UTF8) }),
        fc.record({ kind: fc.constant('bom' as const) }),
        fc.record({ kind: fc.constant('mediaType' as const), contentType: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '(none)') }),
        fc.record({
          kind: fc.constant('oddJsonMediaType' as const),
          contentType: fc.constantFrom(
            'Application/JSON',
            'application/json; charset=utf-16',
            'application/json; charset=latin1',
            'application/json;;',
            'application/jsonx',
            'application/vnd.api+json',
            'application/json, text/plain',
          ),
        }),
        fc.record({ kind: fc.constant('encoded' as const), encoding: fc.constantFrom('gzip', 'deflate', 'br', 'gzip, identity') }),
        fc.record({ kind: fc.constant('oversize' as const), extra: fc.constantFrom(1, 1_000, 1_000_000) }),
        fc.record({ kind: fc.constant('emptyJsonOnReads' as const), method: fc.constantFrom('GET', 'DELETE') }),
      );
      await fc.assert(
        fc.asyncProperty(fc.nat(targets.length - 1), damage, async (index, change) => {
          const target = targets[index]!;
          const valid = Buffer.from(target.body(), 'utf8');
          const json = { 'content-type': 'application/json' };
          const base = { method: target.method, path: target.path, caller: target.caller, ofrep: target.ofrep };
          switch (change.kind) {
            case 'truncated':
              return expectSoundHttp({ ...base, headers: json, body: valid.subarray(0, Math.max(1, Math.floor(valid.length * change.keep))), expect: { status: 400, code: 'INVALID_JSON' } });
            case 'invalidUtf8': {
              // Inside the first string value, so the text around it stays JSON.
              const at = valid.indexOf(':"') + 2;
              return expectSoundHttp({ ...base, headers: json, body: Buffer.concat([valid.subarray(0, at), Buffer.from(change.bytes), valid.subarray(at)]) });
            }
            case 'bom':
              return expectSoundHttp({ ...base, headers: json, body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), valid]) });
            case 'mediaType':
              return expectSoundHttp({
                ...base,
                headers: change.contentType === '(none)' ? {} : { 'content-type': change.contentType },
                body: valid,
                expect: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
              });
            case 'oddJsonMediaType':
              return expectSoundHttp({ ...base, headers: { 'content-type': change.contentType }, body: valid });
            case 'encoded': {
              const body = change.encoding === 'deflate' ? deflateSync(valid) : change.encoding === 'br' ? brotliCompressSync(valid) : gzipSync(valid);
              return expectSoundHttp({ ...base, headers: { ...json, 'content-encoding': change.encoding }, body, expect: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' } });
            }
            case 'oversize': {
              // Valid JSON, padded with spaces past the limit.
              const body = Buffer.concat([valid, Buffer.alloc(BODY_LIMIT_BYTES - valid.length + change.extra, ' ')]);
              return expectSoundHttp({ ...base, headers: json, body, expect: { status: 413, code: 'PAYLOAD_TOO_LARGE' } });
            }
            case 'emptyJsonOnReads': {
              const path = change.method === 'GET' ? '/v1/persisted/fz-raw:userID' : '/v1/persisted/fz-raw:userID/exp_a';
              return expectSoundHttp({ method: change.method, path, caller: 'admin', headers: { ...json, 'content-length': '0' } });
            }
          }
        }),
        runs(0x2a_b0, 80),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  it(
    'paths: percent-encoded code points, %00, invalid escapes, over-long segments, dot segments',
    async () => {
      const BAD_ESCAPES = ['%', '%2', '%zz', '%ff', '%c3', '%e2%82', '%c0%80', '%ed%a0%80', '%f4%90%80%80', '%%30'];
      type Segment = { text: string; kind: 'valid' | 'badEscape' | 'odd' };
      const odd = (text: string): Segment => ({ text, kind: 'odd' });
      const segment = fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('fz-1:userID', 'exp_a', 'fuzz_exp', '1').map((text): Segment => ({ text, kind: 'valid' })) },
        { weight: 3, arbitrary: oddString.map((text) => odd(everyCodePointEncoded(text))) },
        {
          weight: 2,
          arbitrary: fc.tuple(fc.constantFrom(...BAD_ESCAPES), fc.constantFrom('', 'fz-1', 'exp_a')).map(([escape, around]): Segment => ({ text: `${around}${escape}${around}`, kind: 'badEscape' })),
        },
        { weight: 1, arbitrary: fc.constantFrom('%00', 'fz-1%00', '%2f', '%2F..%2F', '%5c', '%20', '+', '%u0041').map(odd) },
        { weight: 1, arbitrary: fc.constantFrom('.', '..', '%2e', '%2e%2e', '%2E%2E', '.%2e').map(odd) },
        { weight: 1, arbitrary: fc.constantFrom(100, 101, 513, 600, 4_000, 9_000, 20_000).map((length) => odd('k'.repeat(length))) },
        { weight: 1, arbitrary: fc.constantFrom(100, 513, 3_000).map((length) => odd(`${'%e2%82%ac'.repeat(Math.ceil(length / 3))}:userID`)) },
      );
      const routes = [
        { method: 'GET', segments: 1, template: (s: string[]) => `/v1/persisted/${s[0]}`, caller: 'reader' as const },
        { method: 'PUT', segments: 2, template: (s: string[]) => `/v1/persisted/${s[0]}/${s[1]}`, caller: 'writer' as const, body: () => JSON.stringify(stickyValueFor('Test')) },
        { method: 'DELETE', segments: 2, template: (s: string[]) => `/v1/persisted/${s[0]}/${s[1]}`, caller: 'writer' as const },
        { method: 'GET', segments: 1, template: (s: string[]) => `/v1/experiments/${s[0]}`, caller: 'evaluator' as const },
        { method: 'GET', segments: 2, template: (s: string[]) => `/v1/experiments/${s[0]}/versions/${s[1]}`, caller: 'evaluator' as const },
        { method: 'POST', segments: 1, template: (s: string[]) => `/v1/experiments/${s[0]}/evaluate`, caller: 'evaluator' as const, body: () => JSON.stringify({ user: { userID: 'path-user' } }) },
        { method: 'DELETE', segments: 1, template: (s: string[]) => `/v1/api-keys/${s[0]}`, caller: 'admin' as const },
        { method: 'GET', segments: 1, template: (s: string[]) => `/v1/audit/${s[0]}`, caller: 'auditor' as const },
        { method: 'GET', segments: 2, template: (s: string[]) => `/v1/audit/${s[0]}/${s[1]}/explain`, caller: 'auditor' as const },
        { method: 'GET', segments: 1, template: (s: string[]) => `/v1/experiments/${s[0]}/assignments`, caller: 'auditor' as const },
        { method: 'DELETE', segments: 1, template: (s: string[]) => `/v1/units/${s[0]}`, caller: 'admin' as const },
        {
          method: 'POST',
          segments: 1,
          template: (s: string[]) => `/ofrep/v1/evaluate/flags/${s[0]}`,
          caller: 'evaluator' as const,
          body: () => JSON.stringify({ context: { targetingKey: 'path-user' } }),
          ofrep: true,
        },
        { method: 'GET', segments: 1, template: (s: string[]) => `/audit/${s[0]}`, caller: 'anonymous' as const },
      ];
      await fc.assert(
        fc.asyncProperty(fc.nat(routes.length - 1), fc.tuple(segment, segment), fc.constantFrom('', '', '', '/', '//', '?', '#x', '?a=%zz'), async (index, segments, suffix) => {
          const route = routes[index]!;
          const path = route.template(segments.map((part) => part.text)) + suffix;
          const used = segments.slice(0, route.segments);
          let expected: HttpCase['expect'];
          // Node's parser counts the request line within its 16 KiB header allowance, so a longer one is refused
          // before the router sees it, as the README says.
          if (path.length > 17_000) expected = { status: 431, code: 'HEADERS_TOO_LARGE' };
          // Where a bad escape is the only thing wrong with a request to a real route.
          else if (used.some((part) => part.kind === 'badEscape') && used.every((part) => part.kind !== 'odd') && (suffix === '' || suffix === '?')) expected = { status: 400, code: 'INVALID_URL' };
          return expectSoundHttp({
            method: route.method,
            path,
            caller: route.caller,
            ofrep: route.ofrep,
            ...(route.body ? { headers: { 'content-type': 'application/json' }, body: route.body() } : {}),
            ...(expected ? { expect: expected } : {}),
          });
        }),
        runs(0x9a_7e, 110),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  it(
    'headers: malformed authorization, huge or odd x-request-id, prefer, accept',
    async () => {
      const latin1 = fc.string({
        unit: fc
          .integer({ min: 0x20, max: 0xff })
          .filter((code) => code !== 0x7f)
          .map((code) => String.fromCharCode(code)),
        minLength: 1,
        maxLength: 20,
      });
      /** Over Node's whole header allowance (16 KiB), whatever a server sets. */
      const HUGE = 40_000;
      // [header value, whether it certainly names no valid key]; the case of the scheme and odd spacing are left open.
      const authorization = fc.oneof(
        fc.constantFrom<[string, boolean]>(
          ['Bearer', true],
          ['Bearer ', true],
          ['Bearer  ', true],
          ['Basic dXNlcjpwYXNz', true],
          ['Token <admin>', true],
          ['<admin>', true],
          ['Bearer alk_', true],
          ['Bearer alk_x_y', true],
          ['Bearer <admin>x', true],
          ['bearer <admin>', false],
          ['BEARER <admin>', false],
          ['Bearer <admin> extra', false],
          ['Bearer\t<admin>', false],
          ['Bearer  <admin>', false],
        ),
        latin1.map((text): [string, boolean] => [`Bearer ${text}x`, true]),
        fc.constantFrom(300, 8_000, HUGE).map((length): [string, boolean] => [`Bearer ${'a'.repeat(length)}`, true]),
      );
      const requestId = fc.oneof(
        fc.constantFrom(199, 200, 201, 300, 8_000, HUGE).map((length) => 'r'.repeat(length)),
        latin1,
        fc.constant(''),
      );
      const routes = [
        { method: 'GET', path: '/v1/persisted/fz-1:userID' },
        { method: 'PUT', path: '/v1/persisted/fz-2:userID/exp_a', body: JSON.stringify(stickyValueFor('Control')) },
        { method: 'DELETE', path: '/v1/persisted/fz-2:userID/exp_b' },
        { method: 'POST', path: '/v1/experiments/fuzz_exp/evaluate', body: JSON.stringify({ user: { userID: 'header-user' } }) },
        { method: 'GET', path: '/v1/audit/fz-1:userID' },
        { method: 'POST', path: '/ofrep/v1/evaluate/flags/fuzz_exp', body: JSON.stringify({ context: { targetingKey: 'header-user' } }), ofrep: true },
      ];
      await fc.assert(
        fc.asyncProperty(
          fc.nat(routes.length - 1),
          fc.record({
            authorization: rarely(authorization),
            requestId: rarely(requestId),
            prefer: rarely(fc.constantFrom('respond-async', 'RESPOND-ASYNC', 'respond-async, wait=1', 'return=minimal', '')),
            accept: rarely(fc.constantFrom('application/xml', 'text/html', '*/*', '')),
            many: rarely(fc.constantFrom(50, 100)),
          }),
          async (index, headers) => {
            const route = routes[index]!;
            const sent: Record<string, string> = {};
            if (route.body) sent['content-type'] = 'application/json';
            if (headers.authorization) sent.authorization = headers.authorization[0].replace('<admin>', environment.adminKey);
            if (headers.requestId !== undefined) sent['x-request-id'] = headers.requestId;
            if (headers.prefer !== undefined) sent.prefer = headers.prefer;
            if (headers.accept !== undefined) sent.accept = headers.accept;
            for (let n = 0; n < (headers.many ?? 0); n += 1) sent[`x-fuzz-${n}`] = String(n);
            let expected: HttpCase['expect'];
            if ((headers.requestId ?? '').length >= HUGE || (sent.authorization ?? '').length >= HUGE) expected = { status: 431, code: 'HEADERS_TOO_LARGE' };
            else if (headers.authorization?.[1]) expected = { status: 401, code: 'UNAUTHENTICATED' };
            return expectSoundHttp({
              method: route.method,
              path: route.path,
              // A generated authorization header replaces the caller's.
              caller: headers.authorization ? 'anonymous' : 'admin',
              ofrep: route.ofrep,
              headers: sent,
              ...(route.body ? { body: route.body } : {}),
              ...(expected ? { expect: expected } : {}),
            });
          },
        ),
        runs(0x4e_ad, 60),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  it(
    'query strings: odd asOf and reason values, duplicates, unknown parameters',
    async () => {
      const REASONS = ['explicit', 'persisted_values_not_provided', 'experiment_inactive', 'bucket_version_retired', 'EXPLICIT', '', 'explicit\u0000', '__proto__', 'constructor'];
      // Every listed value once, then combinations.
      for (const asOf of AS_OF) await expectSoundHttp({ method: 'GET', path: `/v1/persisted/fz-1:userID?asOf=${everyCodePointEncoded(asOf)}`, caller: 'reader' });
      for (const reason of REASONS) await expectSoundHttp({ method: 'DELETE', path: `/v1/persisted/fz-1:userID/exp_b?reason=${everyCodePointEncoded(reason)}`, caller: 'writer' });
      const odd = fc.oneof(
        oddString,
        longText([2_000]).map((text) => text.text()),
      );
      const extra = fc.tuple(
        fc.oneof({ weight: 4, arbitrary: fc.constantFrom('asOf', 'reason', 'asof', 'asOf[]', '__proto__', 'reason[0]') }, { weight: 1, arbitrary: oddString.map(everyCodePointEncoded) }),
        fc.oneof(fc.constantFrom(...AS_OF, ...REASONS), odd),
      );
      const query = fc.record({
        main: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...AS_OF, ...REASONS) }, { weight: 1, arbitrary: odd }),
        extras: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(extra, { minLength: 1, maxLength: 2 }) }),
        // Either every byte escaped, or sent as typed with only what cannot go on the wire escaped.
        rawPercent: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('GET', 'DELETE'), fc.constantFrom(...KEY_POOL), query, async (method, key, { main, extras, rawPercent }) => {
          const parameters: Array<[string, string]> = [[method === 'GET' ? 'asOf' : 'reason', main], ...extras];
          const text = parameters.map(([name, value]) => `${name}=${rawPercent ? value.replace(/[^\x21-\x7e]/g, (c) => everyCodePointEncoded(c)) : everyCodePointEncoded(value)}`).join('&');
          const path = method === 'GET' ? `/v1/persisted/${key}?${text}` : `/v1/persisted/${key}/exp_b?${text}`;
          return expectSoundHttp({ method, path, caller: method === 'GET' ? 'reader' : 'writer' });
        }),
        runs(0x0a_50, 80),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  it(
    'POST /v1/experiments/{name}/evaluate and /v1/evaluate: odd users',
    async () => {
      // Every unit id the contract has to refuse or carry, once on each endpoint, then combinations.
      for (const userID of ['unit\u0000', 'unit\u0001', 'unit\u001f', 'unit\ud800', 'unit\udc00x', 'u'.repeat(512), 'u'.repeat(513)]) {
        for (const path of ['/v1/experiments/fuzz_exp/evaluate', '/v1/evaluate']) {
          await expectSoundHttp({ method: 'POST', path, caller: 'evaluator', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: { userID } }) });
        }
      }
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { weight: 6, arbitrary: fc.constantFrom('fuzz_exp', 'fuzz_company', 'fz-0', 'fz-1') },
            { weight: 1, arbitrary: fc.constantFrom('(all)', 'unknown_exp') },
            { weight: 1, arbitrary: oddString },
          ),
          statsigUser,
          fc.record({ persist: rarely(fc.oneof(fc.boolean(), wrongType)), enforceTargeting: rarely(fc.oneof(fc.boolean(), wrongType)), extra: rarely(hostileValue) }),
          callerFor('evaluator'),
          async (experiment, user, options, caller) =>
            expectSoundHttp({
              method: 'POST',
              path: experiment === '(all)' ? '/v1/evaluate' : `/v1/experiments/${percentEncoded(experiment)}/evaluate`,
              caller,
              headers: { 'content-type': 'application/json' },
              body: jsonTextOf({ user, ...withoutUndefined(options) }),
            }),
        ),
        runs(0xe7_a1, 100),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  /** A unit with three entries, and the cursor to its second page (of one entry each) as the ledger gave it out. */
  const AUDITED_KEY = 'fz-audited:userID';
  let givenCursor: Promise<string> | undefined;
  const cursorTheLedgerGaveOut = (): Promise<string> =>
    (givenCursor ??= (async () => {
      expect((await stack.api.put(`/v1/persisted/${AUDITED_KEY}/exp_a`, stickyValueFor('Control'))).body).toMatchObject({ outcome: 'saved' });
      expect((await stack.api.delete(`/v1/persisted/${AUDITED_KEY}/exp_a`)).body).toMatchObject({ outcome: 'deleted' });
      expect((await stack.api.put(`/v1/persisted/${AUDITED_KEY}/exp_a`, stickyValueFor('Test'))).body).toMatchObject({ outcome: 'saved' });
      logEnd = await recordsInLog();
      const page = await stack.api.get(`/v1/audit/${AUDITED_KEY}?limit=1`);
      expect(page.body.nextCursor).toEqual(expect.any(String));
      return page.body.nextCursor as string;
    })());
  const cursorLike = (given: string) =>
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(given) },
      { weight: 2, arbitrary: fc.uuid().map((id) => Buffer.from(id).toString('base64url')) },
      { weight: 2, arbitrary: oddString },
      { weight: 1, arbitrary: fc.constantFrom('', '=', 'AAAA', '_-_-', `${given}A`, given.slice(1), 'x'.repeat(100), 'x'.repeat(101), 'x'.repeat(5_000)) },
    );
  const auditedOrAnyKey = fc.oneof({ weight: 2, arbitrary: fc.constant(AUDITED_KEY) }, { weight: 3, arbitrary: persistenceKey });
  /** Present half the time. */
  const sometimes = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 2 });

  it(
    "audit reads: a unit's trail and explanation and an experiment's assignments, with odd keys, cursors, limits, times and formats",
    async () => {
      const given = await cursorTheLedgerGaveOut();
      const LIMITS = ['0', '1', '2', '100', '1000', '1001', '-1', '01', '1e3', '1.5', ' 1', '', '9'.repeat(30), 'NaN'];
      const FORMATS = ['json', 'ndjson', 'NDJSON', 'csv', '', 'ndjson\u0000', 'application/x-ndjson'];
      type Parameter = [name: string, value: string];
      const parameter = (name: string, values: fc.Arbitrary<string>) => sometimes(values.map((value): Parameter => [name, value]));
      const extras = fc.oneof(
        { weight: 3, arbitrary: fc.constant<Parameter[]>([]) },
        {
          weight: 1,
          arbitrary: fc.array(fc.tuple(fc.oneof(fc.constantFrom('limit', 'cursor', 'experiment', 'asOf', 'format', 'LIMIT', 'limit[]', '__proto__'), oddString), oddString), {
            minLength: 1,
            maxLength: 2,
          }),
        },
      );
      const trail = fc.record({
        route: fc.constant('trail' as const),
        key: auditedOrAnyKey,
        parameters: fc.tuple(parameter('experiment', configName), parameter('cursor', cursorLike(given)), parameter('limit', fc.constantFrom(...LIMITS))),
        extras,
      });
      const explain = fc.record({
        route: fc.constant('explain' as const),
        key: auditedOrAnyKey,
        experiment: configName,
        parameters: fc.tuple(parameter('asOf', fc.oneof(fc.constantFrom(...AS_OF), oddString))),
        extras,
      });
      const assignments = fc.record({ route: fc.constant('assignments' as const), experiment: configName, parameters: fc.tuple(parameter('format', fc.constantFrom(...FORMATS))), extras });
      await fc.assert(
        fc.asyncProperty(fc.oneof(trail, explain, assignments), callerFor('auditor'), async (recipe, caller) => {
          const pairs = [...recipe.parameters.filter((pair): pair is Parameter => pair !== undefined), ...recipe.extras];
          const query = pairs.length === 0 ? '' : `?${pairs.map(([name, value]) => `${everyCodePointEncoded(name)}=${everyCodePointEncoded(value)}`).join('&')}`;
          const path =
            recipe.route === 'trail'
              ? `/v1/audit/${percentEncoded(recipe.key)}`
              : recipe.route === 'explain'
                ? `/v1/audit/${percentEncoded(recipe.key)}/${percentEncoded(recipe.experiment)}/explain`
                : `/v1/experiments/${percentEncoded(recipe.experiment)}/assignments`;
          return expectSoundHttp({ method: 'GET', path: path + query, caller });
        }),
        runs(0xa0_d1, 100),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  it(
    'DELETE /v1/units/{key}: odd keys, callers and prefer',
    async () => {
      await fc.assert(
        fc.asyncProperty(persistenceKey, callerFor('admin'), rarely(fc.constantFrom('respond-async', 'RESPOND-ASYNC', 'return=minimal', '')), async (key, caller, prefer) => {
          // Only an admin key may erase; the scope is checked before the key is read.
          const refused = ['writer', 'reader', 'evaluator', 'publisher', 'auditor'].includes(caller) && KEY_POOL.includes(key);
          return expectSoundHttp({
            method: 'DELETE',
            path: `/v1/units/${percentEncoded(key)}`,
            caller,
            headers: prefer === undefined ? {} : { prefer },
            ...(refused ? { expect: { status: 403, code: 'FORBIDDEN' } } : {}),
          });
        }),
        runs(0xe7_a5, 40),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  it(
    'OFREP: odd flag keys and evaluation contexts',
    async () => {
      const context = fc.oneof(
        {
          weight: 4,
          arbitrary: fc
            .record({
              targetingKey: rarely(fc.oneof({ weight: 3, arbitrary: userIdLike }, wrongType)),
              userID: rarely(fc.oneof(userIdLike, wrongType)),
              companyID: rarely(userIdLike),
              country: rarely(fc.oneof(fc.constantFrom('NZ', 'US'), oddString, wrongType)),
              extra: rarely(hostileValue),
            })
            .map(withoutUndefined),
        },
        { weight: 1, arbitrary: fc.oneof(wrongType, deepJson, fc.dictionary(oddString, attributeValue, { minKeys: 1, maxKeys: 3 })) },
      );
      const body = fc.oneof(
        { weight: 6, arbitrary: context.map((given) => ({ context: given })) },
        { weight: 1, arbitrary: fc.constantFrom<unknown>({}, [], null, 'context', { context: null }, { contexts: {} }) },
        { weight: 1, arbitrary: fc.record({ context, extra: hostileValue }) },
      );
      const flag = fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom('fuzz_exp', 'fuzz_company', 'fz-0') },
        { weight: 2, arbitrary: fc.constant('(bulk)') },
        { weight: 1, arbitrary: oddString },
        { weight: 1, arbitrary: fc.constantFrom('', 'unknown_exp', 'a'.repeat(201)) },
      );
      await fc.assert(
        fc.asyncProperty(flag, body, callerFor('evaluator'), async (key, sent, caller) =>
          expectSoundHttp({
            method: 'POST',
            path: key === '(bulk)' ? '/ofrep/v1/evaluate/flags' : `/ofrep/v1/evaluate/flags/${percentEncoded(key)}`,
            caller,
            ofrep: true,
            headers: { 'content-type': 'application/json' },
            body: jsonTextOf(sent),
          }),
        ),
        runs(0x0f_e9, 100),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  const requestIdInput = fc.option(
    fc.oneof(
      fc.constantFrom(36, 200, 201, 300).map((length) => 'g'.repeat(length)),
      fc.constantFrom('', 'with space', '../..', '{"json":1}', 'a;b=c'),
    ),
    { nil: undefined },
  );

  it(
    'gRPC PersistedValues: NaN and Infinity in Structs, deep nesting, large values, odd strings, long request ids',
    async () => {
      const save = fc.record({
        method: fc.constant('Save' as const),
        key: persistenceKey,
        config: configName,
        value: fc.tuple(validStickyValues, fc.array(stickyMutation, { maxLength: 3 })).map(([base, mutations]) => mutated(base, mutations)),
        big: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(70_000, 500_000, 2_000_000) }),
        async: fc.boolean(),
      });
      const load = fc.record({
        method: fc.constant('Load' as const),
        key: persistenceKey,
        asOf: fc.oneof(fc.constantFrom('', '2026-02-30T00:00:00Z', '0000-01-01T00:00:00Z', '99999-01-01T00:00:00Z', '2026-01-01T00:00:00Z'), oddString),
      });
      const batchLoad = fc.record({
        method: fc.constant('BatchLoad' as const),
        keys: fc.oneof(
          fc.array(persistenceKey, { maxLength: 5 }),
          fc.constantFrom(0, 1_000, 1_001).map((count) => Array.from({ length: count }, (_, n) => `b-${n}:userID`)),
        ),
      });
      const remove = fc.record({
        method: fc.constant('Delete' as const),
        key: persistenceKey,
        config: configName,
        reason: fc.oneof(fc.constantFrom('', 'explicit', 'experiment_inactive', 'EXPLICIT', 'nonsense'), oddString),
        async: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: save }, load, batchLoad, remove), callerFor('admin'), requestIdInput, async (call, caller, requestId) => {
          let message: Buffer;
          let expectCode: status | undefined;
          switch (call.method) {
            case 'Save': {
              const value = call.big === undefined ? call.value : { ...call.value, json_value: { blob: new LongText(call.big, '') } };
              message = Buffer.concat([stringField(1, call.key), stringField(2, call.config), bytesField(3, protobufStruct(value)), varintField(4, call.async ? 1 : 0)]);
              if (call.big !== undefined && caller === 'admin') expectCode = status.RESOURCE_EXHAUSTED;
              break;
            }
            case 'Load':
              message = Buffer.concat([stringField(1, call.key), stringField(2, call.asOf)]);
              break;
            case 'BatchLoad':
              message = Buffer.concat(call.keys.map((text) => stringField(1, text)));
              break;
            case 'Delete':
              message = Buffer.concat([stringField(1, call.key), stringField(2, call.config), stringField(3, call.reason), varintField(4, call.async ? 1 : 0)]);
              break;
          }
          return expectSoundGrpc({
            service: 'PersistedValues',
            method: call.method,
            message,
            caller,
            ...(requestId === undefined ? {} : { requestId }),
            ...(expectCode === undefined ? {} : { expectCode }),
          });
        }),
        runs(0x67_9c, 150),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  it(
    'gRPC Evaluation: odd users, negative and huge versions, odd names',
    async () => {
      const experimentName = fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom('fuzz_exp', 'fuzz_company', 'fz-0', 'fz-2') },
        { weight: 1, arbitrary: fc.oneof(oddString, fc.constantFrom('', 'unknown_exp')) },
      );
      const user = statsigUser.map((fields) => fields as Record<string, unknown>);
      const persist = fc.option(fc.boolean(), { nil: undefined });
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { weight: 3, arbitrary: fc.record({ method: fc.constant('Evaluate' as const), experiment: experimentName, user, persist, enforce: fc.boolean() }) },
            { weight: 2, arbitrary: fc.record({ method: fc.constant('EvaluateAll' as const), user, persist, enforce: fc.boolean() }) },
            {
              weight: 1,
              arbitrary: fc.record({
                method: fc.constant('GetExperiment' as const),
                name: experimentName,
                version: fc.oneof(fc.constantFrom(-1, 0, 1, 2, 2_147_483_647, -2_147_483_648), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n })),
              }),
            },
          ),
          callerFor('evaluator'),
          requestIdInput,
          async (call, caller, requestId) => {
            let message: Buffer;
            if (call.method === 'GetExperiment') {
              message = Buffer.concat([stringField(1, call.name), varintField(2, call.version)]);
            } else {
              const userField = call.method === 'Evaluate' ? 2 : 1;
              message = Buffer.concat([
                call.method === 'Evaluate' ? stringField(1, call.experiment) : Buffer.alloc(0),
                bytesField(userField, protobufStruct(call.user)),
                call.persist === undefined ? Buffer.alloc(0) : bytesField(userField + 1, varintField(1, call.persist ? 1 : 0)),
                varintField(userField + 2, call.enforce ? 1 : 0),
              ]);
            }
            return expectSoundGrpc({ service: 'Evaluation', method: call.method, message, caller, ...(requestId === undefined ? {} : { requestId }) });
          },
        ),
        runs(0x6e_7a, 80),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  it(
    'gRPC raw messages: truncated, unknown fields and enum values, wrong wire types, invalid UTF-8',
    async () => {
      const valid: Array<{ service: GrpcCase['service']; method: string; message: () => Buffer }> = [
        { service: 'PersistedValues', method: 'Save', message: () => Buffer.concat([stringField(1, 'fz-raw:userID'), stringField(2, 'exp_b'), bytesField(3, protobufStruct(stickyValueFor('Test')))]) },
        { service: 'PersistedValues', method: 'Load', message: () => stringField(1, 'fz-raw:userID') },
        { service: 'PersistedValues', method: 'BatchLoad', message: () => Buffer.concat([stringField(1, 'fz-raw:userID'), stringField(1, 'fz-1:userID')]) },
        { service: 'PersistedValues', method: 'Delete', message: () => Buffer.concat([stringField(1, 'fz-raw:userID'), stringField(2, 'exp_b')]) },
        { service: 'Evaluation', method: 'Evaluate', message: () => Buffer.concat([stringField(1, 'fuzz_exp'), bytesField(2, protobufStruct({ userID: 'raw-grpc' }))]) },
        { service: 'Evaluation', method: 'EvaluateAll', message: () => bytesField(1, protobufStruct({ userID: 'raw-grpc' })) },
        { service: 'Evaluation', method: 'GetExperiment', message: () => stringField(1, 'fuzz_exp') },
        { service: 'AuditService', method: 'Audit', message: () => Buffer.concat([stringField(1, 'fz-1:userID'), varintField(4, 2)]) },
        { service: 'AuditService', method: 'Explain', message: () => Buffer.concat([stringField(1, 'fz-1:userID'), stringField(2, 'exp_a')]) },
        { service: 'AuditService', method: 'Assignments', message: () => stringField(1, 'exp_a') },
      ];
      const damage = fc.oneof(
        fc.record({ kind: fc.constant('truncate' as const), keep: fc.double({ min: 0, max: 0.999, noNaN: true }) }),
        fc.record({ kind: fc.constant('unknownField' as const), field: fc.constantFrom(15, 99, 536_870_911), wireType: fc.constantFrom(0, 1, 2, 5) }),
        fc.record({ kind: fc.constant('wrongWireType' as const), field: fc.constantFrom(1, 2, 3, 4), wireType: fc.constantFrom(0, 1, 5) }),
        fc.record({ kind: fc.constant('invalidUtf8String' as const), field: fc.constantFrom(1, 2, 3), bytes: fc.constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0x00]) }),
        fc.record({
          kind: fc.constant('oddStruct' as const),
          value: fc.constantFrom(varintField(1, 99), varintField(1, -1), doubleField(2, Number.NaN), varintField(7, 1), Buffer.from([0x2a, 0x05, 0x0a, 0x03, 0x0a, 0x01])),
        }),
        fc.record({ kind: fc.constant('overlongLength' as const) }),
        fc.record({ kind: fc.constant('garbage' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
        fc.record({ kind: fc.constant('empty' as const) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.nat(valid.length - 1), damage, callerFor('admin'), async (index, change, caller) => {
          const target = valid[index]!;
          const message = target.message();
          let damaged: Buffer;
          switch (change.kind) {
            case 'truncate':
              damaged = message.subarray(0, Math.floor(message.length * change.keep));
              break;
            case 'unknownField': {
              const payload =
                change.wireType === 0 ? varint(7) : change.wireType === 1 ? Buffer.alloc(8, 1) : change.wireType === 5 ? Buffer.alloc(4, 1) : Buffer.concat([varint(3), Buffer.from('abc')]);
              damaged = Buffer.concat([message, key(change.field, change.wireType), payload]);
              break;
            }
            case 'wrongWireType': {
              const payload = change.wireType === 0 ? varint(1) : change.wireType === 1 ? Buffer.alloc(8) : Buffer.alloc(4);
              damaged = Buffer.concat([key(change.field, change.wireType), payload, message]);
              break;
            }
            case 'invalidUtf8String':
              damaged = Buffer.concat([message, bytesField(change.field, Buffer.concat([Buffer.from('fz-'), Buffer.from(change.bytes), Buffer.from(':userID')]))]);
              break;
            case 'oddStruct':
              // A struct field (3 in Save, 2 in Evaluate, 1 in EvaluateAll) whose one entry holds an odd Value.
              damaged = Buffer.concat([
                message,
                bytesField(target.method === 'EvaluateAll' ? 1 : target.method === 'Evaluate' ? 2 : 3, bytesField(1, Buffer.concat([stringField(1, 'userID'), bytesField(2, change.value)]))),
              ]);
              break;
            case 'overlongLength':
              damaged = Buffer.concat([message, key(1, 2), varint(1_000_000), Buffer.from('short')]);
              break;
            case 'garbage':
              damaged = Buffer.from(change.bytes);
              break;
            case 'empty':
              damaged = Buffer.alloc(0);
              break;
          }
          return expectSoundGrpc({ service: target.service, method: target.method, message: damaged, caller });
        }),
        runs(0x4a_77, 80),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  it(
    'gRPC AuditService: odd keys, experiments, cursors, limits and times',
    async () => {
      const given = await cursorTheLedgerGaveOut();
      const audit = fc.record({
        method: fc.constant('Audit' as const),
        key: auditedOrAnyKey,
        experiment: sometimes(configName),
        cursor: sometimes(cursorLike(given)),
        limit: sometimes(fc.oneof(fc.constantFrom(0, 1, 2, 100, 1_000, 1_001, -1, 2_147_483_647, -2_147_483_648), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }))),
      });
      const explain = fc.record({ method: fc.constant('Explain' as const), key: auditedOrAnyKey, experiment: configName, asOf: sometimes(fc.oneof(fc.constantFrom(...AS_OF), oddString)) });
      const assignments = fc.record({ method: fc.constant('Assignments' as const), experiment: configName });
      const optional = (field: number, text: string | undefined) => (text === undefined ? Buffer.alloc(0) : stringField(field, text));
      await fc.assert(
        fc.asyncProperty(fc.oneof(audit, explain, assignments), callerFor('auditor'), requestIdInput, async (call, caller, requestId) => {
          let message: Buffer;
          switch (call.method) {
            case 'Audit':
              message = Buffer.concat([stringField(1, call.key), optional(2, call.experiment), optional(3, call.cursor), call.limit === undefined ? Buffer.alloc(0) : varintField(4, call.limit)]);
              break;
            case 'Explain':
              message = Buffer.concat([stringField(1, call.key), stringField(2, call.experiment), optional(3, call.asOf)]);
              break;
            case 'Assignments':
              message = stringField(1, call.experiment);
              break;
          }
          return expectSoundGrpc({ service: 'AuditService', method: call.method, message, caller, ...(requestId === undefined ? {} : { requestId }) });
        }),
        runs(0xa0_d2, 80),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  let deadlineKeys = 0;
  it(
    // A deadline that passes while the event is on its way to the broker cannot take it back: the caller learns
    // DEADLINE_EXCEEDED with the outcome unknown (a retry is safe). A deadline already passed must do nothing.
    'gRPC calls whose deadline has passed append nothing',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('Save', 'Delete', 'Evaluate'), fc.constantFrom(-1_000, -1, 0), async (method, deadlineMs) => {
          const unit = `deadline-${(deadlineKeys += 1)}`;
          const sticky = Buffer.from(protobufStruct(stickyValueFor('Control')));
          const message =
            method === 'Save'
              ? Buffer.concat([stringField(1, `${unit}:userID`), stringField(2, 'fuzz_exp'), bytesField(3, sticky)])
              : method === 'Delete'
                ? Buffer.concat([stringField(1, 'fz-1:userID'), stringField(2, 'fuzz_exp')])
                : Buffer.concat([stringField(1, 'fuzz_exp'), bytesField(2, protobufStruct({ userID: unit }))]);
          return expectSoundGrpc({ service: method === 'Evaluate' ? 'Evaluation' : 'PersistedValues', method, message, caller: 'admin', deadlineMs });
        }),
        runs(0xde_ad, 20),
      );
    },
    PROPERTY_TEST_TIMEOUT_MS,
  );

  // Text Postgres cannot store, named once each, just before the checks that the projection went on past all of it.
  describe('text the read model cannot hold is refused where it enters', () => {
    const saved = (overrides: Record<string, unknown>) => JSON.stringify({ ...stickyValueFor('Control'), ...overrides });
    it.each([
      ['a lone surrogate in json_value', 'poison-1:userID', saved({ json_value: { s: '\ud800' } })],
      ['U+0000 in json_value', 'poison-2:userID', saved({ json_value: { s: '\u0000' } })],
      ['U+0000 in a json_value key', 'poison-3:userID', saved({ json_value: { '\u0000': 1 } })],
      ['U+0000 in rule_id', 'poison-4:userID', saved({ rule_id: 'a\u0000' })],
    ])('PUT /v1/persisted with %s', async (_what, key, body) => {
      await expectSoundHttp({ method: 'PUT', path: `/v1/persisted/${key}/exp_poison`, caller: 'writer', headers: { 'content-type': 'application/json' }, body });
    });

    it('an evaluation of a unit id with a lone surrogate', async () => {
      await expectSoundHttp({
        method: 'POST',
        path: '/v1/experiments/fuzz_exp/evaluate',
        caller: 'evaluator',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: { userID: 'poison-5\ud800' } }),
      });
    });

    it('a gRPC Save with U+0000 in json_value', async () => {
      const value = { ...stickyValueFor('Control'), json_value: { s: '\u0000' } };
      await expectSoundGrpc({
        service: 'PersistedValues',
        method: 'Save',
        caller: 'writer',
        message: Buffer.concat([stringField(1, 'poison-6:userID'), stringField(2, 'exp_poison'), bytesField(3, protobufStruct(value))]),
      });
    });
  });

  describe('afterwards', () => {
    it('every partition of the topic is projected to its log end', async () => {
      const ends = await kafkaAdmin.fetchTopicOffsets(environment.topic);
      await eventually(
        async () => {
          const stored = await database.query<{ log_partition: number; next_offset: string }>(
            'SELECT log_partition, next_offset::text FROM read_model.projection_positions WHERE consumer_group = $1 AND topic = $2',
            [environment.groupId, environment.topic],
          );
          const position = new Map(stored.rows.map((row) => [row.log_partition, row.next_offset]));
          const behind = ends.filter((end) => (position.get(end.partition) ?? '0') !== end.high);
          if (behind.length > 0) throw new Error(`behind: ${behind.map((end) => `partition ${end.partition} at ${position.get(end.partition) ?? '0'} of ${end.high}`).join(', ')}`);
          return true;
        },
        { what: 'every partition projected to its log end' },
      );
    }, 30_000);

    it('the projector reports ready (no partition halted)', async () => {
      const ready = await fetch(`${await stack.projector.getUrl()}/health/ready`);
      expect({ status: ready.status, body: await ready.json() }).toMatchObject({ status: 200 });
    });

    it('no gRPC call whose deadline passed appended later', async () => {
      // Their units are all named deadline-<n>; read from the log itself, so a stalled projection cannot hide one.
      const records = await readTopic(environment.brokers, environment.topic, await recordsInLog());
      expect(records.map((record) => record.key?.toString('utf8')).filter((key) => key?.startsWith('deadline-'))).toEqual([]);
    }, 30_000);

    it('a save and a load of a deep-but-allowed value round-trip on HTTP and gRPC', async () => {
      // json_value nested 32 containers deep (objects and arrays), the most every transport carries.
      let inner: unknown = { leaf: 'é\ud83d\ude00', n: -1.5 };
      for (let level = 2; level < 32; level += 1) inner = level % 2 ? [inner] : { [`level${level}`]: inner };
      const jsonValue: Record<string, unknown> = { level32: inner };
      const value = { ...stickyValueFor('Control'), json_value: jsonValue };
      const grpcCall = <T>(method: 'Load' | 'Save', message: Buffer) =>
        new Promise<T>((resolve, reject) => {
          const metadata = new Metadata();
          metadata.set('authorization', `Bearer ${environment.adminKey}`);
          grpc.makeUnaryRequest(
            `/assignment_ledger.v1.PersistedValues/${method}`,
            (bytes: Buffer) => bytes,
            responseDecoder('PersistedValues', method),
            message,
            metadata,
            { deadline: Date.now() + ANSWER_TIMEOUT_MS },
            (error, response) => (error ? reject(error) : resolve(response as T)),
          );
        });
      const loadOverGrpc = async (persistence: string) => fromStruct((await grpcCall<{ values: ProtoStruct }>('Load', stringField(1, persistence))).values);

      expect(await stack.api.put('/v1/persisted/after-fuzz:userID/exp_deep', value)).toMatchObject({ status: 201, body: { outcome: 'saved' } });
      expect((await stack.api.get('/v1/persisted/after-fuzz:userID')).body).toEqual({ key: 'after-fuzz:userID', values: { exp_deep: value } });
      expect(await loadOverGrpc('after-fuzz:userID')).toEqual({ exp_deep: value });

      const saved = grpcCall('Save', Buffer.concat([stringField(1, 'after-fuzz-grpc:userID'), stringField(2, 'exp_deep'), bytesField(3, protobufStruct(value))]));
      await expect(saved).resolves.toMatchObject({ outcome: 'SAVED' });
      expect(await loadOverGrpc('after-fuzz-grpc:userID')).toEqual({ exp_deep: value });
      expect((await stack.api.get('/v1/persisted/after-fuzz-grpc:userID')).body.values).toEqual({ exp_deep: value });
    }, 30_000);
  });
});
