import { type Static, Type } from '@sinclair/typebox';
import { EventMetadataSchema } from './event-metadata.schema';
import { ConfigNameSchema, PersistenceKeySchema } from './persistence-key.schema';
import { StickyValuesSchema } from './sticky-values.schema';

/**
 * A unit's first evaluation of an active experiment was recorded as its sticky value.
 * Published contract: never edit; add a v2 beside it with an upcaster.
 */
export const StickyValueSavedV1Schema = Type.Object(
  {
    type: Type.Literal('StickyValueSaved'),
    version: Type.Literal(1),
    data: Type.Object(
      {
        persistenceKey: PersistenceKeySchema,
        configName: ConfigNameSchema,
        stickyValues: StickyValuesSchema,
        /** How the value was decided (experiment version, rule, group, buckets, targeting); absent when an SDK saved it directly. */
        evaluation: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      },
      { additionalProperties: false },
    ),
    metadata: EventMetadataSchema,
  },
  { additionalProperties: false, $id: 'urn:assignment-ledger:event:StickyValueSaved:v1', title: 'StickyValueSaved v1' },
);

export type StickyValueSavedV1 = Static<typeof StickyValueSavedV1Schema>;
