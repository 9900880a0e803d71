import type { TakeoverPreview } from '../../../shared/state';
import type { SyncReport } from '../../../shared/api';
import { backoffDelay, type RetryPolicy } from '../retry';
import type { RemoteEvent, TaggedEvent } from './backend';
import { hasEnded } from './change-window';
import type { JobDraft } from './plan';
import { NO_COUNTS } from './sync-waiters';
import type { SyncParts } from './sync-parts';
import { planTakeover, type TakeoverPlan } from './takeover';
import type { MatchRecord, PlanOptions } from './types';
import { toSyncError, type WriteGate } from './write-gate';
import { syncFailure } from './sync-failure';
import { failure } from '../../../shared/text-ref';

export interface ReconcilerOptions extends SyncParts {
  gate: WriteGate;
  retry: RetryPolicy;
  random?: () => number;
  calendarLabel: string;
  plan(): PlanOptions;
  /** Records changed outside a plan: the change model's shortcut no longer holds. */
  recordsChanged(): void;
  /** Plan the last list against the records just rebuilt. */
  replanLastList(): void;
  noteInStep(): void;
  changed(): void;
  kick(): void;
}

/**
 * The calendar as it is (Google): reconcile lists our events and rebuilds matchId → event
 * (adopting what another writer made, removing duplicates, noticing deletions by hand); the
 * first contact with a calendar that already holds FOGIS events waits for a confirmed
 * takeover (takeover.ts, DESIGN rule 10).
 */
export class Reconciler {
  needed = false;
  at = 0;
  private attempts = 0;
  private takeover: { events: TaggedEvent[]; preview: TakeoverPreview } | null = null;

  constructor(private readonly opts: ReconcilerOptions) {}

  get takeoverWaiting(): boolean {
    return this.takeover !== null;
  }

  preview(): TakeoverPreview | null {
    return this.takeover?.preview ?? null;
  }

  /** A new list while the takeover waits: the preview follows it. */
  refreshPreview(): void {
    if (this.takeover) this.takeover.preview = this.takeoverPlan(this.takeover.events).preview;
  }

  /** Lists every event with our syncTag and rebuilds matchId → event; returns an error text or null. */
  async reconcile(): Promise<string | null> {
    const { backend, store, gate, retry, log } = this.opts;
    const list = backend.listOwnEvents;
    if (!list) return null;
    let events: RemoteEvent[];
    try {
      if (!store.calendarKnown && backend.listTaggedEvents) {
        // First contact (takeover.ts): any FOGIS match events here, under any tag, past ones too?
        const all = await backend.listTaggedEvents();
        if (all.length > 0) {
          this.needed = false;
          this.attempts = 0;
          gate.clearCalendarBlock();
          this.startTakeover(all);
          return null;
        }
        store.calendarKnown = true;
        this.opts.persistence.jobsUnsaved = true;
      }
      events = await list.call(backend);
    } catch (err) {
      const e = toSyncError(err);
      if (e.kind === 'auth') {
        this.at = Date.now() + retry.baseDelayMs;
        gate.noteAuthNeeded(e);
        return e.message;
      }
      if (e.kind === 'calendar') {
        gate.noteCalendarBlocked(e);
        this.at = gate.blockCheckAt;
        return e.message;
      }
      if (e.retryAfterMs !== null) gate.pauseFor(e.retryAfterMs);
      this.attempts++;
      this.at = Date.now() + backoffDelay(this.attempts, retry, this.opts.random);
      // A calendar we have not yet looked into is never written blind (a takeover may be due).
      if (this.attempts >= retry.maxAttempts && store.calendarKnown) {
        log.warn('sync', `reconcile keeps failing (${e.message}); writing without it, ids stay deterministic`);
        this.needed = false;
      } else {
        log.warn('sync', `reconcile failed (${e.message}); retry ${this.attempts}`);
      }
      return e.message;
    }
    this.needed = false;
    this.attempts = 0;
    gate.clearCalendarBlock();
    this.applyReconcile(events);
    this.opts.noteInStep();
    return null;
  }

  private startTakeover(events: TaggedEvent[]): void {
    const { store } = this.opts;
    // Writes planned before we looked (a manual sync) would duplicate what is there: dropped, never tried.
    for (const j of store.outbox.all()) {
      store.outbox.remove(j.key);
      this.opts.waiters.settle(j.key, 'unchanged');
      this.opts.persistence.jobsUnsaved = true;
    }
    this.opts.recordsChanged();
    this.takeover = { events, preview: this.takeoverPlan(events).preview };
    const p = this.takeover.preview;
    this.opts.log.warn('sync', `the calendar already holds ${p.found} FOGIS match event(s); nothing is written until the takeover is confirmed`);
    const params = { calendar: this.opts.calendarLabel, found: p.found, adopted: p.adopted, updated: p.updated, deleted: p.deleted, past: p.past, otherTag: p.otherTag };
    this.opts.raiseAlert({
      alertType: 'calendar_takeover',
      severity: 'warning',
      message: `The Google calendar "${params.calendar}" already holds ${p.found} events of FOGIS matches (from the Python calendar service or another installation). Nothing has been written. Review what taking it over does and confirm in the dashboard: ${p.adopted} kept as they are, ${p.updated} updated, ${p.deleted} deleted (upcoming matches that are cancelled or no longer listed), ${p.past} of played matches left alone, ${p.otherTag} under another sync tag.`,
      text: { key: 'appAlert.calendarTakeover', params },
      details: { ...params, otherTags: p.otherTags },
    });
    this.opts.changed();
  }

