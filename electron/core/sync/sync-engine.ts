import path from 'node:path';
import type { FogisMatch } from '../../../shared/messages';
import type { CalendarState, TakeoverPreview } from '../../../shared/state';
import type { SyncReport } from '../../../shared/api';
import { readJsonFile, writeFileAtomic } from '../store/atomic-file';
import { contained, safeReport, type FaultReporter } from '../containment';
import { errorText, type Logger } from '../log';
import type { AppAlertInput, MatchListInput } from './calendar-sink';
import { summarizeReport } from './calendar-sink';
import type { CalendarBackend, RemoteEvent, TaggedEvent } from './backend';
import { planTakeover, type TakeoverPlan } from './takeover';
import { engineStateSchema, lastListSchema, type EngineStateFile, type FailureEntry } from './engine-store';
import { matchIdOf } from './event-builder';
import { hasEnded } from './change-window';
import { heldDeletionsMessage, heldDeletionsParams } from './guard-text';
import { backoffDelay, DEFAULT_RETRY, Outbox, type RetryPolicy } from './outbox';
import { planSync, type JobDraft, type PlanResult } from './plan';
import { SyncError, type CalendarBlock, type ExecOutcome, type HeldDeletion, type MatchRecord, type OutboxJob, type PlanOptions } from './types';

export interface EngineOptions {
  dataDir: string;
  backend: CalendarBackend;
  plan: PlanOptions;
  log: Logger;
  raiseAlert(alert: AppAlertInput): void;
  /** The cause of these app alerts is gone (sign-in works again, the calendar is back …). */
  resolveAlerts?(alertType: string): void;
  retry?: Partial<RetryPolicy>;
  /** Completed writes are saved within this delay (a crash only replays idempotent jobs). */
  saveDelayMs?: number;
  /** How long sync()/confirmDeletions() wait for their writes before reporting. */
  syncWaitMs?: number;
  random?: () => number;
  /** The last line of defence: an exception escaping the worker, a timer or a listener (containment.ts). */
  internalError?: FaultReporter;
  /** @default WORKER_FAULT_PAUSE_MS */
  faultPauseMs?: number;
  /** The calendar's clock: what is history (change-window.ts). Tests pin it; timers use real time. */
  clock?: () => number;
  /** The calendar's name in alerts (the Google calendar id). */
  calendarLabel?: string;
}

/** After the worker itself failed (a bug, not a calendar error), wait this long before the next turn. */
export const WORKER_FAULT_PAUSE_MS = 5_000;

type Settled = 'inserted' | 'updated' | 'deleted' | 'noop' | 'failed' | 'unchanged';

const COUNTER_KEYS = ['inserted', 'updated', 'deleted', 'unchanged', 'api_calls', 'retries', 'failures', 'held'] as const;
type CounterKey = (typeof COUNTER_KEYS)[number];

export const LAST_LIST_FILE = 'calendar-last-list.json';

/**
 * Records (what the calendar shows), the outbox (what is on its way) and the worker that
 * drains it into one backend. Reception never waits: onMatchList plans synchronously,
 * enqueues and returns; the worker writes in the background (DESIGN rule 3).
 */
export class SyncEngine {
  private records = new Map<string, MatchRecord>();
  private outbox = new Outbox();
  /** Keys of upsert jobs that may have reached the calendar (tried now, or restored after a crash). */
  private readonly maybeWritten = new Set<string>();
  private held: HeldDeletion[] = [];
  private failures = new Map<string, FailureEntry>();
  private unschedulable = new Map<string, FailureEntry>();
  private counters: Record<CounterKey, number> = Object.fromEntries(COUNTER_KEYS.map((k) => [k, 0])) as Record<CounterKey, number>;
  private lastSyncAt: string | null = null;
  private lastList: { matches: FogisMatch[]; receivedAt: string; messageId: string } | null = null;
  private waiters = new Map<string, Array<(r: Settled) => void>>();
  private listeners = new Set<() => void>();
  private retry: RetryPolicy;
  private started = false;
  private stopped = false;
  private working: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private saveTimer: NodeJS.Timeout | null = null;
  private notifyTimer: NodeJS.Timeout | null = null;
  private saving: Promise<void> = Promise.resolve();
  private savingList: Promise<void> = Promise.resolve();
  private jobsUnsaved = false;
  private storageError: string | null = null;
  private needReconcile = false;
  private reconcileAttempts = 0;
  private reconcileAt = 0;
  private authAlerted = false;
  /** The calendar is missing or read-only: every write waits, re-checked with backoff. */
  private calendarBlock: { block: CalendarBlock; message: string } | null = null;
  private blockChecks = 0;
  private blockCheckAt = 0;
  /** Retry-After: the server asked for quiet until then (every write waits, not only the job). */
  private pausedUntil = 0;
  private authChecks = 0;
  /** False until we have looked into the calendar (or written to it): a takeover may be due. */
  private calendarKnown = false;
  private takeover: { events: TaggedEvent[]; preview: TakeoverPreview } | null = null;
  private exclusiveTail: Promise<unknown> = Promise.resolve();
  private cachedState: CalendarState | null = null;
  private faultPauseUntil = 0;

  constructor(private readonly opts: EngineOptions) {
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
  }

  private readonly reportFault: FaultReporter = (area, err) => {
    if (this.opts.internalError) this.opts.internalError(area, err);
    else this.opts.log.error('sync', `internal error in ${area}: ${errorText(err)}`);
  };
  private nowMs(): number {
    return this.opts.clock ? this.opts.clock() : Date.now();
  }

