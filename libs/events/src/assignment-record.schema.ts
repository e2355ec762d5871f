import { type Static, Type } from '@sinclair/typebox';
import { SafeString } from './carried-values';
import { ConfigNameSchema } from './persistence-key.schema';

const Bucket = (description: string) => Type.Integer({ minimum: 0, maximum: 9999, description });

/** The targeting condition that failed, as the experiment's version stated it. */
export const RecordedConditionSchema = Type.Object(
  {
    field: SafeString({ minLength: 1, maxLength: 300, description: 'The user field or attribute the condition reads (e.g. country, custom.plan).' }),
    operator: Type.String({ pattern: '^[a-z_]{1,40}$', description: 'The operator, as in the experiment spec (any, none, gt, version_gte, ...).' }),
    values: Type.Array(Type.Union([SafeString({ maxLength: 1000 }), Type.Number()]), { maxItems: 1000, description: "The condition's values." }),
  },
  { additionalProperties: false, description: 'The first targeting condition the user failed, as the experiment version stated it.' },
);

export const TargetingRecordSchema = Type.Object(
  {
    passed: Type.Boolean({ description: "Whether the user passed every targeting condition of the experiment's version." }),
    failedCondition: Type.Optional(Type.Integer({ minimum: 0, description: 'Index, in the spec, of the first condition that failed.' })),
    condition: Type.Optional(RecordedConditionSchema),
  },
  { additionalProperties: false, description: 'The targeting outcome of the evaluation.' },
);

export const ASSIGNMENT_REASONS = ['Persisted', 'Evaluated', 'NotAllocated', 'TargetingFailed', 'Inactive', 'NoUnitID'] as const;

/**
 * How an evaluation on the ledger decided a unit's group: what "why is this unit sticky?" is answered
 * with. Absent from a value an SDK saved through the storage API.
 */
export const AssignmentRecordSchema = Type.Object(
  {
    experiment: ConfigNameSchema,
    experimentVersion: Type.Integer({ minimum: 1, description: "The experiment's published version the unit was evaluated under." }),
    bucketVersion: Type.Integer({ minimum: 1, description: "The version of the bucketing the unit's buckets were drawn under." }),
    allocationPercent: Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.Null()], {
      description: 'The share of units allocated at that version, in percent; null for events recorded before version 2 of this event.',
    }),
    ruleId: SafeString({ maxLength: 1000, description: 'The rule the evaluation matched (the group, or why none).' }),
    groupName: Type.Union([SafeString({ maxLength: 1000 }), Type.Null()], { description: 'The group the unit was assigned to.' }),
    buckets: Type.Object(
      { allocation: Bucket('murmur3 of <salt>.allocation.<bucketVersion>.<unitID>, modulo 10000'), group: Bucket('murmur3 of <salt>.group.<bucketVersion>.<unitID>, modulo 10000') },
      { additionalProperties: false, description: "The unit's buckets, each from 0 to 9999." },
    ),
    targeting: Type.Union([TargetingRecordSchema, Type.Null()], { description: 'The targeting outcome of the evaluation; null when targeting was not evaluated.' }),
    enforceTargeting: Type.Union([Type.Boolean(), Type.Null()], {
      description: 'Whether the caller asked for targeting to be checked before honouring a sticky value; null for events recorded before version 2.',
    }),
    reason: Type.Union(
      ASSIGNMENT_REASONS.map((reason) => Type.Literal(reason)),
      { description: "The evaluation's reason (Evaluated for a first evaluation that saved a value)." },
    ),
  },
  { additionalProperties: false, description: 'How an evaluation on the ledger decided the value.' },
);
export type AssignmentRecord = Static<typeof AssignmentRecordSchema>;
export type AssignmentReason = (typeof ASSIGNMENT_REASONS)[number];
