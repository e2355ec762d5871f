import { API_KEY_ID_PATTERN } from './api-key';

/** Where a page of the key list ended: keys are listed by creation time, then id, so the pair is a total order. */
export interface ApiKeyListPosition {
  createdAtMs: number;
  id: string;
}

const ID = new RegExp(API_KEY_ID_PATTERN);
/** The largest time a Date can hold. */
const MAX_TIME_MS = 8.64e15;

/** Opaque to callers (base64url of a JSON pair), so the order behind it may change without breaking them. */
export function encodeApiKeyCursor(position: ApiKeyListPosition): string {
  return Buffer.from(JSON.stringify([position.createdAtMs, position.id])).toString('base64url');
}

/** The position a cursor names, or undefined when it is not one `encodeApiKeyCursor` could have made. */
export function decodeApiKeyCursor(cursor: string): ApiKeyListPosition | undefined {
  // Node's base64url decoder skips characters outside the alphabet instead of failing.
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let pair: unknown;
  try {
    pair = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(pair) || pair.length !== 2) return undefined;
  const [createdAtMs, id] = pair as unknown[];
  if (!Number.isSafeInteger(createdAtMs) || (createdAtMs as number) < 0 || (createdAtMs as number) > MAX_TIME_MS || typeof id !== 'string' || !ID.test(id)) return undefined;
  return { createdAtMs: createdAtMs as number, id };
}
