import { type Static, Type } from '@sinclair/typebox';
import { EventMetadataSchema } from './event-metadata.schema';
import { ConfigNameSchema, PersistenceKeySchema } from './persistence-key.schema';
import { DELETE_REASONS } from './sticky-value-deleted.v1';

/**
 * A unit's sticky value for one config was removed, and why. Version 2: the unit id's limits and the
 * envelope's typed cause. Published contract: never edit; add a v3 beside it with an upcaster.
 */
export const StickyValueDeletedV2Schema = Type.Object(
  {
    type: Type.Literal('StickyValueDeleted', { description: 'The event type.' }),
    version: Type.Literal(2, { description: "The version of the event type's schema." }),
    data: Type.Object(
      {
        persistenceKey: PersistenceKeySchema,
        configName: ConfigNameSchema,
        reason: Type.Union(
          DELETE_REASONS.map((reason) => Type.Literal(reason)),
          {
            description:
              'persisted_values_not_provided: evaluated without persisted values (rule 1); experiment_inactive: the experiment is no longer active (rule 2); bucket_version_retired: assigned under a bucket version now retired; explicit: a storage API delete.',
          },
        ),
      },
      { additionalProperties: false, description: "What was removed: the unit's persistence key and the config, and why." },
    ),
    metadata: EventMetadataSchema,
  },
  {
    additionalProperties: false,
    $id: 'urn:assignment-ledger:event:StickyValueDeleted:v2',
    title: 'StickyValueDeleted v2',
    description: "A unit's sticky value for one config was removed; a delete of a value the unit did not hold is never appended.",
  },
);

export type StickyValueDeletedV2 = Static<typeof StickyValueDeletedV2Schema>;
