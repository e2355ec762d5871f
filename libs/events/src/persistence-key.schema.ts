import { Type } from '@sinclair/typebox';

/** One character of a unit id: no control character (C0, DEL, C1) and no lone surrogate. */
const UNIT_ID_CHARACTER = '(?:[^\\u0000-\\u001f\\u007f-\\u009f\\ud800-\\udfff]|[\\ud800-\\udbff][\\udc00-\\udfff])';
const ID_TYPE = '[A-Za-z][A-Za-z0-9_.-]{0,63}';

/** A unit id: 1 to 512 characters, none of them a control character or a lone surrogate. */
export const UNIT_ID_PATTERN = `^${UNIT_ID_CHARACTER}{1,512}$`;
/** A unit id or nothing (an empty id means the user has no unit of that type). */
export const OPTIONAL_UNIT_ID_PATTERN = `^${UNIT_ID_CHARACTER}{0,512}$`;
/** `<unitID>:<idType>`; the id type is the last segment, so unit ids may themselves hold colons. */
export const PERSISTENCE_KEY_PATTERN = `^${UNIT_ID_CHARACTER}{1,512}:${ID_TYPE}$`;
export const CONFIG_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$';

export const UnitIdSchema = Type.String({ pattern: UNIT_ID_PATTERN, maxLength: 1024 });
export const PersistenceKeySchema = Type.String({
  pattern: PERSISTENCE_KEY_PATTERN,
  maxLength: 1090,
  description: '`<unitID>:<idType>`: a unit id of 1 to 512 characters without control characters or lone surrogates, a colon, and the id type.',
});
export const ConfigNameSchema = Type.String({ pattern: CONFIG_NAME_PATTERN, description: "The experiment's or config's name." });

/** As published in the v1 event schemas (which allowed DEL, C1 controls and lone surrogates); frozen. */
export const PersistenceKeyV1Schema = Type.String({ pattern: '^[^\\u0000-\\u001f]{1,512}:[A-Za-z][A-Za-z0-9_.-]{0,63}$', maxLength: 600 });
export const ConfigNameV1Schema = Type.String({ pattern: CONFIG_NAME_PATTERN });
