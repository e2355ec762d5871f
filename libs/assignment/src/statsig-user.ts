import { type Static, Type } from '@sinclair/typebox';
import { OPTIONAL_UNIT_ID_PATTERN, SafeString } from '@ledger/events';

const Text = () => SafeString({ maxLength: 4096 });
const Attributes = Type.Record(Type.String(), Type.Union([Text(), Type.Number(), Type.Boolean(), Type.Null(), Type.Array(Text(), { maxItems: 1000 })]));
/** A unit id becomes part of the persistence key, so it takes the key's limits (an empty one means no unit). */
const UnitId = () => Type.String({ pattern: OPTIONAL_UNIT_ID_PATTERN, maxLength: 1024 });

/** A user in Statsig's shape. */
export const StatsigUserSchema = Type.Object(
  {
    userID: Type.Optional(UnitId()),
    email: Type.Optional(Text()),
    ip: Type.Optional(Text()),
    userAgent: Type.Optional(Text()),
    country: Type.Optional(Text()),
    locale: Type.Optional(Text()),
    appVersion: Type.Optional(Text()),
    custom: Type.Optional(Attributes),
    customIDs: Type.Optional(Type.Record(Type.String(), UnitId())),
    privateAttributes: Type.Optional(Attributes),
  },
  { additionalProperties: false },
);
export type StatsigUser = Static<typeof StatsigUserSchema>;

/**
 * The unit an experiment randomises on: `userID` for the id type userID (any case), otherwise
 * `customIDs[idType]`, then `customIDs[idType in lower case]`. No unit id means no key: nothing is saved
 * or deleted for this user.
 */
export function unitIdFor(user: StatsigUser, idType: string): string | undefined {
  const id = idType.toLowerCase() === 'userid' ? user.userID : (user.customIDs?.[idType] ?? user.customIDs?.[idType.toLowerCase()]);
  return id === undefined || id === '' ? undefined : id;
}

/** Statsig's persistence key, `<unitID>:<idType>`, with the id type as the experiment names it. */
export function persistenceKeyFor(user: StatsigUser, idType: string): string | undefined {
  const unitId = unitIdFor(user, idType);
  return unitId === undefined ? undefined : `${unitId}:${idType}`;
}
