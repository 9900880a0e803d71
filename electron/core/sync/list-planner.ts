import type { FogisMatch } from '../../../shared/messages';
import type { MatchChange } from '../../../shared/state';
import { contained, type FaultReporter } from '../containment';
import { applyPlan } from './apply-plan';
import { hasEnded } from './change-window';
import type { ListBasis, MatchListInput } from './calendar-sink';
import { MatchHashes, optionsKey, planSync, type PlanResult, type PlanStats, type StepVerdicts } from './plan';
import type { SyncParts } from './sync-parts';
import type { OutboxJob, PlanOptions } from './types';

export interface ListPlannerOptions extends SyncParts {
  reportFault: FaultReporter;
  plan(): PlanOptions;
  /** A takeover waits for confirmation: lists are kept, nothing is planned. */
  takeoverWaiting(): boolean;
  /** A list arrived while the takeover waits: its preview follows the list. */
  listDuringTakeover(): void;
  stopped(): boolean;
  /** After a plan was applied: the worker starts, the state is told. */
  planned(): void;
  /** A list was planned: if nothing is queued, the calendar is in step with it. */
  noteInStep(): void;
  /** Told after every plan how many matches it looked at. */
  onPlan?(stats: PlanStats): void;
}

/**
 * Matches hashed per turn of the event loop before a list is planned (~0.15 ms each for both
 * hashes): a first sight of 1000 matches, or a list where every match changed, cost one turn
 * of ~200 ms on the main thread when they were hashed inside the plan (issue 12: ≤ 5 ms).
 */
const HASH_SLICE = 25;
/**
 * A slice also ends after this much time: on a busy machine a match took 0.3-0.8 ms to hash,
 * and 25 of them, with the plan in the same turn, held the drain's turns at 10-35 ms.
 */
const HASH_TURN_MS = 2;
/**
 * Lists arriving faster than they are planned (a burst, a backlog after an outage): each one
 * supersedes the last, so hashing a list that the next one replaces is wasted main-thread time
 * taken from reception (issue 12: with every match changed, most of it). Once a list has been
 * replaced while waiting, the work waits for this much quiet after the latest arrival...
 */
const BURST_QUIET_MS = 100;
/** ...but never longer than this after the first list of the burst: the calendar keeps up. */
const BURST_MAX_DEFER_MS = 2000;

/** A full list waiting to be planned, with the change model of every list it stands for. */
interface PendingList {
  input: MatchListInput;
  basis: ListBasis | null | undefined;
  changed: Set<string> | null;
  /**
   * The guard's verdicts on the deletions of the lists after the first, judged as each list
   * arrived (null: a list without a change model came, the plan judges the net change alone).
   */
  verdicts: { accepted: Set<string>; rejected: Set<string> } | null;
}

/**
 * From match lists to outbox jobs, in one change pass: the monitor's change model
 * (monitor/match-diff.ts) says which matches differ from the last list; a match it does not
 * name and whose record is settled is not looked at again. Everything else (the first list
 * after a start, a reconcile, new options, Sync now, a list without a change model) is
 * compared in full, which is always correct, only slower.
 */
