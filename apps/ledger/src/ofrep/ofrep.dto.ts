import { type Static, Type } from '@sinclair/typebox';

/**
 * The OpenFeature Remote Evaluation Protocol's shapes (OFREP 0.1), as this ledger answers them: the routes
 * validate with these schemas, the mapping is typed by them and the OpenAPI document shows them.
 */

const AttributeValue = Type.Unknown({ description: 'An attribute of the evaluation context (text, number, boolean, null or a list of text)' });

export const OfrepContextSchema = Type.Object(
  {
    targetingKey: Type.Optional(Type.String({ description: "The unit an experiment randomises on, unless the context has an attribute named by the experiment's idType" })),
  },
  { additionalProperties: AttributeValue, description: 'The OpenFeature evaluation context' },
);
/** Any attribute besides the targeting key (TypeBox's Static leaves out what additionalProperties admits). */
export type OfrepContext = Static<typeof OfrepContextSchema> & Record<string, unknown>;

export const OfrepEvaluationRequestSchema = Type.Object({ context: Type.Optional(OfrepContextSchema) }, { description: 'An OFREP evaluation request' });
export type OfrepEvaluationRequest = Static<typeof OfrepEvaluationRequestSchema>;

export const OFREP_REASONS = ['SPLIT', 'TARGETING_MATCH', 'DISABLED', 'DEFAULT', 'PERSISTED'] as const;
export type OfrepReason = (typeof OFREP_REASONS)[number];

export const OfrepMetadataSchema = Type.Object(
  {
    experimentVersion: Type.Integer({ description: 'The experiment version the flag was evaluated against' }),
    stickySince: Type.Optional(Type.String({ format: 'date-time', description: "When the unit's sticky value was saved (PERSISTED and first evaluations)" })),
    stickyExperimentVersion: Type.Optional(Type.Integer({ description: 'The experiment version the sticky value was assigned under' })),
  },
  { additionalProperties: false },
);

export const OfrepEvaluationSuccessSchema = Type.Object(
  {
    key: Type.String({ description: "The flag's key: the experiment's name" }),
    value: Type.Record(Type.String(), Type.Unknown(), { description: "The group's parameters (the experiment's default parameters when the unit is in no group)" }),
    reason: Type.Union(
      OFREP_REASONS.map((reason) => Type.Literal(reason)),
      { description: 'OpenFeature reason; PERSISTED for a sticky value the ledger held' },
    ),
    variant: Type.Optional(Type.String({ description: "The unit's group; absent when it is in none" })),
    metadata: OfrepMetadataSchema,
  },
  { additionalProperties: false, description: 'A flag evaluated' },
);
export type OfrepEvaluationSuccess = Static<typeof OfrepEvaluationSuccessSchema>;

export const OFREP_ERROR_CODES = ['PARSE_ERROR', 'TARGETING_KEY_MISSING', 'INVALID_CONTEXT', 'GENERAL', 'FLAG_NOT_FOUND'] as const;
export type OfrepErrorCode = (typeof OFREP_ERROR_CODES)[number];
const ErrorCode = Type.Union(OFREP_ERROR_CODES.map((code) => Type.Literal(code)));

export const OfrepEvaluationFailureSchema = Type.Object(
  { key: Type.String(), errorCode: ErrorCode, errorDetails: Type.Optional(Type.String()) },
  { additionalProperties: false, description: 'A flag that could not be evaluated (400 INVALID_CONTEXT / PARSE_ERROR, 404 FLAG_NOT_FOUND)' },
);
export type OfrepEvaluationFailure = Static<typeof OfrepEvaluationFailureSchema>;

export const OfrepBulkEvaluationSuccessSchema = Type.Object(
  { flags: Type.Array(Type.Union([OfrepEvaluationSuccessSchema, OfrepEvaluationFailureSchema]), { description: 'Every active experiment' }) },
  { additionalProperties: false },
);
export type OfrepBulkEvaluationSuccess = Static<typeof OfrepBulkEvaluationSuccessSchema>;

export const OfrepBulkEvaluationFailureSchema = Type.Object(
  { errorCode: ErrorCode, errorDetails: Type.Optional(Type.String()) },
  { additionalProperties: false, description: 'A bulk request that could not be evaluated' },
);
export type OfrepBulkEvaluationFailure = Static<typeof OfrepBulkEvaluationFailureSchema>;
