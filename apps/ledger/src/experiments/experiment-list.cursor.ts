import { CONFIG_NAME_PATTERN } from '@ledger/events';

const NAME = new RegExp(CONFIG_NAME_PATTERN);

/** Opaque to callers (base64url of a JSON array holding the page's last name), so the order behind it may change. */
export function encodeExperimentCursor(lastName: string): string {
  return Buffer.from(JSON.stringify([lastName])).toString('base64url');
}

/** The name a page ended at, or undefined when the cursor is not one `encodeExperimentCursor` could have made. */
export function decodeExperimentCursor(cursor: string): string | undefined {
  // Node's base64url decoder skips characters outside the alphabet instead of failing.
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 1) return undefined;
  const [name] = decoded as unknown[];
  return typeof name === 'string' && NAME.test(name) ? name : undefined;
}
