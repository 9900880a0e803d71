import type { JobDraft } from './plan';
import type { OutboxJob } from './types';

/**
 * The pending writes, one per key (match id): a newer state of a match replaces its pending
 * job, so a burst of changes to one match costs one write. Ordering is by enqueue sequence.
 * Persistence is the engine's job (it saves the outbox with the records, atomically).
 */
export class Outbox {
  private jobs = new Map<string, OutboxJob>();
  private seq = 0;

  constructor(initial: readonly OutboxJob[] = []) {
    for (const j of initial) {
      this.jobs.set(j.key, j);
      this.seq = Math.max(this.seq, j.seq);
    }
  }

  get size(): number {
    return this.jobs.size;
  }

  get(key: string): OutboxJob | undefined {
    return this.jobs.get(key);
  }

  view(): ReadonlyMap<string, OutboxJob> {
    return this.jobs;
  }

  all(): OutboxJob[] {
    return [...this.jobs.values()];
  }

  /** Adds or replaces; the replacement starts fresh (no inherited backoff). */
  put(draft: JobDraft, now: number): OutboxJob {
    const job: OutboxJob = { ...draft, attempts: 0, nextAttemptAt: now, enqueuedAt: new Date(now).toISOString(), lastError: null, seq: ++this.seq };
    this.jobs.set(job.key, job);
    return job;
  }

  /** Removes `job` if it is still the current job for its key (not replaced meanwhile). */
  complete(job: OutboxJob): boolean {
    if (this.jobs.get(job.key) !== job) return false;
    this.jobs.delete(job.key);
    return true;
  }

  remove(key: string): OutboxJob | undefined {
    const job = this.jobs.get(key);
    this.jobs.delete(key);
    return job;
  }

  /** Up to `limit` jobs due at `now`, oldest first. */
  ready(now: number, limit: number): OutboxJob[] {
    const due: OutboxJob[] = [];
    for (const j of this.jobs.values()) if (j.nextAttemptAt <= now) due.push(j);
    due.sort((a, b) => a.seq - b.seq);
    return due.slice(0, limit);
  }

  nextDueAt(): number | null {
    let min: number | null = null;
    for (const j of this.jobs.values()) if (min === null || j.nextAttemptAt < min) min = j.nextAttemptAt;
    return min;
  }
}
