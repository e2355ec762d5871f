import { type Static, Type } from '@sinclair/typebox';
import { EventMetadataV1Schema } from './event-metadata.schema';
import { ConfigNameV1Schema, PersistenceKeyV1Schema } from './persistence-key.schema';
import { StickyValuesV1Schema } from './sticky-values.schema';

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
        persistenceKey: PersistenceKeyV1Schema,
        configName: ConfigNameV1Schema,
        stickyValues: StickyValuesV1Schema,
        /** How the value was decided (experiment version, rule, group, buckets, targeting); absent when an SDK saved it directly. */
        evaluation: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      },
      { additionalProperties: false },
    ),
    metadata: EventMetadataV1Schema,
  },
  { additionalProperties: false, $id: 'urn:assignment-ledger:event:StickyValueSaved:v1', title: 'StickyValueSaved v1' },
);

export type StickyValueSavedV1 = Static<typeof StickyValueSavedV1Schema>;
