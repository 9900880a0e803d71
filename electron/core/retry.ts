/**
 * The one backoff of the app: the Redis reconnect (redis/subscriber.ts) and the calendar's
 * retries and re-checks (sync/) wait by the same rule.
 */

export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryPolicy extends BackoffPolicy {
  /** Attempts before a retryable failure becomes a failure (DESIGN rule 6: bounded). */
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 5 * 60_000, maxAttempts: 10 };

/**
 * Exponential backoff with "equal jitter": the delay before attempt `attempt` (1 = the first
 * retry) doubles from `baseDelayMs` up to `maxDelayMs`, and is half fixed, half random
 * ([50 %, 100 %] of the step), so instances that failed together spread out.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(exp / 2 + (exp / 2) * random());
}