  private takeoverPlan(events: readonly TaggedEvent[]): TakeoverPlan {
    return planTakeover({
      events,
      matches: this.opts.store.lastList?.matches ?? null,
      options: this.opts.plan(),
      calendarId: this.opts.calendarLabel,
      nowMs: this.opts.nowMs(),
      eventIdFor: (id) => this.opts.backend.eventIdFor(id),
    });
  }

  /**
   * The coordinator read the preview and confirmed: exactly that plan becomes records and
   * jobs, saved before the first write, so a restart resumes it without duplicates.
   */
  async confirmTakeover(): Promise<SyncReport> {
    const { store, persistence, waiters } = this.opts;
    if (!this.takeover) return waiters.report({ ...NO_COUNTS }, [], syncFailure('no calendar takeover is waiting for confirmation', failure('noTakeover')));
    const plan = this.takeoverPlan(this.takeover.events);
    this.takeover = null;
    store.calendarKnown = true;
    for (const [id, rec] of plan.records) store.records.set(id, rec);
    this.opts.recordsChanged();
    const now = Date.now();
    for (const j of plan.jobs) store.outbox.put(j, now);
    const p = plan.preview;
    this.opts.log.info('sync', `takeover confirmed: ${p.adopted} adopted, ${p.updated} to update, ${p.retagged} to re-tag, ${p.deleted} to delete, ${p.duplicates} duplicate(s), ${p.inserted} to add, ${p.past} played left alone`);
    this.opts.resolveAlerts?.('calendar_takeover');
    persistence.jobsUnsaved = true;
    await persistence.saveNow();
    if (plan.jobs.length === 0) this.opts.noteInStep();
    this.opts.kick();
    this.opts.changed();
    return waiters.awaitJobs(plan.jobs.map((j) => j.key), null, store.held.length);
  }

  private applyReconcile(events: RemoteEvent[]): void {
    const { store, backend, log } = this.opts;
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
    if (untagged > 0) log.warn('sync', `${untagged} event(s) carry our syncTag but no matchId; left alone`);
    const now = Date.now();
    let duplicates = 0;
    let adopted = 0;
    for (const [matchId, list] of byMatch) {
      const rec = store.records.get(matchId);
      const keep = chooseKeeper(list, rec, backend.eventIdFor(matchId));
      for (const e of list) {
        if (e === keep) continue;
        duplicates++;
        store.outbox.put({ ...deleteDraft(matchId, rec?.title ?? e.summary, 'duplicate', null), key: `dup:${e.eventId}`, eventId: e.eventId }, now);
      }
      if (rec) {
        const sameEvent = rec.present && rec.eventId === keep.eventId && rec.calendarHash === keep.calendarHash;
        // Someone else (the Python service, another instance) wrote it: compare afresh.
        const afresh = sameEvent ? {} : { calendarHash: keep.calendarHash, summary: keep.summary, renderKey: null, sourceKey: null };
        store.records.set(matchId, { ...rec, present: true, eventId: keep.eventId, endMs: keep.endMs ?? rec.endMs, ...afresh });
      } else {
        adopted++;
        store.records.set(matchId, {
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
    const clock = this.opts.nowMs();
    for (const rec of store.records.values()) {
      // The listing covers only events that have not ended (timeMin): history it cannot see is not gone.
      // A queued rewrite (a re-tag after a takeover) still knows its event by id.
      if (rec.present && !byMatch.has(rec.matchId) && !hasEnded(rec.endMs, clock) && store.outbox.get(rec.matchId)?.kind !== 'upsert') {
        // Gone from the calendar (deleted by hand or by another writer): recreate on the next plan.
        store.records.set(rec.matchId, { ...rec, present: false, renderKey: null, sourceKey: null });
      }
    }
    this.opts.recordsChanged();
    log.info('sync', `reconciled ${events.length} event(s): ${adopted} adopted, ${duplicates} duplicate(s) to remove`);
    this.opts.persistence.jobsUnsaved = duplicates > 0 || this.opts.persistence.jobsUnsaved;
    if (store.lastList) {
      this.opts.replanLastList();
    } else {
      this.opts.persistence.scheduleSave();
      this.opts.changed();
    }
  }
}

export function deleteDraft(matchId: string, title: string, reason: JobDraft['reason'], sourceKey: string | null): JobDraft {
  return { key: matchId, matchId, kind: 'delete', reason, event: null, renderKey: null, sourceKey, snapshot: null, lastChange: null, title, eventId: null };
}

/** Which of several events for one match survives: ours first, then the known one, then the oldest. */
function chooseKeeper(list: RemoteEvent[], rec: MatchRecord | undefined, ownId: string): RemoteEvent {
  const known = rec?.eventId ? list.find((e) => e.eventId === rec.eventId) : undefined;
  if (known) return known;
  const own = list.find((e) => e.eventId === ownId);
  if (own) return own;
  return [...list].sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '') || a.eventId.localeCompare(b.eventId))[0]!;
}
