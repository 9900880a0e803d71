import type { FogisMatch } from '../../../shared/messages';
import { calendarHash, sha256Hex } from './calendar-hash';
import { hasEnded } from './change-window';
import {
  buildEventBody,
  describeChanges,
  matchIdOf,
  matchTitle,
  renderKey,
  snapshotOf,
  UnschedulableMatchError,
  type EventBody,
  type LastChange,
} from './event-builder';
import type { HeldDeletion, MatchRecord, OutboxJob, PlanOptions } from './types';

/** A job as the plan wants it; the outbox adds attempts, timing and order. */
export type JobDraft = Pick<
  OutboxJob,
  'key' | 'matchId' | 'kind' | 'reason' | 'body' | 'cancelled' | 'renderKey' | 'sourceKey' | 'snapshot' | 'lastChange' | 'title' | 'eventId'
>;

export interface PlanInput {
  matches: readonly FogisMatch[];
  /** A full list (Redis): absent matches are removed. A manual list only adds and updates. */
  full: boolean;
  records: ReadonlyMap<string, MatchRecord>;
  pending: ReadonlyMap<string, OutboxJob>;
  /** Matches whose last write failed permanently, by the sourceKey that failed. */
  failedSources: ReadonlyMap<string, string>;
  /** Retry matches that failed before even if unchanged (manual sync). */
  retryFailed: boolean;
  options: PlanOptions;
  /** Stamp for "Last changed" lines (the list's arrival). */
  now: string;
  /** The clock that decides what is history (change-window.ts); defaults to `now`. */
  nowMs?: number;
}

export interface PlanResult {
  enqueue: JobDraft[];
  /** Pending jobs that are obsolete: the calendar already shows the newest state. */
  cancelPending: string[];
  held: HeldDeletion[];
  /** Records to refresh without a write (sourceKey moved, or an adopted event matched). */
  touch: Array<{ matchId: string; sourceKey: string; renderKey: string; snapshot: MatchRecord['snapshot']; lastChange: LastChange | null }>;
  unschedulable: Array<{ matchId: string; title: string; reason: string }>;
  unchanged: number;
  /** Cancelled matches without an event (removed before, or never added): not "up to date". */
  cancelled: number;
  /** Events left alone because their match has ended (never changed or deleted). */
  past: number;
  inserts: number;
  updates: number;
  deletes: number;
}

export function optionsKey(o: PlanOptions): string {
  return `${o.syncTag}|${o.durationMinutes}|${o.timeZone}|${o.keepCancelled ? 1 : 0}`;
}

/**
 * The decision step: from what the calendar shows (records), what is on its way (pending
 * jobs) and the new list, decide the writes. Pure and synchronous so it can be tested alone
 * and stays fast (an unchanged 1000-match list costs one hash per match and no writes).
 */
