import { decodeApiKeyCursor, encodeApiKeyCursor } from './api-key-list.cursor';

describe('API key list cursors', () => {
  it('decodes the position it encoded', () => {
    const position = { createdAtMs: Date.UTC(2025, 0, 2, 3, 4, 5, 678), id: '0123456789abcdef' };
    const cursor = encodeApiKeyCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeApiKeyCursor(cursor)).toEqual(position);
  });

  it('refuses anything it could not have made', () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of [
      '',
      'not base64!',
      `${encodeApiKeyCursor({ createdAtMs: 1, id: '0123456789abcdef' })}=`,
      Buffer.from('not json').toString('base64url'),
      encode({ createdAtMs: 1, id: '0123456789abcdef' }),
      encode([1, '0123456789abcdef', 'extra']),
      encode([1.5, '0123456789abcdef']),
      encode([-1, '0123456789abcdef']),
      encode([9e15, '0123456789abcdef']),
      encode(['1', '0123456789abcdef']),
      encode([1, 'short']),
      encode([1, "0123456789abcdef' OR 1=1"]),
    ]) {
      expect(decodeApiKeyCursor(cursor)).toBeUndefined();
    }
  });
});
