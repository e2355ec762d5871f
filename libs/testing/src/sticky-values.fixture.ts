/** A sticky value as Statsig's server core saves it, for group `group`. */
export function stickyValueFor(group: string, configVersion = 1) {
  return {
    value: true,
    json_value: { group },
    rule_id: `rule-${group}`,
    group_name: group,
    secondary_exposures: [],
    undelegated_secondary_exposures: null,
    config_delegate: null,
    explicit_parameters: null,
    time: 1_764_000_000_000,
    config_version: configVersion,
  };
}
