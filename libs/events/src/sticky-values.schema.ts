import { type Static, Type } from '@sinclair/typebox';

/** One secondary exposure as Statsig's SDKs write it ({gate, gateValue, ruleID}); kept as given. */
const SecondaryExposure = Type.Object({}, { additionalProperties: true });

/**
 * The sticky value in Statsig's wire shape (snake_case), as SDK adapters save and load it.
 * Statsig's core refuses a value without `value`, `secondary_exposures` or `time`, so those are always present.
 */
export const StickyValuesSchema = Type.Object(
  {
    value: Type.Boolean(),
    json_value: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    rule_id: Type.Union([Type.String(), Type.Null()]),
    group_name: Type.Union([Type.String(), Type.Null()]),
    secondary_exposures: Type.Array(SecondaryExposure),
    undelegated_secondary_exposures: Type.Union([Type.Array(SecondaryExposure), Type.Null()]),
    config_delegate: Type.Union([Type.String(), Type.Null()]),
    explicit_parameters: Type.Union([Type.Array(Type.String()), Type.Null()]),
    time: Type.Union([Type.Number(), Type.Null()]),
    config_version: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  },
  { additionalProperties: false, title: 'StickyValues' },
);

export type StickyValues = Static<typeof StickyValuesSchema>;

/** A sticky value as a caller may send it: optional fields left out, or `configVersion` (legacy Node SDK) for `config_version`. */
export type StickyValuesInput = Partial<Omit<StickyValues, 'value' | 'secondary_exposures' | 'time'>> &
  Pick<StickyValues, 'value' | 'secondary_exposures' | 'time'> & { configVersion?: number | null };

/** The canonical form stored in events: every field present, snake_case only. */
export function normalizeStickyValues(input: StickyValuesInput): StickyValues {
  return {
    value: input.value,
    json_value: input.json_value ?? null,
    rule_id: input.rule_id ?? null,
    group_name: input.group_name ?? null,
    secondary_exposures: input.secondary_exposures,
    undelegated_secondary_exposures: input.undelegated_secondary_exposures ?? null,
    config_delegate: input.config_delegate ?? null,
    explicit_parameters: input.explicit_parameters ?? null,
    time: input.time,
    config_version: input.config_version ?? input.configVersion ?? null,
  };
}