  get backend(): CalendarBackend {
    return this.opts.backend;
  }

  private get stateFile(): string {
    return path.join(this.opts.dataDir, `calendar-${this.backend.kind}-sync.json`);
  }

  async start(): Promise<void> {
    const loaded = await readJsonFile(this.stateFile, engineStateSchema, this.opts.log);
    if (loaded.status === 'ok') {
      const s = loaded.value;
      for (const r of s.records) this.records.set(r.matchId, r);
      this.outbox = new Outbox(s.outbox);
      // The outbox is saved before each write is tried, so a job found here after a crash may
      // already be in the calendar even though its attempt count says 0.
      for (const job of s.outbox) if (job.kind === 'upsert') this.maybeWritten.add(job.key);
      this.held = s.held;
      for (const [k, v] of Object.entries(s.failures)) this.failures.set(k, v);
      for (const k of COUNTER_KEYS) this.counters[k] = s.counters[k] ?? 0;
      this.lastSyncAt = s.lastSyncAt;
      this.calendarKnown = s.calendarKnown ?? (s.records.length > 0 || s.outbox.length > 0 || s.lastSyncAt !== null);
      if (this.outbox.size > 0) this.opts.log.info('sync', `resuming ${this.outbox.size} pending calendar write(s) from the outbox`);
    }
    const list = await readJsonFile(path.join(this.opts.dataDir, LAST_LIST_FILE), lastListSchema, this.opts.log);
    if (list.status === 'ok') this.lastList = { ...list.value, matches: list.value.matches as FogisMatch[] };
    await this.backend.start();
    this.needReconcile = typeof this.backend.listOwnEvents === 'function';
    this.started = true;
    this.kick();
    this.changed();
  }

  async stop(): Promise<void> {
    this.flushPendingList();
    this.stopped = true;
    for (const t of [this.timer, this.saveTimer, this.notifyTimer]) if (t) clearTimeout(t);
    this.timer = this.saveTimer = this.notifyTimer = null;
    if (this.working) await Promise.race([this.working, new Promise((r) => setTimeout(r, 1_500).unref())]);
    if (this.started) await this.saveNow();
    await this.savingList;
    await this.backend.stop().catch((err: unknown) => this.opts.log.warn('sync', `calendar backend stop: ${errorText(err)}`));
    for (const ws of this.waiters.values()) for (const w of ws) w('failed');
    this.waiters.clear();
  }

  onStateChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setPlanOptions(plan: PlanOptions): void {
    this.opts.plan = plan;
    if (this.lastList) this.applyPlan(this.planFor(this.lastList.matches, true, false));
  }

  /** The backend's sign-in state changed: resume writing, reconcile first. */
  backendChanged(): void {
    if (!this.backend.blockedReason()) {
      if (this.authAlerted) this.opts.resolveAlerts?.('calendar_sign_in_needed');
      this.authAlerted = false;
      this.authChecks = 0;
      if (typeof this.backend.listOwnEvents === 'function') this.needReconcile = true;
      this.kick();
    }
    this.changed();
  }

  /**
   * A full list is planned on the next turn of the event loop, and only the newest one
   * waiting: each full list supersedes the one before (spec §2.2), so a burst of lists costs
   * one plan, and the Redis reader (and its PING) never waits behind hashing a backlog.
   */
  onMatchList(input: MatchListInput): void {
    if (input.source === 'manual') {
      this.flushPendingList();
      this.planInput(input);
      return;
    }
    const scheduled = this.pendingList !== null;
    this.pendingList = input;
    if (!scheduled) setImmediate(() => contained(this.reportFault, 'sync', () => this.flushPendingList(), undefined));
  }

  private pendingList: MatchListInput | null = null;

  /** Plans the waiting full list now (before a manual sync, a confirmation, a stop). */
  private flushPendingList(): void {
    const input = this.pendingList;
    if (!input) return;
    this.pendingList = null;
    if (this.stopped) return;
    this.planInput(input);
  }

  private planInput(input: MatchListInput): void {
    const full = input.source !== 'manual';
    if (full) {
      this.lastList = { matches: input.matches, receivedAt: input.receivedAt, messageId: input.messageId };
    }
    if (this.takeover) {
      // Nothing is planned into a calendar not yet taken over; the preview follows the list.
      if (full) {
        this.takeover.preview = this.takeoverPlan(this.takeover.events).preview;
        this.saveLastList();
        this.changed();
      }
      return;
    }
    const res = this.planFor(input.matches, full, false, input.receivedAt);
    const changedAnything = res.enqueue.length + res.touch.length + res.cancelPending.length + res.held.length > 0;
    this.applyPlan(res, full);
    this.noteInStep();
    if (full && (changedAnything || this.lastSyncAt === null)) this.saveLastList();
  }

