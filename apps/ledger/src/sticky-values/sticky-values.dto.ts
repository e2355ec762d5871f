import { type Static, Type } from '@sinclair/typebox';
import { ConfigNameSchema, PersistenceKeySchema, StickyValuesSchema } from '@ledger/events';

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

export const PersistenceKeyParam = PersistenceKeySchema;
export const ConfigNameParam = ConfigNameSchema;
