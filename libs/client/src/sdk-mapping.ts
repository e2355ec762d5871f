import { CONFIG_NAME_PATTERN, PERSISTENCE_KEY_PATTERN } from './contract/ledger-events';
import { type StickyValuesInput, type UserPersistedValues } from './contract/api-types';

const PERSISTENCE_KEY = new RegExp(PERSISTENCE_KEY_PATTERN);
const CONFIG_NAME = new RegExp(CONFIG_NAME_PATTERN);

/** `<unitID>:<idType>` when the ledger accepts it as a persistence key, else undefined (the SDK's id cannot be stored). */
export function ledgerKey(unitId: string, idType: string): string | undefined {
  const key = `${unitId}:${idType}`;
  return PERSISTENCE_KEY.test(key) ? key : undefined;
}

export const isConfigName = (name: string): boolean => CONFIG_NAME.test(name);

/**
 * The sticky value a GrowthBook or Optimizely assignment is saved as: the chosen variation as `group_name`, in the
 * shape Statsig's SDKs also read, so one ledger holds, dates and audits every SDK's assignments.
 */
export function assignmentAsStickyValue(variation: string): StickyValuesInput {
  return { value: true, json_value: null, rule_id: null, group_name: variation, secondary_exposures: [], time: null };
}

/** The assignments among a unit's sticky values: config name -> group name, for every value with a group. */
export function assignmentsIn(values: UserPersistedValues, isMine: (configName: string) => boolean = () => true): Record<string, string> {
  const assignments: Record<string, string> = {};
  for (const [configName, value] of Object.entries(values)) if (value.group_name !== null && isMine(configName)) assignments[configName] = value.group_name;
  return assignments;
}

/**
 * What the SDK's last known assignments per key were, so a whole-profile save forwards only what changed. Bounded:
 * a key forgotten costs a few `already_sticky` answers, never a wrong one.
 */
export class KnownAssignments {
  private readonly known = new Map<string, Record<string, string>>();

  constructor(private readonly capacity = 10_000) {}

  get(key: string): Record<string, string> {
    return this.known.get(key) ?? {};
  }

  set(key: string, assignments: Record<string, string>): void {
    this.known.delete(key);
    this.known.set(key, assignments);
    if (this.known.size > this.capacity) this.known.delete(this.known.keys().next().value!);
  }
}
