import { type Static, Type } from '@sinclair/typebox';
import { ConfigNameSchema, DELETE_REASONS, normalizeStickyValues, PersistenceKeySchema, type StickyValues, StickyValuesSchema } from '@ledger/events';
import { InvalidRequestError, validatorFor } from '@ledger/platform';
import { allows, type Principal } from '../auth/api-key';
import { type SaveResult } from '@ledger/ledger';

/**
 * What a caller may send as a sticky value: Statsig's wire shape, where the legacy Node SDK's
 * `configVersion` stands in for `config_version` and optional fields may be left out.
 */
export const StickyValuesBodySchema = Type.Object(
  {
    ...StickyValuesSchema.properties,
    json_value: Type.Optional(StickyValuesSchema.properties.json_value),
    rule_id: Type.Optional(StickyValuesSchema.properties.rule_id),
    group_name: Type.Optional(StickyValuesSchema.properties.group_name),
    undelegated_secondary_exposures: Type.Optional(StickyValuesSchema.properties.undelegated_secondary_exposures),
    config_delegate: Type.Optional(StickyValuesSchema.properties.config_delegate),
    explicit_parameters: Type.Optional(StickyValuesSchema.properties.explicit_parameters),
    config_version: Type.Optional(StickyValuesSchema.properties.config_version),
    configVersion: Type.Optional(StickyValuesSchema.properties.config_version),
  },
  { additionalProperties: false },
);
export type StickyValuesBody = Static<typeof StickyValuesBodySchema>;

const validStickyValuesBody = validatorFor(StickyValuesBodySchema, 'sticky value');

/** A sticky value as sent, checked and in its canonical form (see canonicalStickyValues). */
export const stickyValuesOf = (body: unknown): StickyValues => canonicalStickyValues(validStickyValuesBody(body));

/** The canonical form of a valid body; `configVersion` may stand for `config_version`, never contradict it. */
export function canonicalStickyValues(input: StickyValuesBody): StickyValues {
  if (input.config_version != null && input.configVersion != null && input.config_version !== input.configVersion) {
    throw new InvalidRequestError('sticky value is invalid: config_version and configVersion disagree', { problems: ['/configVersion must equal /config_version when both are given'] });
  }
  return normalizeStickyValues(input);
}

export const PersistenceKeyParam = PersistenceKeySchema;
export const ConfigNameParam = ConfigNameSchema;

export const LoadQuerySchema = Type.Object({ asOf: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false });
export type LoadQuery = Static<typeof LoadQuerySchema>;

export const DeleteQuerySchema = Type.Object({ reason: Type.Optional(Type.Union(DELETE_REASONS.map((reason) => Type.Literal(reason)))) }, { additionalProperties: false });
export type DeleteQuery = Static<typeof DeleteQuerySchema>;

/** One call for many keys: what SDK adapters use to load a page's users at once. */
export const MAX_BATCH_KEYS = 1000;
export const BatchLoadBodySchema = Type.Object({ keys: Type.Array(PersistenceKeySchema, { minItems: 1, maxItems: MAX_BATCH_KEYS, uniqueItems: true }) }, { additionalProperties: false });
export type BatchLoadBody = Static<typeof BatchLoadBodySchema>;

/** The value a unit already holds is a read: a key that may only write learns that the unit is sticky, not what it holds. */
export function shownTo(caller: Principal, result: SaveResult): SaveResult {
  return result.outcome === 'already_sticky' && !allows(caller, ['storage:read']) ? { ...result, value: null } : result;
}
