import type { Logger } from '../log';
import { backoffDelay, type RetryPolicy } from '../retry';
import type { CalendarBackend } from './backend';
import type { AppAlertInput } from './calendar-sink';
import type { EnginePersistence } from './engine-persistence';
import type { SyncStore } from './sync-store';
import type { SyncWaiters } from './sync-waiters';
import { toSyncError, type WriteGate } from './write-gate';
import type { ExecOutcome, OutboxJob, SyncError } from './types';

export interface OutboxWorkerOptions {
  store: SyncStore;
  backend: CalendarBackend;
  persistence: EnginePersistence;
  waiters: SyncWaiters;
  gate: WriteGate;
  retry: RetryPolicy;
  random?: () => number;
  log: Logger;
  raiseAlert(alert: AppAlertInput): void;
  changed(): void;
  stopped(): boolean;
  /** A write for this match reached the calendar (the planner may trust its record again). */
  committed?(job: OutboxJob): void;
  /** This match's write failed for good. */
  failed?(job: OutboxJob): void;
}

/**
 * One batch of outbox jobs into the backend: durable before attempted, classified on failure
 * (retry with backoff, fail with an alert, or hold every write for sign-in or a missing
 * calendar), committed into the records once the backend has flushed.
 */
export class OutboxWorker {
  constructor(private readonly opts: OutboxWorkerOptions) {}

  /** Returns true when every write must wait (sign-in, calendar blocked); the batch stays queued. */
  async runBatch(ready: OutboxJob[]): Promise<boolean> {
    const { store, persistence, backend, gate } = this.opts;
    // Durable before attempted: a job the user's calendar may see is a job we remember.
    if (persistence.jobsUnsaved) await persistence.saveNow();
    else await persistence.settled();
    const done: Array<[OutboxJob, ExecOutcome]> = [];
    let blocked = false;
    for (const job of ready) {
      if (this.opts.stopped()) break;
      if (store.outbox.get(job.key) !== job) continue;
      if (job.kind === 'upsert') store.maybeWritten.add(job.key);
      try {
        done.push([job, await backend.execute(job, store.records.get(job.matchId) ?? null)]);
      } catch (err) {
        const e = toSyncError(err);
        if (e.kind === 'auth') {
          blocked = true;
          gate.noteAuthNeeded(e);
          break;
        }
        if (e.kind === 'calendar') {
          // Not this job's fault: it stays queued, untouched, until the calendar is back.
          blocked = true;
          gate.noteCalendarBlocked(e);
          break;
        }
        this.jobFailed(job, e);
        if (e.retryAfterMs !== null) break;
      }
    }
    if (done.length > 0) {
      try {
        await backend.flush();
        for (const [job, outcome] of done) this.commit(job, outcome);
        gate.clearCalendarBlock();
      } catch (err) {
        for (const [job] of done) this.jobFailed(job, toSyncError(err));
      }
    }
    persistence.scheduleSave();
    this.opts.changed();
    return blocked;
  }

  private commit(job: OutboxJob, outcome: ExecOutcome): void {
    const { store } = this.opts;
    const now = new Date().toISOString();
    if (job.kind === 'delete') {
      const rec = store.records.get(job.matchId);
      if (job.reason !== 'duplicate' && rec) store.records.set(job.matchId, { ...rec, present: false, sourceKey: job.sourceKey, updatedAt: now });
      if (outcome.action === 'deleted') store.counters.deleted++;
    } else if (job.event) {
      store.records.set(job.matchId, {
        matchId: job.matchId,
        present: true,
        eventId: outcome.eventId,
        calendarHash: job.event.calendarHash,
        renderKey: job.renderKey,
        sourceKey: job.sourceKey,
        summary: job.event.summary,
        snapshot: job.snapshot,
        lastChange: job.lastChange,
        title: job.title,
        updatedAt: now,
        endMs: job.event.endMs,
      });
      if (outcome.action === 'inserted') store.counters.inserted++;
      else if (outcome.action === 'updated') store.counters.updated++;
    }
    if (job.reason !== 'duplicate') store.failures.delete(job.matchId);
    store.lastSyncAt = now;
    if (store.outbox.complete(job)) {
      store.maybeWritten.delete(job.key);
      if (job.reason !== 'duplicate') this.opts.committed?.(job);
      this.opts.waiters.settle(job.key, outcome.action);
    }
  }

  jobFailed(job: OutboxJob, e: SyncError): void {
    const { store, retry, log } = this.opts;
    if (store.outbox.get(job.key) !== job) return;
    if (e.kind === 'retryable' && job.attempts + 1 < retry.maxAttempts) {
      job.attempts++;
      job.lastError = e.message;
      job.nextAttemptAt = Date.now() + backoffDelay(job.attempts, retry, this.opts.random);
      if (e.retryAfterMs !== null) {
        // The server said how long (429/503 Retry-After): nothing is sent before then.
        this.opts.gate.pauseFor(e.retryAfterMs);
        job.nextAttemptAt = Math.max(job.nextAttemptAt, this.opts.gate.pausedUntil);
      }
      store.counters.retries++;
      log.warn('sync', `calendar write for ${job.title} (${job.matchId}) failed, retry ${job.attempts} in ${job.nextAttemptAt - Date.now()} ms: ${e.message}`);
      return;
    }
    const reason = e.kind === 'retryable' ? `gave up after ${job.attempts + 1} attempts: ${e.message}` : e.message;
    store.outbox.complete(job);
    store.failures.set(job.matchId, { sourceKey: job.sourceKey, reason, at: new Date().toISOString(), title: job.title });
    store.counters.failures++;
    if (job.reason !== 'duplicate') this.opts.failed?.(job);
    log.error('sync', `calendar write for ${job.title} (${job.matchId}) failed: ${reason}`);
    this.opts.raiseAlert({
      alertType: 'calendar_write_failed',
      severity: 'warning',
      message: `Calendar ${job.kind === 'delete' ? 'deletion' : 'update'} failed for ${job.title}: ${reason}`,
      text: { key: job.kind === 'delete' ? 'appAlert.calendarDeleteFailed' : 'appAlert.calendarWriteFailed', params: { title: job.title, reason } },
      details: { matchId: job.matchId, status: e.status, reason: e.reason },
    });
    this.opts.waiters.settle(job.key, 'failed');
  }
}
