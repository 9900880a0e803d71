import type { FogisMatch } from '../../../shared/messages';
import { calendarHash, sha256Hex } from './calendar-hash';
import { hasEnded } from './change-window';
import {
  CONTACT_DETAILS_CHANGE,
  describeChanges,
  descriptionBase,
  matchIdOf,
  matchTitle,
  planEvent,
  snapshotChanges,
  snapshotOf,
  UnschedulableMatchError,
  type LastChange,
  type MatchSnapshot,
  type PlannedEvent,
} from './event-builder';
import { legacyRenderKey } from './google-body';
import type { HeldDeletion, MatchRecord, OutboxJob, PlanOptions } from './types';

/** A job as the plan wants it; the outbox adds attempts, timing and order. */
export type JobDraft = Pick<
  OutboxJob,
  'key' | 'matchId' | 'kind' | 'reason' | 'event' | 'renderKey' | 'sourceKey' | 'snapshot' | 'lastChange' | 'title' | 'eventId'
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
  /**
   * One change pass: the matches the change model (monitor/match-diff.ts) says differ from
   * the list `settled` was judged against. A listed match outside this set whose id is in
   * `settled` is skipped without being hashed. Absent: every match is compared.
   */
  changed?: ReadonlySet<string> | null;
  /** Matches whose record shows their listed version with nothing left to do (see `inStep`). */
  settled?: ReadonlySet<string>;
  /**
   * True for a queued upsert that a full list planned from the version of its match listed
   * now (it only waits for the calendar). With the change model not naming the match there
   * is nothing to decide, as for a settled match: while a slow calendar lags behind a burst
   * of lists, each list must not rebuild every queued event again (issue 12, the drain).
   */
  queuedFromList?: (job: OutboxJob) => boolean;
  /** Hashes taken ahead (list-planner.ts); absent: each is taken here. */
  hashes?: MatchHashes;
  /**
   * Deletions already judged one list at a time for the lists this one stands for
   * (list-planner.ts coalesces lists that arrive back to back): each list's deletions are let
   * through or held back as they would have been had it been planned alone, and only the
   * rest (the first list's) are judged here.
   */
  stepVerdicts?: StepVerdicts;
}

/** The guard's verdicts on deletions made by lists after the first of a coalesced burst. */
export interface StepVerdicts {
  /** Deleted by a list that deleted no more than its share: let through. */
  accepted: ReadonlySet<string>;
  /** Deleted by a list that alone deleted too much: held back. */
  rejected: ReadonlySet<string>;
}

export interface PlanResult {
  enqueue: JobDraft[];
  /** Pending jobs that are obsolete: the calendar already shows the newest state. */
  cancelPending: string[];
  held: HeldDeletion[];
  /** Records to refresh without a write (sourceKey moved, or an adopted event matched). */
  touch: Array<{ matchId: string; sourceKey: string | null; renderKey: string; snapshot: MatchRecord['snapshot']; lastChange: LastChange | null }>;
  unschedulable: Array<{ matchId: string; title: string; reason: string }>;
  unchanged: number;
  /** Cancelled matches without an event (removed before, or never added): not "up to date". */
  cancelled: number;
  /** Events left alone because their match has ended (never changed or deleted). */
  past: number;
  inserts: number;
  updates: number;
  deletes: number;
  /** Every match this plan looked at (hashed and decided); the others were skipped by the change model. */
  decided: string[];
  /** Decided matches whose record now shows their listed version with nothing left to do. */
  inStep: string[];
}

/** How much one plan looked at (the one change pass, observable by tests and the benchmark). */
export interface PlanStats {
  /** Matches in the list. */
  listed: number;
  /** Matches hashed and decided; the others were settled and not named by the change model. */
  decided: number;
  /** The change model was used (false: every match compared). */
  changeModel: boolean;
}

export function optionsKey(o: PlanOptions): string {
  return `${o.syncTag}|${o.durationMinutes}|${o.timeZone}|${o.keepCancelled ? 1 : 0}`;
}

const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** Identity of the raw match and the options: equal keys, nothing to decide (the check without a change model). */
function sourceKeyOf(okey: string, match: FogisMatch): string {
  return sha256Hex(okey + '\u0000' + JSON.stringify(match));
}

/**
 * The two hashes a plan takes of a match, kept by match object (a match is never changed in
 * place: a changed one is a new object), so they can be taken ahead, a slice per turn of the
 * event loop, instead of all at once inside one plan (list-planner.ts).
 */
