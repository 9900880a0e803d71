import type { FogisMatch } from '../../../shared/messages';
import type { CalendarState, TakeoverPreview } from '../../../shared/state';
import type { SyncReport } from '../../../shared/api';
import { safeReport, type FaultReporter } from '../containment';
import { errorText, type Logger } from '../log';
import { DEFAULT_RETRY, type RetryPolicy } from '../retry';
import type { CalendarBackend } from './backend';
import type { AppAlertInput, MatchListInput } from './calendar-sink';
import { EnginePersistence } from './engine-persistence';
import { matchIdOf } from './event-builder';
import { OutboxWorker } from './outbox-worker';
import { ListPlanner } from './list-planner';
import type { PlanStats } from './plan';
import { Reconciler } from './reconcile';
import { releaseHeld } from './apply-plan';
import { projectState } from './sync-state';
import { SyncStore } from './sync-store';
import { NO_COUNTS, SyncWaiters } from './sync-waiters';
import type { PlanOptions } from './types';
import { WriteGate } from './write-gate';
import { syncFailure } from './sync-failure';
import { failure } from '../../../shared/text-ref';

export { LAST_LIST_FILE } from './engine-persistence';

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
  /** Told after every plan how many matches it looked at (tests, the benchmark). */
  onPlan?(stats: PlanStats): void;
}

/** After the worker itself failed (a bug, not a calendar error), wait this long before the next turn. */
export const WORKER_FAULT_PAUSE_MS = 5_000;

/**
 * The calendar sync of one backend, coordinated: lists are planned (plan.ts) into the outbox
 * (apply-plan.ts), the worker loop drains it (outbox-worker.ts) after reconciling (reconcile.ts)
 * when nothing holds writes back (write-gate.ts). Reception never waits: onMatchList returns
 * at once; planning runs on the next turn, writing in the background (DESIGN rule 3).
 */
