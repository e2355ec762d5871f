import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { CarriedJsonObject, SafeString } from './carried-values';

/** One secondary exposure as Statsig's SDKs write it ({gate, gateValue, ruleID}); kept as given. */
const SecondaryExposureV1 = Type.Object({}, { additionalProperties: true });

/** As published in the v1 event schemas, which took any JSON; frozen. */
export const StickyValuesV1Schema = Type.Object(
  {
    value: Type.Boolean(),
    json_value: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    rule_id: Type.Union([Type.String(), Type.Null()]),
    group_name: Type.Union([Type.String(), Type.Null()]),
    secondary_exposures: Type.Array(SecondaryExposureV1),
    undelegated_secondary_exposures: Type.Union([Type.Array(SecondaryExposureV1), Type.Null()]),
    config_delegate: Type.Union([Type.String(), Type.Null()]),
    explicit_parameters: Type.Union([Type.Array(Type.String()), Type.Null()]),
    time: Type.Union([Type.Number(), Type.Null()]),
    config_version: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  },
  { additionalProperties: false, title: 'StickyValues' },
);

const SecondaryExposure = CarriedJsonObject({ description: 'One secondary exposure as Statsig writes it ({gate, gateValue, ruleID}), kept as given.' });
const nullable = <T extends TSchema>(schema: T, description: string) => Type.Union([schema, Type.Null()], { description });

/**
 * The sticky value in Statsig's wire shape (snake_case), as SDK adapters save and load it, within what
 * every transport carries (see carried-values.ts). Statsig's core refuses a value without `value`,
 * `secondary_exposures` or `time`, so those are always present.
 */
export const StickyValuesSchema = Type.Object(
  {
    value: Type.Boolean({ description: 'Whether the unit passed the config (true for an experiment group).' }),
    json_value: nullable(CarriedJsonObject(), "The group's parameters as the SDK returns them."),
    rule_id: nullable(SafeString({ maxLength: 1000 }), 'The rule (for an experiment, the group) the value came from.'),
    group_name: nullable(SafeString({ maxLength: 1000 }), "The experiment group's name."),
    secondary_exposures: Type.Array(SecondaryExposure, { maxItems: 1000, description: 'Exposures to log with this one (gates the rule depended on).' }),
    undelegated_secondary_exposures: nullable(Type.Array(SecondaryExposure, { maxItems: 1000 }), 'Secondary exposures before delegation, if the config delegated.'),
    config_delegate: nullable(SafeString({ maxLength: 1000 }), 'The config this one delegated to, if any.'),
    explicit_parameters: nullable(Type.Array(SafeString({ maxLength: 1000 }), { maxItems: 1000 }), 'Parameters the delegate declared explicitly.'),
    time: nullable(Type.Number(), "Milliseconds since the epoch of the config's version the value was decided under."),
    config_version: nullable(Type.Integer({ minimum: 0 }), "The config's version the value was decided under."),
  },
  { additionalProperties: false, title: 'StickyValues', description: "The sticky value, in Statsig's wire shape, as SDK adapters save and load it." },
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
