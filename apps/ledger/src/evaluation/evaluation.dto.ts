import { type Static, Type } from '@sinclair/typebox';
import { StatsigUserSchema } from '@ledger/assignment';

export const EvaluateBodySchema = Type.Object(
  {
    user: StatsigUserSchema,
    /** false means "no persisted values provided": live result, and the unit's sticky value is deleted. */
    persist: Type.Boolean({ default: true }),
    enforceTargeting: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);
export type EvaluateBody = Static<typeof EvaluateBodySchema>;
