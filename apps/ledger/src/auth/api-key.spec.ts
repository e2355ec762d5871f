import { allows, bearerToken, mintApiKey, parseApiKey, secretMatches } from './api-key';

describe('API keys', () => {
  it('mints a key whose secret matches its stored hash and nothing else', () => {
    const minted = mintApiKey();
    const parsed = parseApiKey(minted.key)!;
    expect(parsed.id).toBe(minted.id);
    expect(secretMatches(parsed.secret, minted.secretSha256)).toBe(true);
    expect(secretMatches(`${parsed.secret.slice(0, -1)}x`, minted.secretSha256)).toBe(false);
  });

  it('refuses keys that are not in the format', () => {
    expect(parseApiKey('alk_short_x')).toBeUndefined();
    expect(parseApiKey('')).toBeUndefined();
  });

  it('reads a bearer token', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer   tok ')).toBe('tok');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('lets an admin do everything and others only what their scopes name', () => {
    expect(allows({ apiKeyId: 'a', scopes: ['admin'] }, ['storage:write'])).toBe(true);
    expect(allows({ apiKeyId: 'r', scopes: ['storage:read'] }, ['storage:read'])).toBe(true);
    expect(allows({ apiKeyId: 'r', scopes: ['storage:read'] }, ['storage:write'])).toBe(false);
  });
});
