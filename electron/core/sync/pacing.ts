/**
 * A token bucket for Calendar writes. Google's per-user quota is counted per minute and a
 * burst beyond it costs 403 rateLimitExceeded for everyone on the account; confirming 3,000
 * held deletions used to send them at ~590/s. `rate` tokens a second, at most `burst` saved.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(rate > 0) || !(burst >= 1)) throw new Error('TokenBucket: rate must be > 0 and burst ≥ 1');
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; returns how long to wait before using it (0: now). */
  reserve(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.rate) * 1000);
  }

  async take(): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

/** Default pace of Calendar writes: 10 a second sustained, bursts of 10. */
export const GOOGLE_WRITES_PER_SECOND = 10;
export const GOOGLE_WRITE_BURST = 10;
/** The longest Retry-After we obey as given (a server asking for hours is capped). */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/** Retry-After: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(MAX_RETRY_AFTER_MS, Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - nowMs));
}
