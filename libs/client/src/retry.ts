import { LedgerUnavailableError } from './errors';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The ceiling of the first retry's delay; each further retry doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 3, baseDelayMs: 25, maxDelayMs: 1000 };

/**
 * How long to wait before retry number `retry` (0 for the first): "full jitter", uniform below an exponentially
 * growing ceiling, so clients that failed together do not come back together; never less than the server's Retry-After.
 */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number, retryAfterMs = 0): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.max(retryAfterMs, Math.floor(random() * ceiling));
}

export interface RetryContext {
  policy: RetryPolicy;
  /** Only a call that is safe to repeat is retried. */
  idempotent: boolean;
  /** Epoch ms after which no attempt starts. */
  deadlineAt: number;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `attempt` until it succeeds, fails for good, the attempts are spent, or the next one could not start before the deadline. */
export async function withRetries<T>(attempt: (attemptNumber: number) => Promise<T>, context: RetryContext): Promise<T> {
  const { policy, idempotent, deadlineAt, now = Date.now, random = Math.random, sleep = sleepFor } = context;
  for (let attemptNumber = 0; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      const retriable = idempotent && error instanceof LedgerUnavailableError && attemptNumber + 1 < policy.attempts;
      if (!retriable) throw error;
      const delay = backoffDelayMs(policy, attemptNumber, random, error.retryAfterMs);
      if (now() + delay >= deadlineAt) throw error;
      await sleep(delay);
    }
  }
}