export function planSync(input: PlanInput): PlanResult {
  const { records, pending, options, now } = input;
  const okey = optionsKey(options);
  const nowMs = input.nowMs ?? Date.parse(now);
  const result: PlanResult = { enqueue: [], cancelPending: [], held: [], touch: [], unschedulable: [], unchanged: 0, cancelled: 0, past: 0, inserts: 0, updates: 0, deletes: 0 };
  const deletions: Array<JobDraft & { heldReason: HeldDeletion['reason'] }> = [];

  const byId = new Map<string, FogisMatch>();
  for (const m of input.matches) byId.set(matchIdOf(m), m);

  for (const [mid, match] of byId) {
    const record = records.get(mid) ?? null;
    const job = pending.get(mid) ?? null;
    const sourceKey = sha256Hex(okey + '\u0000' + JSON.stringify(match));
    const failedSource = input.failedSources.get(mid);
    if (!input.retryFailed && failedSource === sourceKey && !job) continue;

    const latestSource = job ? job.sourceKey : record ? record.sourceKey : null;
    // An event adopted by reconcile must be compared even if a job was queued before it was found.
    const freshlyAdopted = record?.present === true && record.renderKey === null;
    const cancelled = match.installd === true;
    if (latestSource === sourceKey && !freshlyAdopted) {
      if (!job) {
        if (cancelled && !options.keepCancelled && !record?.present) result.cancelled++;
        else result.unchanged++;
      }
      continue;
    }

    const title = matchTitle(match);
    if (cancelled && !options.keepCancelled) {
      if (record?.present && hasEnded(record.endMs, nowMs)) {
        // History: a match cancelled after it was played (or listed so late) keeps its event.
        result.past++;
      } else if (record?.present) {
        deletions.push({ ...draftBase(mid, title), kind: 'delete', reason: 'cancelled', sourceKey, heldReason: 'cancelled' });
      } else {
        // A queued delete stays: it removes an event an earlier, unconfirmed write may have made.
        if (job?.kind === 'upsert') result.cancelPending.push(mid);
        else if (!job) result.cancelled++;
      }
      continue;
    }

    const snapshot = snapshotOf(match, options.timeZone);
    const prevSnap = job ? job.snapshot : record?.snapshot ?? null;
    let lastChange = job ? job.lastChange : record?.lastChange ?? null;
    if (prevSnap) {
      let what = describeChanges(prevSnap, snapshot);
      const prevHash = job ? job.body?.extendedProperties.private.calendarHash : record?.calendarHash;
      if (!what && prevHash && prevHash !== calendarHash(match)) what = 'referee or team contact details';
      if (what) lastChange = { at: now, what };
    }

    let body: EventBody;
    try {
      body = buildEventBody(match, options, lastChange);
    } catch (err) {
      if (!(err instanceof UnschedulableMatchError)) throw err;
      result.unschedulable.push({ matchId: mid, title, reason: err.message });
      continue;
    }
    const rk = renderKey(body, cancelled);
    // History is never rewritten: a match that has ended (by the list's own kickoff) keeps
    // the event it has. A match without an event still gets one: adding is not destructive.
    if (record?.present && hasEnded(Date.parse(body.end.dateTime), nowMs)) {
      if (!job) result.past++;
      continue;
    }

    const adoptable =
      record?.present === true &&
      record.renderKey === null &&
      record.calendarHash === body.extendedProperties.private.calendarHash &&
      record.summary === body.summary;
    if ((record?.present && record.renderKey === rk) || adoptable) {
      if (job) result.cancelPending.push(mid);
      result.touch.push({ matchId: mid, sourceKey, renderKey: rk, snapshot, lastChange });
      result.unchanged++;
      continue;
    }
    if (job && job.kind === 'upsert' && job.renderKey === rk) continue;
    result.enqueue.push({
      ...draftBase(mid, title),
      kind: 'upsert',
      reason: record?.present ? (cancelled && !record.summary?.startsWith('INST') ? 'cancelled' : 'changed') : 'new',
      body,
      cancelled,
      renderKey: rk,
      sourceKey,
      snapshot,
      lastChange,
    });
    if (record?.present) result.updates++;
    else result.inserts++;
  }

  if (input.full) {
    for (const [mid, record] of records) {
      if (byId.has(mid)) continue;
      if (record.present && hasEnded(record.endMs, nowMs)) {
        // §5.5: a played match FOGIS no longer lists keeps its event (the coordinator's record).
        result.past++;
      } else if (record.present) {
        deletions.push({ ...draftBase(mid, record.title), kind: 'delete', reason: 'removed', sourceKey: null, heldReason: 'removed' });
      } else if (pending.get(mid)?.kind === 'upsert') {
        result.cancelPending.push(mid);
      }
    }
    for (const [key, job] of pending) {
      if (job.kind === 'upsert' && !byId.has(key) && !records.has(key)) result.cancelPending.push(key);
    }
  }

  // Deletions already accepted from earlier lists and still queued (slow or failing calendar)
  // are not this list's doing: judge only the new ones, against what the calendar will hold
  // once the queued ones are done. Counting the queue made ordinary one-at-a-time removals add
  // up under API retries until the guard held them all back as a mass deletion.
  // The share is taken of the larger of the calendar and the list: while most of a list is
  // still being written (first sync, a slow or failing calendar, after a crash) the calendar
  // holds only a few events, and one ordinary removal looked like "2 of 2" and was held back.
  const queuedDelete = (key: string): boolean => pending.get(key)?.kind === 'delete';
  let known = 0;
  for (const r of records.values()) if (r.present && !queuedDelete(r.matchId) && !hasEnded(r.endMs, nowMs)) known++;
  const fresh = deletions.filter((d) => !queuedDelete(d.key)).length;
  const base = Math.max(known, input.matches.length);
  // §7 #82: the processor once published empty lists. Never act destructively on one, nor on
  // a list that would wipe out a large share of the calendar, without the user's word.
  const suspicious = fresh > 0 && (input.matches.length === 0 || fresh > options.maxDeleteFraction * base);
  for (const d of deletions) {
    const { heldReason, ...draft } = d;
    if (suspicious) {
      result.held.push({ matchId: d.matchId, reason: heldReason, title: d.title });
      if (pending.has(d.key)) result.cancelPending.push(d.key);
      continue;
    }
    if (pending.get(d.key)?.kind === 'delete') continue;
    result.enqueue.push(draft);
    result.deletes++;
  }
  return result;
}

function draftBase(matchId: string, title: string): Omit<JobDraft, 'kind' | 'reason' | 'sourceKey'> {
  return { key: matchId, matchId, body: null, cancelled: false, renderKey: null, snapshot: null, lastChange: null, title, eventId: null };
}
