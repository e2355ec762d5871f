import { type Static, Type } from '@sinclair/typebox';
import { EventMetadataSchema } from './event-metadata.schema';
import { PersistenceKeySchema } from './persistence-key.schema';

/**
 * A unit was erased (a data subject's request): the projection forgets every sticky value and every
 * history entry the unit had, and later events for its key start a new history. Published contract: never
 * edit; add a v2 beside it with an upcaster.
 */
export const UnitErasedV1Schema = Type.Object(
  {
    type: Type.Literal('UnitErased', { description: 'The event type.' }),
    version: Type.Literal(1, { description: "The version of the event type's schema." }),
    data: Type.Object({ persistenceKey: PersistenceKeySchema }, { additionalProperties: false, description: "The unit erased, by its persistence key: every config's value and history go." }),
    metadata: EventMetadataSchema,
  },
  {
    additionalProperties: false,
    $id: 'urn:assignment-ledger:event:UnitErased:v1',
    title: 'UnitErased v1',
    description:
      "A unit was erased: consumers drop everything they hold for the persistence key (its values in every config, and its history). The unit's earlier events stay on the topic until its retention removes them.",
  },
);

export type UnitErasedV1 = Static<typeof UnitErasedV1Schema>;
