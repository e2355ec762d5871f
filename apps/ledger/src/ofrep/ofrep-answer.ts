import { type ExperimentSpec, type StatsigUser, USER_FIELDS } from '@ledger/assignment';
import { type EvaluationResponse } from '../evaluation/evaluation.service';
import { type OfrepContext, type OfrepEvaluationFailure, type OfrepEvaluationSuccess, type OfrepReason } from './ofrep.dto';

/**
 * OFREP on the ledger, as pure functions: an evaluation context becomes a Statsig user for one experiment,
 * and an evaluation result becomes an OFREP answer. The evaluation itself (and what it persists) is the
 * evaluation service's.
 */

export type OfrepAnswer = { kind: 'evaluated'; success: OfrepEvaluationSuccess } | { kind: 'failed'; failure: OfrepEvaluationFailure };

export type ContextConversion = { ok: true; user: StatsigUser } | { ok: false; problems: string[] };

const TOP_LEVEL_FIELDS: ReadonlySet<string> = new Set(USER_FIELDS);

/**
 * The Statsig user an experiment on `idType` sees for an OpenFeature context. The unit is the context's
 * attribute named by the id type when it has one (so one context can carry a user and, say, a company),
 * else its `targetingKey`. Text attributes named like Statsig's user fields go there, every other
 * attribute under `custom`, where targeting conditions find them as `custom.<name>`.
 */
export function statsigUserFor(context: OfrepContext | undefined, idType: string): ContextConversion {
  const attributes: Record<string, unknown> = { ...context };
  const named = attributes[idType];
  const unitFromAttribute = typeof named === 'string' && idType !== 'targetingKey';
  const unit = unitFromAttribute ? named : context?.targetingKey;
  delete attributes.targetingKey;
  // The unit is the user's id or a custom id (targeting finds it as customIDs.<idType>), not an attribute too.
  if (unitFromAttribute) delete attributes[idType];
  const user: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(attributes)) {
    if (TOP_LEVEL_FIELDS.has(name) && typeof value === 'string') user[name] = value;
    else if (isCustomAttribute(value)) custom[name] = value;
    else problems.push(`/context/${name} must be text, a number, a boolean, null or a list of text`);
  }
  if (problems.length > 0) return { ok: false, problems };
  if (Object.keys(custom).length > 0) user.custom = custom;
  if (unit !== undefined) {
    if (idType.toLowerCase() === 'userid') user.userID = unit;
    else user.customIDs = { [idType]: unit };
  }
  return { ok: true, user: user as StatsigUser };
}

function isCustomAttribute(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return true;
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** An evaluation result as OFREP answers it: the value is the group's parameters, the variant the group. */
export function ofrepAnswerOf(spec: ExperimentSpec, evaluation: EvaluationResponse): OfrepAnswer {
  const reason = ofrepReasonOf(spec, evaluation);
  if (reason === undefined) {
    return {
      kind: 'failed',
      failure: {
        key: evaluation.experiment,
        errorCode: 'INVALID_CONTEXT',
        errorDetails: `the context has neither a targetingKey nor a ${spec.idType} attribute: experiment ${spec.name} randomises on ${spec.idType}`,
      },
    };
  }
  const { sticky } = evaluation;
  return {
    kind: 'evaluated',
    success: {
      key: evaluation.experiment,
      value: evaluation.parameters,
      reason,
      ...(evaluation.groupName === null ? {} : { variant: evaluation.groupName }),
      metadata: {
        experimentVersion: evaluation.version,
        ...(sticky ? { stickySince: sticky.savedAt } : {}),
        ...(sticky?.experimentVersion != null ? { stickyExperimentVersion: sticky.experimentVersion } : {}),
      },
    },
  };
}

/**
 * OpenFeature's reason for the ledger's: a held sticky value is PERSISTED; a group drawn by the split is
 * SPLIT, unless targeting alone decided it (conditions passed, the whole audience allocated to one
 * group), which is TARGETING_MATCH; an inactive experiment is DISABLED; a unit in no group gets the
 * default parameters, DEFAULT. No unit means the context was not enough: undefined.
 */
export function ofrepReasonOf(spec: ExperimentSpec, evaluation: Pick<EvaluationResponse, 'reason'>): OfrepReason | undefined {
  switch (evaluation.reason) {
    case 'Persisted':
      return 'PERSISTED';
    case 'Evaluated':
      return decidedByTargetingAlone(spec) ? 'TARGETING_MATCH' : 'SPLIT';
    case 'Inactive':
      return 'DISABLED';
    case 'NotAllocated':
    case 'TargetingFailed':
      return 'DEFAULT';
    case 'NoUnitID':
      return undefined;
  }
}

function decidedByTargetingAlone(spec: ExperimentSpec): boolean {
  return spec.targeting.length > 0 && spec.allocationPercent === 100 && spec.groups.filter((group) => group.weight > 0).length === 1;
}
