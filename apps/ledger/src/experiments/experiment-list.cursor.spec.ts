import { decodeExperimentCursor, encodeExperimentCursor } from './experiment-list.cursor';

describe('experiment list cursors', () => {
  it('decodes the name it encoded, the longest included', () => {
    for (const name of ['checkout_button', 'a', `x${'y'.repeat(199)}`, 'team:exp.v2-b']) {
      const cursor = encodeExperimentCursor(name);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]{1,300}$/);
      expect(decodeExperimentCursor(cursor)).toBe(name);
    }
  });

  it('refuses anything it could not have made', () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of [
      '',
      'not base64!',
      `${encodeExperimentCursor('checkout_button')}=`,
      Buffer.from('not json').toString('base64url'),
      encode('checkout_button'),
      encode({ name: 'checkout_button' }),
      encode(['checkout_button', 'extra']),
      encode([42]),
      encode(['']),
      encode(["checkout_button' OR 1=1"]),
      encode([`x${'y'.repeat(200)}`]),
    ]) {
      expect(decodeExperimentCursor(cursor)).toBeUndefined();
    }
  });
});
