import type { SyncReport } from '../../../shared/api';
import { summarizeReport } from './calendar-sink';
import type { PlanResult } from './plan';
import { failure } from '../../../shared/text-ref';
import { blockedFailure, syncFailure, type SyncFailure } from './sync-failure';

/** How one job ended, as told to whoever waits for it (a "Sync now", a confirmation). */
export type Settled = 'inserted' | 'updated' | 'deleted' | 'noop' | 'failed' | 'unchanged';

type Counts = Omit<SyncReport, 'summary' | 'success'>;

export const NO_COUNTS: Readonly<Counts> = { inserted: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0, held: 0 };

/**
 * The callers that wait for writes: `sync()`, `confirmDeletions()` and `confirmTakeover()`
 * resolve with a report once their jobs are done, or after `waitMs` with what is still pending.
 */
export class SyncWaiters {
  private waiters = new Map<string, Array<(r: Settled) => void>>();

  constructor(
    /** Why writes cannot happen now (the backend's sign-in), or null. */
    private readonly blockedReason: () => string | null,
    private readonly waitMs: number = 30_000,
  ) {}

  settle(key: string, r: Settled): void {
    const list = this.waiters.get(key);
    if (!list) return;
    this.waiters.delete(key);
    for (const w of list) w(r);
  }

  /** Shutdown: nobody waits for a write that will not happen in this run. */
  failAll(): void {
    for (const ws of this.waiters.values()) for (const w of ws) w('failed');
    this.waiters.clear();
  }

  awaitJobs(keys: string[], res: PlanResult | null, heldNow: number): Promise<SyncReport> {
    const counts = { inserted: 0, updated: 0, deleted: 0, unchanged: res?.unchanged ?? 0, cancelled: res?.cancelled ?? 0, past: res?.past ?? 0, failed: res?.unschedulable.length ?? 0, held: res?.held.length ?? heldNow };
    if (keys.length === 0) return Promise.resolve(this.report(counts, []));
    const blocked = this.blockedReason();
    if (blocked) return Promise.resolve(this.report(counts, keys, syncFailure(`${blocked}: ${keys.length} write(s) wait in the outbox`, blockedFailure(blocked))));
    return new Promise((resolve) => {
      let left = keys.length;
      const pendingKeys = new Set(keys);
      const finish = (): void => {
        clearTimeout(timer);
        resolve(this.report(counts, [...pendingKeys]));
      };
      const timer = setTimeout(finish, this.waitMs);
      timer.unref?.();
      for (const key of keys) {
        this.add(key, (r) => {
          if (!pendingKeys.delete(key)) return;
          if (r === 'inserted' || r === 'updated' || r === 'deleted' || r === 'failed') counts[r]++;
          else counts.unchanged++;
          if (--left === 0) finish();
        });
      }
    });
  }

  /** `error`: why it did not work, in English (API, logs) and as a catalogue text (the dashboard). */
  report(counts: Counts, stillPending: string[], error?: SyncFailure, note?: string): SyncReport {
    let summary = summarizeReport(counts);
    if (stillPending.length > 0) summary += `, ${stillPending.length} pending`;
    if (note) summary = `${note}; ${summary}`;
    const out: SyncReport = { success: !error && counts.failed === 0, ...counts, summary };
    const blocked = stillPending.length > 0 ? this.blockedReason() : null;
    if (error) {
      out.error = error.text;
      out.errorCode = error.code;
    } else if (blocked) {
      out.error = blocked;
      out.errorCode = blockedFailure(blocked);
    }
    // Every failed report says why in the user's language (issue 14.1).
    if (!out.success && !out.errorCode) out.errorCode = failure('writesFailed', { n: counts.failed });
    return out;
  }

  private add(key: string, w: (r: Settled) => void): void {
    const list = this.waiters.get(key);
    if (list) list.push(w);
    else this.waiters.set(key, [w]);
  }
}
