import { type Static, Type } from '@sinclair/typebox';
import { AssignmentRecordSchema } from './assignment-record.schema';
import { CARRIED_JSON_DEFS } from './carried-values';
import { EventMetadataSchema } from './event-metadata.schema';
import { ConfigNameSchema, PersistenceKeySchema } from './persistence-key.schema';
import { StickyValuesSchema } from './sticky-values.schema';

/**
 * A save of a unit's sticky value for one config: the first one after absence (in log order) takes effect,
 * later ones are superseded. Version 2: every value within what every transport carries, the evaluation's
 * "why" typed (`assignment`), and the envelope's typed cause. Published contract: never edit; add a v3
 * beside it with an upcaster.
 */
export const StickyValueSavedV2Schema = Type.Object(
  {
    type: Type.Literal('StickyValueSaved', { description: 'The event type.' }),
    version: Type.Literal(2, { description: "The version of the event type's schema." }),
    data: Type.Object(
      {
        persistenceKey: PersistenceKeySchema,
        configName: ConfigNameSchema,
        stickyValues: StickyValuesSchema,
        assignment: Type.Optional(AssignmentRecordSchema),
      },
      { additionalProperties: false, description: "What was saved: the unit's persistence key, the config, the sticky value and, from an evaluation, why." },
    ),
    metadata: EventMetadataSchema,
  },
  {
    additionalProperties: false,
    $id: 'urn:assignment-ledger:event:StickyValueSaved:v2',
    title: 'StickyValueSaved v2',
    description: "A save of a unit's sticky value for one config. First write wins: it takes effect only when the unit held no value for the config at its place in the log.",
    $defs: CARRIED_JSON_DEFS,
  },
);

export type StickyValueSavedV2 = Static<typeof StickyValueSavedV2Schema>;