export class MatchHashes {
  private readonly calendar = new WeakMap<FogisMatch, string>();
  private readonly source = new WeakMap<FogisMatch, Keyed<string>>();
  private readonly descriptions = new WeakMap<FogisMatch, string>();
  private readonly snapshots = new WeakMap<FogisMatch, Keyed<MatchSnapshot>>();

  calendarHash(match: FogisMatch): string {
    return memo(this.calendar, match, calendarHash);
  }

  sourceKey(okey: string, match: FogisMatch): string {
    return keyedMemo(this.source, match, okey, () => sourceKeyOf(okey, match));
  }

  /** Both hashes of `match` are kept already. */
  has(okey: string, match: FogisMatch): boolean {
    return this.calendar.has(match) && this.source.get(match)?.key === okey;
  }

  /**
   * The description's part that is the match's alone, and the match's snapshot: a plan that
   * decides a changed match needs both, and they are the larger part of deciding it (issue 12:
   * `buildDescription` and `snapshotOf` were ~40 % of `planSync` in the drain), so they are
   * taken ahead with the hashes.
   */
  descriptionBase(match: FogisMatch): string {
    return memo(this.descriptions, match, descriptionBase);
  }

  snapshot(match: FogisMatch, timeZone: string): MatchSnapshot {
    return keyedMemo(this.snapshots, match, timeZone, () => snapshotOf(match, timeZone));
  }
}

/** A value kept per match object, valid for one key (the plan options, the time zone). */
interface Keyed<T> {
  key: string;
  value: T;
}

function memo<T>(map: WeakMap<FogisMatch, T>, match: FogisMatch, compute: (m: FogisMatch) => T): T {
  let v = map.get(match);
  if (v === undefined) map.set(match, (v = compute(match)));
  return v;
}

function keyedMemo<T>(map: WeakMap<FogisMatch, Keyed<T>>, match: FogisMatch, key: string, compute: () => T): T {
  const kept = map.get(match);
  if (kept !== undefined && kept.key === key) return kept.value;
  const value = compute();
  map.set(match, { key, value });
  return value;
}

/** Bump when the rendering of an event changes, so every event is written anew once. */
const RENDER_VERSION = 'r2';

/** Identity of everything we would write (equal keys: no write), from its inputs, without another hash. */
export function renderKeyOf(e: PlannedEvent, durationMinutes: number, match: FogisMatch, lastChange: LastChange | null): string {
  return [RENDER_VERSION, e.syncTag, durationMinutes, e.timeZone, e.calendarHash, e.summary, text(match.matchnr), e.cancelled ? 1 : 0, lastChange?.at ?? '', lastChange?.what ?? ''].join('\u0000');
}

/** A key saved by a version before the planned event is a SHA-256 of the Google body. */
const LEGACY_KEY = /^[0-9a-f]{64}$/;

function sameRender(stored: string | null, rk: string, event: PlannedEvent): boolean {
  if (stored === null) return false;
  if (stored === rk) return true;
  return LEGACY_KEY.test(stored) && stored === legacyRenderKey(event);
}

/**
 * The decision step: from what the calendar shows (records), what is on its way (pending
 * jobs) and the new list, decide the writes. Pure and synchronous so it can be tested alone.
 * With the change model (`changed` + `settled`) a match nobody changed costs nothing and a
 * changed one is hashed once (its §5.3 calendar hash, which the event carries). Without it,
 * each match costs one hash of its raw data, and a second only when that differs.
 */
