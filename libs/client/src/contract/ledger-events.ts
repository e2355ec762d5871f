/**
 * The part of the event contract (libs/events) the client is typed and checked with. The client imports these
 * files one by one, not the events library as a whole, so its package carries the schemas and nothing of the
 * log's machinery (serializers, AsyncAPI, validation of whole events).
 */
export { CarriedJsonObject, isCarriableJson, MAX_JSON_DEPTH, SafeString } from '../../../events/src/carried-values';
export { CALLER_HEADER, DECLARABLE_CALLER } from '../../../events/src/event-metadata.schema';
export { OPTIONAL_UNIT_ID_PATTERN, PERSISTENCE_KEY_PATTERN, CONFIG_NAME_PATTERN, PersistenceKeySchema, ConfigNameSchema } from '../../../events/src/persistence-key.schema';
export { type StickyValues, type StickyValuesInput, StickyValuesSchema } from '../../../events/src/sticky-values.schema';
export { DELETE_REASONS, type DeleteReason } from '../../../events/src/sticky-value-deleted.v1';
export { ASSIGNMENT_REASONS, type AssignmentReason } from '../../../events/src/assignment-record.schema';
