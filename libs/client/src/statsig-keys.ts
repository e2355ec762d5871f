import { unitIdFor } from '../../assignment/src/statsig-user';

/** What both Statsig SDKs' users have in common: the ids a persistence key is made of. */
export interface StatsigUnitIds {
  userID?: string | null;
  customIDs?: Record<string, string> | null;
}

/** Statsig's persistence key `<unitID>:<idType>`, by the rule the ledger's own evaluation uses; none without a unit id. */
export function persistenceKeyOf(user: StatsigUnitIds, idType: string): string | undefined {
  const unitId = unitIdFor({ userID: user.userID ?? undefined, customIDs: user.customIDs ?? undefined }, idType);
  return unitId === undefined ? undefined : `${unitId}:${idType}`;
}

/** statsig-node 6 makes `":userID"` for a user without the unit id; core makes no key. Neither is a persistence key. */
export const hasUnitId = (key: string): boolean => !key.startsWith(':');
