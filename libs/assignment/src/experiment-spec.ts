import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import { CarriedJsonObject, isCarriableJson, MAX_JSON_DEPTH, SafeString } from '@ledger/events';
import { TargetingConditionSchema } from './targeting';

/** Parameters end up in saved sticky values and in gRPC answers, so they take the carried-JSON limits. */
const Parameters = CarriedJsonObject();
/** The deepest a spec can nest: its own levels (spec, groups, group) above a group's parameters. */
const MAX_SPEC_DEPTH = MAX_JSON_DEPTH + 3;

/** An experiment as published to the registry: one immutable version of it. */
export const ExperimentSpecSchema = Type.Object(
  {
    idType: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$', default: 'userID' }),
    status: Type.Union([Type.Literal('active'), Type.Literal('inactive')]),
    salt: Type.Optional(SafeString({ minLength: 1, maxLength: 200 })),
    allocationPercent: Type.Number({ minimum: 0, maximum: 100 }),
    targeting: Type.Array(TargetingConditionSchema, { default: [] }),
    groups: Type.Array(
      Type.Object({ name: SafeString({ minLength: 1, maxLength: 200 }), weight: Type.Number({ minimum: 0, maximum: 100 }), parameters: Type.Optional(Parameters) }, { additionalProperties: false }),
      { minItems: 1, maxItems: 100 },
    ),
    defaultParameters: Type.Optional(Parameters),
    bucketVersion: Type.Integer({ minimum: 1, default: 1 }),
    minBucketVersion: Type.Integer({ minimum: 0, default: 0 }),
  },
  { additionalProperties: false },
);
export type ExperimentSpecInput = Static<typeof ExperimentSpecSchema>;

/** A validated spec with every default filled in. */
export interface ExperimentSpec extends Omit<ExperimentSpecInput, 'salt' | 'groups' | 'defaultParameters'> {
  name: string;
  salt: string;
  groups: Array<{ name: string; weight: number; parameters: Record<string, unknown> }>;
  defaultParameters: Record<string, unknown>;
}

export type SpecValidation = { ok: true; spec: ExperimentSpec } | { ok: false; problems: string[] };

const check = TypeCompiler.Compile(ExperimentSpecSchema);

const hasTwoDecimalsAtMost = (value: number): boolean => Math.abs(value * 100 - Math.round(value * 100)) < 1e-6;

/** Validates a spec and lists every problem, not only the first, so a publisher fixes them in one go. */
export function validateExperimentSpec(name: string, candidate: unknown): SpecValidation {
  // Checked before anything walks it: a spec thousands of levels deep would exhaust the stack of a copy.
  if (!isCarriableJson(candidate ?? {}, MAX_SPEC_DEPTH)) {
    return { ok: false, problems: [`/ must be JSON every transport carries: text without U+0000 or lone surrogates, finite numbers, parameters nested at most ${MAX_JSON_DEPTH} deep`] };
  }
  const withDefaults = Value.Default(ExperimentSpecSchema, structuredClone(candidate ?? {}));
  const problems = [...check.Errors(withDefaults)].map((error) => `${error.path || '/'} ${error.message}`);
  if (problems.length > 0) return { ok: false, problems };
  const input = withDefaults as ExperimentSpecInput;
  // JSON Schema's multipleOf is unreliable for 0.01 in binary floating point, so two decimals are checked here.
  if (!hasTwoDecimalsAtMost(input.allocationPercent)) problems.push('/allocationPercent must have at most two decimals');
  input.groups.forEach((group, index) => {
    if (!hasTwoDecimalsAtMost(group.weight)) problems.push(`/groups/${index}/weight must have at most two decimals`);
  });
  const totalWeight = input.groups.reduce((sum, group) => sum + Math.round(group.weight * 100), 0);
  if (totalWeight !== 10_000) problems.push(`/groups weights must add up to 100 (they add up to ${totalWeight / 100})`);
  const names = input.groups.map((group) => group.name);
  if (new Set(names).size !== names.length) problems.push('/groups names must be unique');
  if (input.minBucketVersion > input.bucketVersion) problems.push('/minBucketVersion must not exceed bucketVersion');
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    spec: {
      ...input,
      name,
      salt: input.salt ?? name,
      groups: input.groups.map((group) => ({ ...group, parameters: group.parameters ?? {} })),
      defaultParameters: input.defaultParameters ?? {},
    },
  };
}
