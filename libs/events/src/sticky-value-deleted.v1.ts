import { type Static, Type } from '@sinclair/typebox';
import { EventMetadataV1Schema } from './event-metadata.schema';
import { ConfigNameV1Schema, PersistenceKeyV1Schema } from './persistence-key.schema';

export const DELETE_REASONS = ['persisted_values_not_provided', 'experiment_inactive', 'bucket_version_retired', 'explicit'] as const;
export type DeleteReason = (typeof DELETE_REASONS)[number];

/**
 * A unit's sticky value for one config was removed, and why.
 * Published contract: never edit; add a v2 beside it with an upcaster.
 */
export const StickyValueDeletedV1Schema = Type.Object(
  {
    type: Type.Literal('StickyValueDeleted'),
    version: Type.Literal(1),
    data: Type.Object(
      {
        persistenceKey: PersistenceKeyV1Schema,
        configName: ConfigNameV1Schema,
        reason: Type.Union(DELETE_REASONS.map((reason) => Type.Literal(reason))),
      },
      { additionalProperties: false },
    ),
    metadata: EventMetadataV1Schema,
  },
  { additionalProperties: false, $id: 'urn:assignment-ledger:event:StickyValueDeleted:v1', title: 'StickyValueDeleted v1' },
);

export type StickyValueDeletedV1 = Static<typeof StickyValueDeletedV1Schema>;