  async sync(matches: FogisMatch[] | null): Promise<SyncReport> {
    this.flushPendingList();
    if (this.takeover) {
      return this.report({ inserted: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0, held: 0 }, [], 'the calendar takeover waits for your confirmation; nothing is written before it');
    }
    if (matches === null) {
      if (typeof this.backend.listOwnEvents === 'function' && !this.backend.blockedReason()) {
        const err = await this.exclusive(() => this.reconcile());
        if (err) return this.report({ inserted: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0, held: 0 }, [], `reconcile failed: ${err}`);
      }
      if (!this.lastList) return this.report({ inserted: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0, held: 0 }, [], undefined, 'no match list received yet');
    }
    const list = matches ?? this.lastList?.matches ?? [];
    const res = this.planFor(list, matches === null, true);
    this.applyPlan(res, matches === null);
    // "Sync now" on a calendar already in step still moves "Last updated" (issue 14.9).
    this.noteInStep();
    // Also wait for writes already queued for these matches (e.g. by the reconcile just run).
    const keys = new Set(res.enqueue.map((j) => j.key));
    const wanted = matches === null ? null : new Set(list.map(matchIdOf));
    for (const j of this.outbox.all()) if (!wanted || wanted.has(j.matchId)) keys.add(j.key);
    return this.awaitJobs([...keys], res);
  }

  async confirmDeletions(): Promise<SyncReport> {
    this.flushPendingList();
    const held = this.held;
    this.held = [];
    if (held.length > 0) this.opts.resolveAlerts?.('calendar_deletions_held');
    const now = Date.now();
    const keys: string[] = [];
    for (const h of held) {
      const rec = this.records.get(h.matchId);
      if (!rec?.present) continue;
      // Held while upcoming, confirmed after the match was played: it is history now.
      if (hasEnded(rec.endMs, this.nowMs())) continue;
      this.outbox.put(deleteDraft(h.matchId, h.title, h.reason, null), now);
      keys.push(h.matchId);
    }
    this.opts.log.info('sync', `deletions confirmed: ${keys.length} queued`);
    this.jobsUnsaved = true;
    this.scheduleSave();
    this.kick();
    this.changed();
    return this.awaitJobs(keys, null);
  }

  getState(): CalendarState {
    // Reading the state plans what is waiting, so what is reported is never behind.
    this.flushPendingList();
    if (this.cachedState) return this.cachedState;
    const info = this.backend.info();
    // Plain status words (the dashboard says them in the user's language); the alert has the detail.
    const blockText = this.calendarBlock ? (this.calendarBlock.block === 'calendar-not-found' ? 'calendar not found' : 'no write access') : null;
    const blocked = this.backend.blockedReason() ?? blockText;
    const perMatch: CalendarState['perMatch'] = {};
    for (const r of this.records.values()) {
      if (r.present) perMatch[r.matchId] = { status: 'synced', reason: null, updatedAt: r.updatedAt };
    }
    for (const [id, f] of this.unschedulable) perMatch[id] = { status: 'failed', reason: f.reason, updatedAt: f.at };
    for (const [id, f] of this.failures) perMatch[id] = { status: 'failed', reason: f.reason, updatedAt: f.at };
    for (const j of this.outbox.all()) {
      if (j.reason === 'duplicate') continue;
      perMatch[j.matchId] = { status: 'pending', reason: blocked ?? j.lastError, updatedAt: j.enqueuedAt };
    }
    for (const h of this.held) {
      perMatch[h.matchId] = { status: 'held', reason: h.reason === 'removed' ? 'deletion held back: no longer in the match list' : 'deletion held back: cancelled', updatedAt: this.lastList?.receivedAt ?? new Date().toISOString() };
    }
    let status = blocked ?? (this.takeover ? 'takeover waiting' : info.status);
    if (this.storageError && status === 'ok') status = `error: ${this.storageError}`;
    this.cachedState = {
      backend: this.backend.kind,
      status,
      lastSyncAt: this.lastSyncAt,
      pending: this.outbox.size,
      failed: this.failures.size + this.unschedulable.size,
      heldDeletions: this.held.length,
      counters: { ...this.counters, held: this.held.length },
      perMatch,
      subscribeUrl: info.subscribeUrl,
      takeover: this.takeover?.preview ?? null,
      held: this.held.map((h) => ({ matchId: h.matchId, title: h.title, reason: h.reason, kickoff: this.records.get(h.matchId)?.snapshot?.kickoff ?? null })),
      signedIn: info.signedIn,
    };
    return this.cachedState;
  }

