import { backoffDelayMs, withRetries } from './retry';
import { LedgerRequestError, LedgerUnavailableError } from './errors';

const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 300 };

describe('backoff with full jitter', () => {
  it('draws below a ceiling that doubles per retry up to the maximum', () => {
    expect([0, 1, 2, 3].map((retry) => backoffDelayMs(policy, retry, () => 0.999))).toEqual([99, 199, 299, 299]);
    expect(backoffDelayMs(policy, 2, () => 0)).toBe(0);
  });

  it("never waits less than the server's Retry-After", () => {
    expect(backoffDelayMs(policy, 0, () => 0.5, 1000)).toBe(1000);
  });
});

describe('withRetries', () => {
  const unavailable = () => new LedgerUnavailableError('BROKER_UNAVAILABLE', 'down');
  const noSleep = async () => {};

  it('repeats a safe call on an outage until it succeeds', async () => {
    let attempts = 0;
    const result = await withRetries(async () => (++attempts < 3 ? Promise.reject(unavailable()) : 'ok'), { policy, idempotent: true, deadlineAt: Infinity, sleep: noSleep });
    expect([result, attempts]).toEqual(['ok', 3]);
  });

  it('does not repeat an unsafe call, a refused call, or one whose next attempt would start after the deadline', async () => {
    const attempts = { unsafe: 0, refused: 0, late: 0 };
    await expect(withRetries(async () => (attempts.unsafe++, Promise.reject(unavailable())), { policy, idempotent: false, deadlineAt: Infinity, sleep: noSleep })).rejects.toThrow('down');
    await expect(
      withRetries(async () => (attempts.refused++, Promise.reject(new LedgerRequestError('INVALID_REQUEST', 'bad'))), { policy, idempotent: true, deadlineAt: Infinity, sleep: noSleep }),
    ).rejects.toThrow('bad');
    await expect(
      withRetries(async () => (attempts.late++, Promise.reject(unavailable())), { policy, idempotent: true, deadlineAt: 1050, now: () => 1000, random: () => 0.9, sleep: noSleep }),
    ).rejects.toThrow('down');
    expect(attempts).toEqual({ unsafe: 1, refused: 1, late: 1 });
  });
});
