import { acceptedRequestId } from './logger.module';

describe('acceptedRequestId', () => {
  it('keeps a caller id of letters, digits and . _ : - up to 200 characters', () => {
    expect(acceptedRequestId('upstream-1.a:b_c')).toBe('upstream-1.a:b_c');
    expect(acceptedRequestId('r'.repeat(200))).toBe('r'.repeat(200));
  });

  it.each([['r'.repeat(201)], [''], ['has spaces'], ['slash/ed'], ['ünïcode'], [undefined], [['a', 'b']]])('replaces %p with a fresh id', (given) => {
    expect(acceptedRequestId(given)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});
