import { Type } from '@sinclair/typebox';

/** `<unitID>:<idType>`; the id type is the last segment, so unit ids may themselves hold colons. */
export const PERSISTENCE_KEY_PATTERN = '^[^\\u0000-\\u001f]{1,512}:[A-Za-z][A-Za-z0-9_.-]{0,63}$';
export const CONFIG_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$';

export const PersistenceKeySchema = Type.String({ pattern: PERSISTENCE_KEY_PATTERN, maxLength: 600 });
export const ConfigNameSchema = Type.String({ pattern: CONFIG_NAME_PATTERN });