export class SyncEngine {
  private readonly store = new SyncStore();
  private readonly retry: RetryPolicy;
  private readonly persistence: EnginePersistence;
  private readonly waiters: SyncWaiters;
  private readonly gate: WriteGate;
  private readonly worker: OutboxWorker;
  private readonly reconciler: Reconciler;
  private readonly planner: ListPlanner;
  private listeners = new Set<() => void>();
  private started = false;
  private stopped = false;
  private working: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private notifyTimer: NodeJS.Timeout | null = null;
  private exclusiveTail: Promise<unknown> = Promise.resolve();
  private cachedState: CalendarState | null = null;
  constructor(private readonly opts: EngineOptions) {
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    const { log } = opts;
    const changed = (): void => this.changed();
    const calendarLabel = opts.calendarLabel ?? 'primary';
    this.persistence = new EnginePersistence({ dataDir: opts.dataDir, kind: opts.backend.kind, store: this.store, log, reportFault: this.reportFault, changed, ...(opts.saveDelayMs !== undefined ? { saveDelayMs: opts.saveDelayMs } : {}) });
    this.waiters = new SyncWaiters(() => this.backend.blockedReason(), opts.syncWaitMs);
    const alerts = { raiseAlert: (a: AppAlertInput) => opts.raiseAlert(a), ...(opts.resolveAlerts ? { resolveAlerts: (t: string) => opts.resolveAlerts?.(t) } : {}) };
    const random = opts.random ? { random: opts.random } : {};
    this.gate = new WriteGate({ log, retry: this.retry, ...random, ...alerts, calendarLabel, changed });
    const shared = { store: this.store, backend: opts.backend, gate: this.gate, persistence: this.persistence, waiters: this.waiters, log, retry: this.retry, ...random, ...alerts, changed };
    this.worker = new OutboxWorker({
      ...shared,
      stopped: () => this.stopped,
      committed: (job) => this.planner.committed(job),
      failed: (job) => this.planner.forget(job.matchId),
    });
    this.reconciler = new Reconciler({
      ...shared,
      calendarLabel,
      plan: () => this.opts.plan,
      nowMs: () => this.nowMs(),
      recordsChanged: () => this.planner.forgetAll(),
      replanLastList: () => this.planner.replanLastList(),
      noteInStep: () => this.noteInStep(),
      kick: () => this.kick(),
    });
    this.planner = new ListPlanner({
      ...shared,
      reportFault: this.reportFault,
      plan: () => this.opts.plan,
      nowMs: () => this.nowMs(),
      takeoverWaiting: () => this.reconciler.takeoverWaiting,
      listDuringTakeover: () => {
        this.reconciler.refreshPreview();
        this.changed();
      },
      stopped: () => this.stopped,
      planned: () => {
        this.kick();
        this.changed();
      },
      noteInStep: () => this.noteInStep(),
      ...(opts.onPlan ? { onPlan: opts.onPlan } : {}),
    });
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

  async start(): Promise<void> {
    await this.persistence.load();
    await this.backend.start();
    this.reconciler.needed = typeof this.backend.listOwnEvents === 'function';
    this.started = true;
    this.kick();
    this.changed();
  }

  async stop(): Promise<void> {
    this.planner.flush();
    this.stopped = true;
    this.persistence.stop();
    for (const t of [this.timer, this.notifyTimer]) if (t) clearTimeout(t);
    this.timer = this.notifyTimer = null;
    if (this.working) await Promise.race([this.working, new Promise((r) => setTimeout(r, 1_500).unref())]);
    if (this.started) await this.persistence.saveNow();
    await this.persistence.flushLists();
    await this.backend.stop().catch((err: unknown) => this.opts.log.warn('sync', `calendar backend stop: ${errorText(err)}`));
    this.waiters.failAll();
  }

  onStateChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setPlanOptions(plan: PlanOptions): void {
    this.opts.plan = plan;
    // Duration, zone or keepCancelled can change every event although no match changed.
    this.planner.forgetAll();
    this.planner.replanLastList();
  }

  /** The backend's sign-in state changed: resume writing, reconcile first. */
  backendChanged(): void {
    if (!this.backend.blockedReason()) {
      this.gate.signedIn();
      if (typeof this.backend.listOwnEvents === 'function') this.reconciler.needed = true;
      this.kick();
    }
    this.changed();
  }

  onMatchList(input: MatchListInput): void {
    this.planner.onMatchList(input);
  }

  async sync(matches: FogisMatch[] | null): Promise<SyncReport> {
    this.planner.flush();
    if (this.reconciler.takeoverWaiting) {
      return this.waiters.report({ ...NO_COUNTS }, [], syncFailure('the calendar takeover waits for your confirmation; nothing is written before it', failure('takeoverWaiting')));
    }
    if (matches === null) {
      if (typeof this.backend.listOwnEvents === 'function' && !this.backend.blockedReason()) {
        const err = await this.exclusive(() => this.reconciler.reconcile());
        if (err) return this.waiters.report({ ...NO_COUNTS }, [], syncFailure(`reconcile failed: ${err}`, failure('reconcileFailed', { detail: err })));
      }
      if (!this.store.lastList) return this.waiters.report({ ...NO_COUNTS }, [], undefined, 'no match list received yet');
    }
    const list = matches ?? this.store.lastList?.matches ?? [];
    // Sync now compares every match (no change model): it is the full re-check.
    const res = this.planner.recheck(list, matches === null);
    // "Sync now" on a calendar already in step still moves "Last updated" (issue 14.9).
    this.noteInStep();
    // Also wait for writes already queued for these matches (e.g. by the reconcile just run).
    const keys = new Set(res.enqueue.map((j) => j.key));
    const wanted = matches === null ? null : new Set(list.map(matchIdOf));
    for (const j of this.store.outbox.all()) if (!wanted || wanted.has(j.matchId)) keys.add(j.key);
    return this.waiters.awaitJobs([...keys], res, this.store.held.length);
  }

  async confirmDeletions(): Promise<SyncReport> {
    this.planner.flush();
    const keys = releaseHeld({ ...this.opts, store: this.store, nowMs: () => this.nowMs() });
    for (const key of keys) this.planner.forget(key);
    this.opts.log.info('sync', `deletions confirmed: ${keys.length} queued`);
    this.persistence.jobsUnsaved = true;
    this.persistence.scheduleSave();
    this.kick();
    this.changed();
    return this.waiters.awaitJobs(keys, null, this.store.held.length);
  }

  /** The preview as of now (a new list or the clock may have changed it). */
  getTakeover(): TakeoverPreview | null {
    this.planner.flush();
    return this.reconciler.preview();
  }

  async confirmTakeover(): Promise<SyncReport> {
    this.planner.flush();
    return this.reconciler.confirmTakeover();
  }

  getState(): CalendarState {
    // Reading the state plans what is waiting, so what is reported is never behind.
    this.planner.flush();
    this.cachedState ??= projectState({
      store: this.store,
      kind: this.backend.kind,
      info: this.backend.info(),
      blocked: this.backend.blockedReason() ?? this.gate.blockText(),
      takeover: this.reconciler.preview(),
      storageError: this.persistence.storageError,
    });
    return this.cachedState;
  }

  /** Resolves once the outbox is empty (or `timeoutMs` passed); for tests and shutdown. */
  async drain(timeoutMs = 10_000): Promise<boolean> {
    this.planner.flush();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.store.outbox.size === 0 && !this.working) return true;
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.store.outbox.size === 0;
  }