export class ListPlanner {
  private pendingList: PendingList | null = null;
  /**
   * Matches whose record shows their version in the last list with nothing left to do.
   * In memory only: after a start, the first list is compared in full.
   */
  private readonly settled = new Set<string>();
  /** The write the last full list planned for each match (its commit settles the match). */
  private readonly listWrites = new Map<string, string>();
  private readonly hashes = new MatchHashes();
  /** Where hashing the waiting list ahead got to. */
  private hashCursor = 0;
  /** The waiting list replaced another (a burst): when the latest came, when the first did. */
  private burst: { lastMs: number; sinceMs: number } | null = null;
  private burstTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: ListPlannerOptions) {}

  /**
   * A full list is planned on the next turn of the event loop, and only the newest one
   * waiting: each full list supersedes the one before (spec §2.2), so a burst of lists costs
   * one plan, and the Redis reader (and its PING) never waits behind a plan. The change
   * models of the lists it supersedes are merged, so the plan still knows every change.
   */
  onMatchList(input: MatchListInput): void {
    const changed = changeSet(input);
    const waiting = this.pendingList;
    if (waiting) {
      // Hashed ahead from the start again: the new list's matches are looked up (mostly the same objects).
      this.hashCursor = 0;
      const merged = waiting.changed && changed ? new Set([...waiting.changed, ...changed]) : null;
      const verdicts = waiting.verdicts && changed ? this.judgeStep(waiting.verdicts, waiting.input, input) : null;
      this.pendingList = { input, basis: waiting.basis, changed: merged, verdicts };
      const now = performance.now();
      this.burst = { lastMs: now, sinceMs: this.burst?.sinceMs ?? now };
      return;
    }
    this.pendingList = { input, basis: input.basis, changed, verdicts: { accepted: new Set(), rejected: new Set() } };
    this.hashCursor = 0;
    this.burst = null;
    this.nextSlice();
  }

  private nextSlice(): void {
    setImmediate(() => contained(this.opts.reportFault, 'sync', () => this.hashAhead(), undefined));
  }

  /** In a burst, until it pauses (or has lasted too long): arms the wake-up and says true. */
  private waitForQuiet(): boolean {
    const b = this.burst;
    if (!b) return false;
    const now = performance.now();
    if (now - b.sinceMs >= BURST_MAX_DEFER_MS) return false;
    const wait = Math.min(b.lastMs + BURST_QUIET_MS, b.sinceMs + BURST_MAX_DEFER_MS) - now;
    if (wait <= 0) return false;
    if (!this.burstTimer) {
      this.burstTimer = setTimeout(() => {
        this.burstTimer = null;
        contained(this.opts.reportFault, 'sync', () => this.hashAhead(), undefined);
      }, Math.ceil(wait));
      this.burstTimer.unref?.();
    }
    return true;
  }

  /**
   * The mass-deletion guard for one list that arrived while another waited, judged against
   * that one (its change model is derived against it), as if each had been planned alone: a
   * burst of ordinary one-at-a-time removals is not held back as one mass deletion, and a
   * list that alone deletes too much is still left to the plan's guard, which holds it back.
   */
  private judgeStep(verdicts: { accepted: Set<string>; rejected: Set<string> }, prev: MatchListInput, next: MatchListInput): typeof verdicts {
    const { store } = this.opts;
    const { accepted, rejected } = verdicts;
    const nowMs = this.opts.nowMs();
    const step: string[] = [];
    for (const c of next.changes) {
      if (c.kind === 'new' || c.kind === 'uncancelled') {
        accepted.delete(c.matchId);
        rejected.delete(c.matchId);
      }
      if (!deletes(c)) continue;
      // §5.5: a played match keeps its event, its removal deletes nothing.
      if (hasEnded(store.records.get(c.matchId)?.endMs, nowMs)) continue;
      step.push(c.matchId);
    }
    if (step.length === 0) return verdicts;
    const { maxDeleteFraction } = this.opts.plan();
    const base = Math.max(prev.matches.length, next.matches.length);
    // §7 #82 as in plan.ts: an empty list, or one deleting more than the share, is held back.
    const ordinary = next.matches.length > 0 && step.length <= maxDeleteFraction * base;
    for (const id of step) {
      (ordinary ? rejected : accepted).delete(id);
      (ordinary ? accepted : rejected).add(id);
    }
    return verdicts;
  }

  /**
   * Takes the waiting list's hashes a slice per turn, then plans it. A list that arrives
   * meanwhile replaces the waiting one (onMatchList) and is gone through from its start; a
   * match already hashed (the same object in an earlier list) costs a lookup.
   */
  private hashAhead(): void {
    const waiting = this.pendingList;
    if (!waiting || this.opts.stopped()) {
      this.flush();
      return;
    }
    const options = this.opts.plan();
    const okey = optionsKey(options);
    const matches = waiting.input.matches;
    const until = performance.now() + HASH_TURN_MS;
    let hashed = 0;
    while (this.hashCursor < matches.length && hashed < HASH_SLICE) {
      const m = matches[this.hashCursor]!;
      if (this.hashes.has(okey, m)) {
        this.hashCursor++;
        continue;
      }
      // Only hashing waits for a burst to pause: a list with nothing new to hash (the same
      // matches again) is planned as it comes, which is cheap, as before.
      if (hashed === 0 && this.waitForQuiet()) return;
      this.hashCursor++;
      this.hashes.calendarHash(m);
      this.hashes.sourceKey(okey, m);
      // What deciding a changed match needs besides its hashes, taken here rather than in the plan's turn.
      this.hashes.descriptionBase(m);
      this.hashes.snapshot(m, options.timeZone);
      hashed++;
      if (performance.now() >= until) break;
    }
    // A turn that hashed plans on the next one: the hashes of a list's changed matches and its
    // plan together were one of the drain's longest turns.
    if (this.hashCursor < matches.length || hashed > 0) {
      this.nextSlice();
      return;
    }
    this.flush();
  }

  /** Plans the waiting full list now (before a manual sync, a confirmation, a stop). */
  flush(): void {
    const waiting = this.pendingList;
    if (!waiting) return;
    this.pendingList = null;
    this.burst = null;
    if (this.burstTimer) clearTimeout(this.burstTimer);
    this.burstTimer = null;
    if (this.opts.stopped()) return;
    this.planInput(waiting);
  }

  private planInput({ input, basis, changed, verdicts }: PendingList): void {
    const { store, persistence } = this.opts;
    const last = store.lastList;
    // The change model holds only against the list the records were planned from.
    const sameBasis = !!basis && !!last && basis.messageId === last.messageId && basis.receivedAt === last.receivedAt;
    store.lastList = { matches: input.matches, receivedAt: input.receivedAt, messageId: input.messageId };
    if (this.opts.takeoverWaiting()) {
      // Nothing is planned into a calendar not yet taken over.
      this.settled.clear();
      persistence.saveLastList();
      this.opts.listDuringTakeover();
      return;
    }
    const res = this.planFor(input.matches, true, false, input.receivedAt, sameBasis ? changed : null, verdicts);
    const changedAnything = res.enqueue.length + res.touch.length + res.cancelPending.length + res.held.length > 0;
    this.apply(res, true);
    this.opts.noteInStep();
    if (changedAnything || store.lastSyncAt === null) persistence.saveLastList();
  }

  /** The last list again, in full (records rebuilt by a reconcile, new options). */
  replanLastList(): void {
    const list = this.opts.store.lastList;
    if (list) this.apply(this.planFor(list.matches, true, false), true);
  }

  /** Sync now and `/manual-sync`: every given match compared, failed ones retried. */
  recheck(matches: readonly FogisMatch[], full: boolean): PlanResult {
    const res = this.planFor(matches, full, true);
    this.apply(res, full);
    return res;
  }

  /** Records changed outside a plan (reconcile, takeover, new options): nothing is settled any more, no queued write is trusted. */
  forgetAll(): void {
    this.settled.clear();
    this.listWrites.clear();
  }

  forget(matchId: string): void {
    this.settled.delete(matchId);
    this.listWrites.delete(matchId);
  }

  /** A write reached the calendar: if it was the last list's version, the match is settled. */
  committed(job: OutboxJob): void {
    if (this.listWrites.get(job.matchId) === writeId(job)) this.settled.add(job.matchId);
  }

  private planFor(matches: readonly FogisMatch[], full: boolean, retryFailed: boolean, at?: string, changed: ReadonlySet<string> | null = null, stepVerdicts: StepVerdicts | null = null): PlanResult {
    const { store } = this.opts;
    const failedSources = new Map<string, string>();
    for (const [id, f] of store.failures) if (f.sourceKey) failedSources.set(id, f.sourceKey);
    const res = planSync({
      matches,
      full,
      records: store.records,
      pending: store.outbox.view(),
      failedSources,
      retryFailed,
      options: this.opts.plan(),
      now: at ?? new Date().toISOString(),
      nowMs: this.opts.nowMs(),
      changed,
      settled: this.settled,
      queuedFromList: (job) => this.listWrites.get(job.matchId) === writeId(job),
      hashes: this.hashes,
      stepVerdicts: stepVerdicts ?? undefined,
    });
    this.opts.onPlan?.({ listed: matches.length, decided: res.decided.length, changeModel: changed !== null });
    return res;
  }

  private apply(res: PlanResult, full: boolean): void {
    // Only a full list's own decisions settle a match (a manual list may hold another version).
    for (const mid of res.decided) {
      this.settled.delete(mid);
      if (full) this.listWrites.delete(mid);
    }
    if (full) {
      for (const mid of res.inStep) this.settled.add(mid);
      for (const draft of res.enqueue) if (draft.key === draft.matchId) this.listWrites.set(draft.matchId, writeId(draft));
    }
    if (applyPlan(this.opts, res, full)) this.opts.persistence.scheduleSave();
    this.opts.planned();
  }
}

/** Which write this is: the kind and everything it writes (the render key is unique to the decision). */
function writeId(job: Pick<OutboxJob, 'kind' | 'renderKey' | 'sourceKey'>): string {
  return `${job.kind}\u0000${job.renderKey ?? ''}\u0000${job.sourceKey ?? ''}`;
}

/** The matches a list's change model says changed, or null when it has none to trust. */
function changeSet(input: MatchListInput): Set<string> | null {
  if (input.basis === undefined || !input.quiet) return null;
  const ids = new Set<string>(input.quiet);
  for (const c of input.changes) ids.add(c.matchId);
  return ids;
}

/** A change that deletes the match's event when the calendar follows the list. */
function deletes(c: MatchChange): boolean {
  return c.kind === 'removed' || c.kind === 'cancelled' || c.fields.some((f) => f.field === 'installd' && f.new === true);
}
