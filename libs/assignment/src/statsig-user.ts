import { type Static, Type } from '@sinclair/typebox';

const Attributes = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null(), Type.Array(Type.String())]));

/** A user in Statsig's shape. */
export const StatsigUserSchema = Type.Object(
  {
    userID: Type.Optional(Type.String({ maxLength: 512 })),
    email: Type.Optional(Type.String()),
    ip: Type.Optional(Type.String()),
    userAgent: Type.Optional(Type.String()),
    country: Type.Optional(Type.String()),
    locale: Type.Optional(Type.String()),
    appVersion: Type.Optional(Type.String()),
    custom: Type.Optional(Attributes),
    customIDs: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 512 }))),
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