  /** Resolves once the outbox is empty (or `timeoutMs` passed); for tests and shutdown. */
  async drain(timeoutMs = 10_000): Promise<boolean> {
    this.flushPendingList();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.outbox.size === 0 && !this.working) return true;
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.outbox.size === 0;
  }

  countApiCall(): void {
    this.counters.api_calls++;
    this.changed();
  }

  /** The calendar already shows the list (nothing queued, nothing in the way): that is a sync too. */
  private noteInStep(): void {
    if (this.outbox.size > 0 || this.needReconcile || this.calendarBlock || this.backend.blockedReason() || !this.lastList) return;
    this.lastSyncAt = new Date().toISOString();
    this.changed();
  }

  // ---- planning -------------------------------------------------------------------------

  private planFor(matches: readonly FogisMatch[], full: boolean, retryFailed: boolean, at?: string): PlanResult {
    const failedSources = new Map<string, string>();
    for (const [id, f] of this.failures) if (f.sourceKey) failedSources.set(id, f.sourceKey);
    return planSync({
      matches,
      full,
      records: this.records,
      pending: this.outbox.view(),
      failedSources,
      retryFailed,
      options: this.opts.plan,
      now: at ?? new Date().toISOString(),
      nowMs: this.nowMs(),
    });
  }

  private applyPlan(res: PlanResult, full = true): void {
    const now = Date.now();
    for (const key of res.cancelPending) {
      const removed = this.outbox.remove(key);
      if (!removed) continue;
      const tried = this.maybeWritten.delete(key) || removed.attempts > 0;
      if (removed.kind === 'upsert' && tried && !this.records.get(removed.matchId)?.present) {
        // A tried write may have reached the calendar although its answer was lost (reset,
        // timeout, or a crash after the request went out). Dropping the job would leave that
        // event behind, unknown to us; delete it instead (a no-op when it does not exist).
        // Without this, such orphans piled up under API faults and crashes, and a later
        // reconcile wanted to delete them all at once, which the deletion guard held back.
        // A new event's id is deterministic (eventIdFor), so it can be deleted without knowing it was made.
        this.outbox.put({ ...deleteDraft(removed.matchId, removed.title, 'removed', null), eventId: removed.eventId ?? this.backend.eventIdFor(removed.matchId) }, now);
        this.jobsUnsaved = true;
        this.opts.log.info('sync', `${removed.title} (${removed.matchId}) is no longer wanted and an earlier write may have reached the calendar: deleting it to be sure`);
        continue;
      }
      this.settle(key, 'unchanged');
    }
    for (const draft of res.enqueue) {
      this.outbox.put(draft, now);
      this.failures.delete(draft.matchId);
      this.unschedulable.delete(draft.matchId);
    }
    for (const t of res.touch) {
      const rec = this.records.get(t.matchId);
      if (!rec) continue;
      rec.sourceKey = t.sourceKey;
      rec.renderKey = t.renderKey;
      rec.snapshot = t.snapshot;
      rec.lastChange = t.lastChange;
      this.failures.delete(t.matchId);
    }
    const at = new Date(now).toISOString();
    for (const u of res.unschedulable) this.unschedulable.set(u.matchId, { sourceKey: null, reason: u.reason, at, title: u.title });
    this.counters.unchanged += res.unchanged;

    const before = this.held.map((h) => h.matchId).sort().join(',');
    if (full) this.held = res.held;
    else for (const h of res.held) if (!this.held.some((x) => x.matchId === h.matchId)) this.held.push(h);
    const after = this.held.map((h) => h.matchId).sort().join(',');
    if (after !== before && this.held.length > 0) {
      const clock = this.nowMs();
      const known = [...this.records.values()].filter((r) => r.present && !hasEnded(r.endMs, clock)).length;
      const n = this.held.length;
      const explained = this.held.map((h) => ({ ...h, kickoff: this.records.get(h.matchId)?.snapshot?.kickoff ?? null }));
      this.opts.log.warn('sync', `${n} deletions held back (would remove ${n} of ${known} upcoming matches); waiting for confirmation`);
      this.opts.raiseAlert({
        alertType: 'calendar_deletions_held',
        severity: 'warning',
        message: heldDeletionsMessage(explained, known),
        text: { key: 'appAlert.deletionsHeld', params: heldDeletionsParams(explained, known) },
        details: { matches: explained.map((h) => ({ matchId: h.matchId, title: h.title, reason: h.reason, kickoff: h.kickoff })), upcoming: known, pastEventsTouched: 0 },
      });
    } else if (after !== before && this.held.length === 0) {
      this.opts.resolveAlerts?.('calendar_deletions_held');
    }
    if (res.enqueue.length > 0) {
      this.jobsUnsaved = true;
      this.opts.log.info('sync', `calendar: ${res.inserts} to add, ${res.updates} to update, ${res.deletes} to delete, ${res.unchanged} unchanged`);
    }
    if (res.enqueue.length + res.touch.length + res.cancelPending.length + res.unschedulable.length > 0 || after !== before) this.scheduleSave();
    this.kick();
    this.changed();
  }

  private awaitJobs(keys: string[], res: PlanResult | null): Promise<SyncReport> {
    const counts = { inserted: 0, updated: 0, deleted: 0, unchanged: res?.unchanged ?? 0, cancelled: res?.cancelled ?? 0, past: res?.past ?? 0, failed: res?.unschedulable.length ?? 0, held: res?.held.length ?? this.held.length };
    if (keys.length === 0) return Promise.resolve(this.report(counts, []));
    const blocked = this.backend.blockedReason();
    if (blocked) return Promise.resolve(this.report(counts, keys, `${blocked}: ${keys.length} write(s) wait in the outbox`));
    return new Promise((resolve) => {
      let left = keys.length;
      const pendingKeys = new Set(keys);
      const finish = (): void => {
        clearTimeout(timer);
        resolve(this.report(counts, [...pendingKeys]));
      };
      const timer = setTimeout(finish, this.opts.syncWaitMs ?? 30_000);
      timer.unref?.();
      for (const key of keys) {
        this.addWaiter(key, (r) => {
          if (!pendingKeys.delete(key)) return;
          if (r === 'inserted' || r === 'updated' || r === 'deleted' || r === 'failed') counts[r]++;
          else counts.unchanged++;
          if (--left === 0) finish();
        });
      }
    });
  }

  private report(counts: Omit<SyncReport, 'summary' | 'success'>, stillPending: string[], error?: string, note?: string): SyncReport {
    let summary = summarizeReport(counts);
    if (stillPending.length > 0) summary += `, ${stillPending.length} pending`;
    if (note) summary = `${note}; ${summary}`;
    const out: SyncReport = { success: !error && counts.failed === 0, ...counts, summary };
    if (error) out.error = error;
    else if (stillPending.length > 0 && this.backend.blockedReason()) out.error = this.backend.blockedReason() ?? undefined;
    return out;
  }

  private addWaiter(key: string, w: (r: Settled) => void): void {
    const list = this.waiters.get(key);
    if (list) list.push(w);
    else this.waiters.set(key, [w]);
  }

  private settle(key: string, r: Settled): void {
    const list = this.waiters.get(key);
    if (!list) return;
    this.waiters.delete(key);
    for (const w of list) w(r);
  }

  // ---- worker ---------------------------------------------------------------------------

  private kick(): void {
    if (!this.started || this.stopped || this.working) return;
    this.working = this.work().catch((err: unknown) => {
      // Not a calendar error (those are classified per job): a bug. Report it and pause, so a
      // worker that fails at once on every turn cannot spin.
      this.faultPauseUntil = Date.now() + (this.opts.faultPauseMs ?? WORKER_FAULT_PAUSE_MS);
      safeReport(this.reportFault, 'sync', err);
    }).finally(() => {
      this.working = null;
      this.armTimer();
    });
  }

  private armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    if (this.backend.blockedReason()) {
      this.armAuthRecheck();
      return;
    }
    let next = this.outbox.nextDueAt();
    if (this.needReconcile) next = next === null ? this.reconcileAt : Math.min(next, this.reconcileAt);
    if (next === null) return;
    next = Math.max(next, this.faultPauseUntil, this.pausedUntil, this.calendarBlock ? this.blockCheckAt : 0);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, Math.max(0, next - Date.now()));
    this.timer.unref?.();
  }

  /** While sign-in is needed, look (with backoff) for what heals it without the user (a newer token.json). */
  private armAuthRecheck(): void {
    if (!this.backend.recheck) return;
    const delay = backoffDelay(++this.authChecks, this.retry, this.opts.random);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.backend
        .recheck?.()
        .catch((err: unknown) => this.opts.log.warn('sync', `sign-in re-check failed: ${errorText(err)}`))
        .finally(() => {
          if (this.stopped) return;
          if (this.backend.blockedReason()) this.armTimer();
          else this.backendChanged();
        });
    }, delay);
    this.timer.unref?.();
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.exclusiveTail.then(fn, fn);
    this.exclusiveTail = run.catch(() => undefined);
    return run;
  }

  private async work(): Promise<void> {
    while (!this.stopped && !this.backend.blockedReason() && !this.takeover) {
      const now = Date.now();
      if (now < this.pausedUntil || (this.calendarBlock && now < this.blockCheckAt)) return;
      if (this.needReconcile) {
        if (Date.now() < this.reconcileAt) {
          return;
        } else {
          await this.exclusive(() => this.reconcile());
          continue;
        }
      }
      const ready = this.outbox.ready(Date.now(), this.backend.batchSize);
      if (ready.length === 0) return;
      const authBlocked = await this.exclusive(() => this.runBatch(ready));
      if (authBlocked) return;
    }
  }

  /** Returns true when the backend needs sign-in (the batch stays queued). */
  private async runBatch(ready: OutboxJob[]): Promise<boolean> {
    // Durable before attempted: a job the user's calendar may see is a job we remember.
    if (this.jobsUnsaved) await this.saveNow();
    else await this.saving;
    const done: Array<[OutboxJob, ExecOutcome]> = [];
    let authBlocked = false;
    for (const job of ready) {
      if (this.stopped) break;
      if (this.outbox.get(job.key) !== job) continue;
      if (job.kind === 'upsert') this.maybeWritten.add(job.key);
      try {
        done.push([job, await this.backend.execute(job, this.records.get(job.matchId) ?? null)]);
      } catch (err) {
        const e = toSyncError(err);
        if (e.kind === 'auth') {
          authBlocked = true;
          this.noteAuthNeeded(e);
          break;
        }
        if (e.kind === 'calendar') {
          // Not this job's fault: it stays queued, untouched, until the calendar is back.
          authBlocked = true;
          this.noteCalendarBlocked(e);
          break;
        }
        this.jobFailed(job, e);
        if (e.retryAfterMs !== null) break;
      }
    }
    if (done.length > 0) {
      try {
        await this.backend.flush();
        for (const [job, outcome] of done) this.commit(job, outcome);
        this.clearCalendarBlock();
      } catch (err) {
        for (const [job] of done) this.jobFailed(job, toSyncError(err));
      }
    }
    this.scheduleSave();
    this.changed();
    return authBlocked;
  }

  private commit(job: OutboxJob, outcome: ExecOutcome): void {
    const now = new Date().toISOString();
    if (job.kind === 'delete') {
      const rec = this.records.get(job.matchId);
      if (job.reason !== 'duplicate' && rec) {
        rec.present = false;
        rec.sourceKey = job.sourceKey;
        rec.updatedAt = now;
      }
      if (outcome.action === 'deleted') this.counters.deleted++;
    } else if (job.body) {
      this.records.set(job.matchId, {
        matchId: job.matchId,
        present: true,
        eventId: outcome.eventId,
        calendarHash: job.body.extendedProperties.private.calendarHash,
        renderKey: job.renderKey,
        sourceKey: job.sourceKey,
        summary: job.body.summary,
        snapshot: job.snapshot,
        lastChange: job.lastChange,
        title: job.title,
        updatedAt: now,
        endMs: endOf(job.body.end.dateTime),
      });
      if (outcome.action === 'inserted') this.counters.inserted++;
      else if (outcome.action === 'updated') this.counters.updated++;
    }
    if (job.reason !== 'duplicate') this.failures.delete(job.matchId);
    this.lastSyncAt = now;
    if (this.outbox.complete(job)) {
      this.maybeWritten.delete(job.key);
      this.settle(job.key, outcome.action);
    }
  }

  private jobFailed(job: OutboxJob, e: SyncError): void {
    if (this.outbox.get(job.key) !== job) return;
    if (e.kind === 'retryable' && job.attempts + 1 < this.retry.maxAttempts) {
      job.attempts++;
      job.lastError = e.message;
      job.nextAttemptAt = Date.now() + backoffDelay(job.attempts, this.retry, this.opts.random);
      if (e.retryAfterMs !== null) {
        // The server said how long (429/503 Retry-After): nothing is sent before then.
        this.pausedUntil = Math.max(this.pausedUntil, Date.now() + e.retryAfterMs);
        job.nextAttemptAt = Math.max(job.nextAttemptAt, this.pausedUntil);
      }
      this.counters.retries++;
      this.opts.log.warn('sync', `calendar write for ${job.title} (${job.matchId}) failed, retry ${job.attempts} in ${job.nextAttemptAt - Date.now()} ms: ${e.message}`);
      return;
    }
    const reason = e.kind === 'retryable' ? `gave up after ${job.attempts + 1} attempts: ${e.message}` : e.message;
    this.outbox.complete(job);
    this.failures.set(job.matchId, { sourceKey: job.sourceKey, reason, at: new Date().toISOString(), title: job.title });
    this.counters.failures++;
    this.opts.log.error('sync', `calendar write for ${job.title} (${job.matchId}) failed: ${reason}`);
    this.opts.raiseAlert({
      alertType: 'calendar_write_failed',
      severity: 'warning',
      message: `Calendar ${job.kind === 'delete' ? 'deletion' : 'update'} failed for ${job.title}: ${reason}`,
      text: { key: job.kind === 'delete' ? 'appAlert.calendarDeleteFailed' : 'appAlert.calendarWriteFailed', params: { title: job.title, reason } },
      details: { matchId: job.matchId, status: e.status, reason: e.reason },
    });
    this.settle(job.key, 'failed');
  }

  private noteAuthNeeded(e: SyncError): void {
    this.opts.log.warn('google', `Google Calendar needs sign-in: ${e.message}`);
    if (!this.authAlerted) {
      this.authAlerted = true;
      this.opts.raiseAlert({
        alertType: 'calendar_sign_in_needed',
        severity: 'error',
        message: `Google Calendar sign-in needed: Google refused the saved sign-in (${e.message}). Sign in again in Settings, or place a new token.json in the data directory. Calendar writes wait until then; nothing is lost.`,
        text: { key: 'appAlert.calendarSignIn', params: { error: e.message } },
      });
    }
    this.changed();
  }

  private noteCalendarBlocked(e: SyncError): void {
    const block = e.block ?? 'calendar-not-found';
    const fresh = this.calendarBlock?.block !== block;
    this.calendarBlock = { block, message: e.message };
    this.blockChecks++;
    this.blockCheckAt = Date.now() + backoffDelay(this.blockChecks, this.retry, this.opts.random);
    if (fresh) {
      this.opts.log.warn('sync', `${e.message}; calendar writes wait and are retried by themselves`);
      this.opts.raiseAlert(
        block === 'calendar-not-found'
          ? {
              alertType: 'calendar_not_found',
              severity: 'error',
              message: `The Google calendar "${this.calendarLabel()}" was not found. Check the calendar id in Settings (or that the calendar still exists). Calendar writes wait and resume by themselves.`,
              text: { key: 'appAlert.calendarNotFound', params: { calendar: this.calendarLabel() } },
              details: { status: e.status, reason: e.reason },
            }
          : {
              alertType: 'calendar_no_write_access',
              severity: 'error',
              message: `No write access to the Google calendar "${this.calendarLabel()}". Share it with the signed-in account with "Make changes to events", or choose another calendar. Calendar writes wait and resume by themselves.`,
              text: { key: 'appAlert.calendarNoWriteAccess', params: { calendar: this.calendarLabel() } },
              details: { status: e.status, reason: e.reason },
            },
      );
    }
    this.changed();
  }

  private clearCalendarBlock(): void {
    if (!this.calendarBlock) return;
    const was = this.calendarBlock.block;
    this.calendarBlock = null;
    this.blockChecks = 0;
    this.opts.log.info('sync', 'the calendar can be written again');
    this.opts.resolveAlerts?.(was === 'calendar-not-found' ? 'calendar_not_found' : 'calendar_no_write_access');
    this.changed();
  }

  private calendarLabel(): string {
    return this.opts.calendarLabel ?? 'primary';
  }

  // ---- reconcile (Google) ---------------------------------------------------------------

  /** Lists every event with our syncTag and rebuilds matchId → event; returns an error text or null. */
  private async reconcile(): Promise<string | null> {
    const list = this.backend.listOwnEvents;
    if (!list) return null;
    let events: RemoteEvent[];
    try {
      if (!this.calendarKnown && this.backend.listTaggedEvents) {
        // First contact (takeover.ts): any FOGIS match events here, under any tag, past ones too?
        const all = await this.backend.listTaggedEvents();
        if (all.length > 0) {
          this.needReconcile = false;
          this.reconcileAttempts = 0;
          this.clearCalendarBlock();
          this.startTakeover(all);
          return null;
        }
        this.calendarKnown = true;
        this.jobsUnsaved = true;
      }
      events = await list.call(this.backend);
    } catch (err) {
      const e = toSyncError(err);
      if (e.kind === 'auth') {
        this.reconcileAt = Date.now() + this.retry.baseDelayMs;
        this.noteAuthNeeded(e);
        return e.message;
      }
      if (e.kind === 'calendar') {
        this.noteCalendarBlocked(e);
        this.reconcileAt = this.blockCheckAt;
        return e.message;
      }
      if (e.retryAfterMs !== null) this.pausedUntil = Math.max(this.pausedUntil, Date.now() + e.retryAfterMs);
      this.reconcileAttempts++;
      this.reconcileAt = Date.now() + backoffDelay(this.reconcileAttempts, this.retry, this.opts.random);
      // A calendar we have not yet looked into is never written blind (a takeover may be due).
      if (this.reconcileAttempts >= this.retry.maxAttempts && this.calendarKnown) {
        this.opts.log.warn('sync', `reconcile keeps failing (${e.message}); writing without it, ids stay deterministic`);
        this.needReconcile = false;
      } else {
        this.opts.log.warn('sync', `reconcile failed (${e.message}); retry ${this.reconcileAttempts}`);
      }
      return e.message;
    }
    this.needReconcile = false;
    this.reconcileAttempts = 0;
    this.clearCalendarBlock();
    this.applyReconcile(events);
    this.noteInStep();
    return null;
  }

  // ---- takeover (first contact with a calendar that has FOGIS events) ------------------------

  private startTakeover(events: TaggedEvent[]): void {
    // Writes planned before we looked (a manual sync) would duplicate what is there: dropped, never tried.
    for (const j of this.outbox.all()) {
      this.outbox.remove(j.key);
      this.settle(j.key, 'unchanged');
      this.jobsUnsaved = true;
    }
    this.takeover = { events, preview: this.takeoverPlan(events).preview };
    const p = this.takeover.preview;
    this.opts.log.warn('sync', `the calendar already holds ${p.found} FOGIS match event(s); nothing is written until the takeover is confirmed`);
    const params = { calendar: this.calendarLabel(), found: p.found, adopted: p.adopted, updated: p.updated, deleted: p.deleted, past: p.past, otherTag: p.otherTag };
    this.opts.raiseAlert({
      alertType: 'calendar_takeover',
      severity: 'warning',
      message: `The Google calendar "${params.calendar}" already holds ${p.found} events of FOGIS matches (from the Python calendar service or another installation). Nothing has been written. Review what taking it over does and confirm in the dashboard: ${p.adopted} kept as they are, ${p.updated} updated, ${p.deleted} deleted (upcoming matches that are cancelled or no longer listed), ${p.past} of played matches left alone, ${p.otherTag} under another sync tag.`,
      text: { key: 'appAlert.calendarTakeover', params },
      details: { ...params, otherTags: p.otherTags },
    });
    this.changed();
  }

  private takeoverPlan(events: readonly TaggedEvent[]): TakeoverPlan {
    return planTakeover({
      events,
      matches: this.lastList?.matches ?? null,
      options: this.opts.plan,
      calendarId: this.calendarLabel(),
      nowMs: this.nowMs(),
      eventIdFor: (id) => this.backend.eventIdFor(id),
    });
  }

  /** The preview as of now (a new list or the clock may have changed it). */
  getTakeover(): TakeoverPreview | null {
    this.flushPendingList();
    return this.takeover?.preview ?? null;
  }

  /**
   * The coordinator read the preview and confirmed: exactly that plan becomes records and
   * jobs, saved before the first write, so a restart resumes it without duplicates.
   */
  async confirmTakeover(): Promise<SyncReport> {
    this.flushPendingList();
    const zero = { inserted: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0, held: 0 };
    if (!this.takeover) return this.report(zero, [], 'no calendar takeover is waiting for confirmation');
    const plan = this.takeoverPlan(this.takeover.events);
    this.takeover = null;
    this.calendarKnown = true;
    for (const [id, rec] of plan.records) this.records.set(id, rec);
    const now = Date.now();
    for (const j of plan.jobs) this.outbox.put(j, now);
    const p = plan.preview;
    this.opts.log.info('sync', `takeover confirmed: ${p.adopted} adopted, ${p.updated} to update, ${p.retagged} to re-tag, ${p.deleted} to delete, ${p.duplicates} duplicate(s), ${p.inserted} to add, ${p.past} played left alone`);
    this.opts.resolveAlerts?.('calendar_takeover');
    this.jobsUnsaved = true;
    await this.saveNow();
    if (plan.jobs.length === 0) this.noteInStep();
    this.kick();
    this.changed();
    return this.awaitJobs(plan.jobs.map((j) => j.key), null);
  }

  private applyReconcile(events: RemoteEvent[]): void {
    const byMatch = new Map<string, RemoteEvent[]>();
    let untagged = 0;
    for (const e of events) {
      if (!e.matchId) {
        untagged++;
        continue;
      }
      const list = byMatch.get(e.matchId);
      if (list) list.push(e);
      else byMatch.set(e.matchId, [e]);
    }
    if (untagged > 0) this.opts.log.warn('sync', `${untagged} event(s) carry our syncTag but no matchId; left alone`);
    const now = Date.now();
    let duplicates = 0;
    let adopted = 0;
    for (const [matchId, list] of byMatch) {
      const rec = this.records.get(matchId);
      const keep = chooseKeeper(list, rec, this.backend.eventIdFor(matchId));
      for (const e of list) {
        if (e === keep) continue;
        duplicates++;
        this.outbox.put({ ...deleteDraft(matchId, rec?.title ?? e.summary, 'duplicate', null), key: `dup:${e.eventId}`, eventId: e.eventId }, now);
      }
      if (rec) {
        const sameEvent = rec.present && rec.eventId === keep.eventId && rec.calendarHash === keep.calendarHash;
        rec.present = true;
        rec.eventId = keep.eventId;
        rec.endMs = keep.endMs ?? rec.endMs;
        if (!sameEvent) {
          // Someone else (the Python service, another instance) wrote it: compare afresh.
          rec.calendarHash = keep.calendarHash;
          rec.summary = keep.summary;
          rec.renderKey = null;
          rec.sourceKey = null;
        }
      } else {
        adopted++;
        this.records.set(matchId, {
          matchId,
          present: true,
          eventId: keep.eventId,
          calendarHash: keep.calendarHash,
          renderKey: null,
          sourceKey: null,
          summary: keep.summary,
          snapshot: null,
          lastChange: null,
          title: keep.summary,
          updatedAt: new Date(now).toISOString(),
          endMs: keep.endMs,
        });
      }
    }
    const clock = this.nowMs();
    for (const rec of this.records.values()) {
      // The listing covers only events that have not ended (timeMin): history it cannot see is not gone.
      // A queued rewrite (a re-tag after a takeover) still knows its event by id.
      if (rec.present && !byMatch.has(rec.matchId) && !hasEnded(rec.endMs, clock) && this.outbox.get(rec.matchId)?.kind !== 'upsert') {
        // Gone from the calendar (deleted by hand or by another writer): recreate on the next plan.
        rec.present = false;
        rec.renderKey = null;
        rec.sourceKey = null;
      }
    }
    this.opts.log.info('sync', `reconciled ${events.length} event(s): ${adopted} adopted, ${duplicates} duplicate(s) to remove`);
    this.jobsUnsaved = duplicates > 0 || this.jobsUnsaved;
    if (this.lastList) {
      const res = this.planFor(this.lastList.matches, true, false);
      this.applyPlan(res, true);
    } else {
      this.scheduleSave();
      this.changed();
    }
  }

  // ---- persistence ----------------------------------------------------------------------

  private serialize(): EngineStateFile {
    return {
      version: 1,
      records: [...this.records.values()],
      outbox: this.outbox.all(),
      held: this.held,
      failures: Object.fromEntries(this.failures),
      counters: { ...this.counters },
      lastSyncAt: this.lastSyncAt,
      calendarKnown: this.calendarKnown,
    };
  }

  private scheduleSave(): void {
    if (this.saveTimer || this.stopped) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      contained(this.reportFault, 'timer', () => void this.saveNow(), undefined);
    }, this.opts.saveDelayMs ?? 250);
    this.saveTimer.unref?.();
  }

  private saveNow(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = null;
    }
    const data = JSON.stringify(this.serialize());
    this.jobsUnsaved = false;
    const file = this.stateFile;
    this.saving = this.saving.then(() =>
      writeFileAtomic(file, data).then(
        () => {
          if (this.storageError) {
            this.storageError = null;
            this.changed();
          }
        },
        (err: unknown) => {
          this.jobsUnsaved = true;
          this.storageError = `cannot save calendar state: ${errorText(err)}`;
          this.opts.log.error('sync', this.storageError);
          this.changed();
        },
      ),
    );
    return this.saving;
  }

  private saveLastList(): void {
    const list = this.lastList;
    if (!list) return;
    const data = JSON.stringify({ version: 1, ...list });
    const file = path.join(this.opts.dataDir, LAST_LIST_FILE);
    this.savingList = this.savingList.then(() =>
      writeFileAtomic(file, data).catch((err: unknown) => this.opts.log.warn('sync', `cannot save the last match list: ${errorText(err)}`)),
    );
  }

  private changed(): void {
    this.cachedState = null;
    if (this.notifyTimer || this.listeners.size === 0) return;
    // Coalesced: a burst of 1000 writes must not become 1000 snapshots on the wire.
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = null;
      for (const l of this.listeners) {
        try {
          l();
        } catch (err) {
          safeReport(this.reportFault, 'listener', err);
        }
      }
    }, 50);
    this.notifyTimer.unref?.();
  }
}

function deleteDraft(matchId: string, title: string, reason: JobDraft['reason'], sourceKey: string | null): JobDraft {
  return { key: matchId, matchId, kind: 'delete', reason, body: null, cancelled: false, renderKey: null, sourceKey, snapshot: null, lastChange: null, title, eventId: null };
}

/** Which of several events for one match survives: ours first, then the known one, then the oldest. */
function chooseKeeper(list: RemoteEvent[], rec: MatchRecord | undefined, ownId: string): RemoteEvent {
  const known = rec?.eventId ? list.find((e) => e.eventId === rec.eventId) : undefined;
  if (known) return known;
  const own = list.find((e) => e.eventId === ownId);
  if (own) return own;
  return [...list].sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '') || a.eventId.localeCompare(b.eventId))[0]!;
}

function endOf(dateTime: string): number | null {
  const ms = Date.parse(dateTime);
  return Number.isNaN(ms) ? null : ms;
}

function toSyncError(err: unknown): SyncError {
  if (err instanceof SyncError) return err;
  return new SyncError(errorText(err), 'retryable');
}

export { matchIdOf };