  countApiCall(): void {
    this.store.counters.api_calls++;
    this.changed();
  }

  /** The calendar already shows the list (nothing queued, nothing in the way): that is a sync too. */
  private noteInStep(): void {
    if (this.store.outbox.size > 0 || this.reconciler.needed || this.gate.calendarBlock || this.backend.blockedReason() || !this.store.lastList) return;
    this.store.lastSyncAt = new Date().toISOString();
    this.changed();
  }

  // ---- worker loop ----------------------------------------------------------------------

  private kick(): void {
    if (!this.started || this.stopped || this.working) return;
    this.working = this.work()
      .catch((err: unknown) => {
        // Not a calendar error (those are classified per job): a bug. Report it and pause, so a
        // worker that fails at once on every turn cannot spin.
        this.gate.faultPauseUntil = Date.now() + (this.opts.faultPauseMs ?? WORKER_FAULT_PAUSE_MS);
        safeReport(this.reportFault, 'sync', err);
      })
      .finally(() => {
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
    let next = this.store.outbox.nextDueAt();
    if (this.reconciler.needed) next = next === null ? this.reconciler.at : Math.min(next, this.reconciler.at);
    if (next === null) return;
    next = Math.max(next, this.gate.openAt());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, Math.max(0, next - Date.now()));
    this.timer.unref?.();
  }

  /** While sign-in is needed, look (with backoff) for what heals it without the user (a newer token.json). */
  private armAuthRecheck(): void {
    if (!this.backend.recheck) return;
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
    }, this.gate.nextAuthCheckDelay());
    this.timer.unref?.();
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.exclusiveTail.then(fn, fn);
    this.exclusiveTail = run.catch(() => undefined);
    return run;
  }

  private async work(): Promise<void> {
    while (!this.stopped && !this.backend.blockedReason() && !this.reconciler.takeoverWaiting) {
      if (this.gate.closed(Date.now())) return;
      if (this.reconciler.needed) {
        if (Date.now() < this.reconciler.at) return;
        await this.exclusive(() => this.reconciler.reconcile());
        continue;
      }
      const ready = this.store.outbox.ready(Date.now(), this.backend.batchSize);
      if (ready.length === 0) return;
      const blocked = await this.exclusive(() => this.worker.runBatch(ready));
      if (blocked) return;
    }
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