export function planSync(input: PlanInput): PlanResult {
  const { records, pending, options, now } = input;
  const okey = optionsKey(options);
  const nowMs = input.nowMs ?? Date.parse(now);
  const result: PlanResult = { enqueue: [], cancelPending: [], held: [], touch: [], unschedulable: [], unchanged: 0, cancelled: 0, past: 0, inserts: 0, updates: 0, deletes: 0, decided: [], inStep: [] };
  const deletions: Array<JobDraft & { heldReason: HeldDeletion['reason'] }> = [];
  const changed = input.changed ?? null;
  const settled = input.settled;
  const queuedFromList = input.queuedFromList;

  const byId = new Map<string, FogisMatch>();
  for (const m of input.matches) byId.set(matchIdOf(m), m);

  for (const [mid, match] of byId) {
    const record = records.get(mid) ?? null;
    const job = pending.get(mid) ?? null;
    const cancelled = match.installd === true;
    const named = changed !== null && changed.has(mid);
    if (changed && settled && !named && settled.has(mid) && !job) {
      if (cancelled && !options.keepCancelled && !record?.present) result.cancelled++;
      else result.unchanged++;
      continue;
    }
    // Its decision was taken from this very version and is on its way: the same as a full
    // compare, which would rebuild the event and find the queued job already writes it.
    if (changed && !named && job?.kind === 'upsert' && queuedFromList?.(job)) continue;
    result.decided.push(mid);
    // A match the change model names differs from the last list: no raw identity to compare,
    // its event is built and compared (the record may still show it, after an A → B → A).
    const sourceKey = named ? null : input.hashes ? input.hashes.sourceKey(okey, match) : sourceKeyOf(okey, match);
    const failedSource = input.failedSources.get(mid);
    if (sourceKey !== null && !input.retryFailed && failedSource === sourceKey && !job) continue;

    const latestSource = job ? job.sourceKey : record ? record.sourceKey : null;
    // An event adopted by reconcile must be compared even if a job was queued before it was found.
    const freshlyAdopted = record?.present === true && record.renderKey === null;
    if (sourceKey !== null && latestSource === sourceKey && !freshlyAdopted) {
      if (!job) {
        if (cancelled && !options.keepCancelled && !record?.present) result.cancelled++;
        else result.unchanged++;
        result.inStep.push(mid);
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
        else if (!job) {
          result.cancelled++;
          result.inStep.push(mid);
        }
      }
      continue;
    }

    const hash = input.hashes ? input.hashes.calendarHash(match) : calendarHash(match);
    const snapshot = input.hashes ? input.hashes.snapshot(match, options.timeZone) : snapshotOf(match, options.timeZone);
    const prevSnap = job ? job.snapshot : record?.snapshot ?? null;
    let lastChange = job ? job.lastChange : record?.lastChange ?? null;
    if (prevSnap) {
      // What the event showed against what it will show (the event may be several lists behind).
      let fields = snapshotChanges(prevSnap, snapshot);
      const prevHash = job ? job.event?.calendarHash : record?.calendarHash;
      if (fields.length === 0 && prevHash && prevHash !== hash) fields = [CONTACT_DETAILS_CHANGE];
      if (fields.length > 0) lastChange = { at: now, what: describeChanges(fields) };
    }

    let event: PlannedEvent;
    try {
      event = planEvent(match, options, lastChange, hash, input.hashes ? input.hashes.descriptionBase(match) : descriptionBase(match));
    } catch (err) {
      if (!(err instanceof UnschedulableMatchError)) throw err;
      result.unschedulable.push({ matchId: mid, title, reason: err.message });
      continue;
    }
    const rk = renderKeyOf(event, options.durationMinutes, match, lastChange);
    // History is never rewritten: a match that has ended (by the list's own kickoff) keeps
    // the event it has. A match without an event still gets one: adding is not destructive.
    if (record?.present && hasEnded(event.endMs, nowMs)) {
      if (!job) result.past++;
      continue;
    }

    const adoptable = record?.present === true && record.renderKey === null && record.calendarHash === event.calendarHash && record.summary === event.summary;
    if ((record?.present && sameRender(record.renderKey, rk, event)) || adoptable) {
      if (job) result.cancelPending.push(mid);
      result.touch.push({ matchId: mid, sourceKey, renderKey: rk, snapshot, lastChange });
      result.unchanged++;
      result.inStep.push(mid);
      continue;
    }
    if (job && job.kind === 'upsert' && sameRender(job.renderKey, rk, event)) continue;
    result.enqueue.push({
      ...draftBase(mid, title),
      kind: 'upsert',
      reason: record?.present ? (cancelled && !record.summary?.startsWith('INST') ? 'cancelled' : 'changed') : 'new',
      event,
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
  const verdicts = input.stepVerdicts;
  const accepted = (d: { matchId: string }): boolean => verdicts?.accepted.has(d.matchId) === true;
  const rejected = (d: { matchId: string }): boolean => verdicts?.rejected.has(d.matchId) === true;
  const fresh = deletions.filter((d) => !queuedDelete(d.key) && !accepted(d) && !rejected(d)).length;
  const base = Math.max(known, input.matches.length);
  // §7 #82: the processor once published empty lists. Never act destructively on one, nor on
  // a list that would wipe out a large share of the calendar, without the user's word.
  const suspicious = fresh > 0 && (input.matches.length === 0 || fresh > options.maxDeleteFraction * base);
  for (const d of deletions) {
    const { heldReason, ...draft } = d;
    if (rejected(d) || (suspicious && !accepted(d))) {
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
  return { key: matchId, matchId, event: null, renderKey: null, snapshot: null, lastChange: null, title, eventId: null };
}
