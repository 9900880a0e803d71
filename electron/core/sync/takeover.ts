import type { FogisMatch } from '../../../shared/messages';
import type { TakeoverPreview } from '../../../shared/state';
import type { TaggedEvent } from './backend';
import { hasEnded } from './change-window';
import { planSync, type JobDraft } from './plan';
import type { MatchRecord, PlanOptions } from './types';

/**
 * First contact with a calendar that already holds FOGIS match events (DESIGN rule 10:
 * "before the first write into a calendar that already has our events, show what will
 * happen and ask"). Pure: the same function gives the preview and, on confirmation, the
 * records and jobs, so the preview's counts are what the confirmation writes.
 */

export interface TakeoverPlan {
  preview: TakeoverPreview;
  records: Map<string, MatchRecord>;
  jobs: JobDraft[];
}

export const TAKEOVER_ITEMS_CAP = 500;

/** A record that compares as changed, so the plan rewrites the event (and with it the sync tag). */
const RETAG = 'retag';

export function planTakeover(input: {
  events: readonly TaggedEvent[];
  matches: readonly FogisMatch[] | null;
  options: PlanOptions;
  calendarId: string;
  nowMs: number;
  eventIdFor: (matchId: string) => string;
}): TakeoverPlan {
  const { options, nowMs } = input;
  const listed = new Set((input.matches ?? []).map((m) => String(m.matchid)));
  const items: TakeoverPreview['items'] = [];
  const item = (e: TaggedEvent, action: TakeoverPreview['items'][number]['action'], reason: 'cancelled' | 'removed' | null = null): void => {
    items.push({ matchId: e.matchId ?? '', title: e.summary, action, reason, syncTag: e.syncTag });
  };

  const own = new Map<string, TaggedEvent[]>();
  const other = new Map<string, TaggedEvent[]>();
  const otherTags = new Set<string>();
  let found = 0;
  for (const e of input.events) {
    if (!e.matchId) continue;
    found++;
    const bucket = e.syncTag === options.syncTag ? own : other;
    if (bucket === other) otherTags.add(e.syncTag ?? '(none)');
    const list = bucket.get(e.matchId);
    if (list) list.push(e);
    else bucket.set(e.matchId, [e]);
  }

  const records = new Map<string, MatchRecord>();
  const jobs: JobDraft[] = [];
  const retagged = new Set<string>();
  let past = 0;
  let duplicates = 0;
  const record = (matchId: string, e: TaggedEvent, retag: boolean): MatchRecord => ({
    matchId,
    present: true,
    eventId: e.eventId,
    calendarHash: e.calendarHash,
    renderKey: retag ? RETAG : null,
    sourceKey: null,
    summary: e.summary,
    snapshot: null,
    lastChange: null,
    title: e.summary,
    updatedAt: new Date(nowMs).toISOString(),
    endMs: e.endMs,
  });

  for (const [matchId, list] of own) {
    const keep = keeper(list, input.eventIdFor(matchId));
    records.set(matchId, record(matchId, keep, false));
    for (const e of list) {
      if (e === keep) continue;
      if (hasEnded(e.endMs, nowMs)) {
        past++;
        item(e, 'past');
        continue;
      }
      duplicates++;
      item(e, 'duplicate');
      jobs.push({ key: `dup:${e.eventId}`, matchId, kind: 'delete', reason: 'duplicate', event: null, renderKey: null, sourceKey: null, snapshot: null, lastChange: null, title: e.summary, eventId: e.eventId });
    }
  }

  let otherTag = 0;
  for (const [matchId, list] of other) {
    otherTag += list.length;
    const keep = keeper(list, input.eventIdFor(matchId));
    const adoptable = !records.has(matchId) && listed.has(matchId);
    for (const e of list) {
      if (e !== keep || !adoptable) {
        // Another tag may be another coordinator's sync on a shared calendar: never deleted.
        item(e, 'other-tag');
        continue;
      }
      if (hasEnded(e.endMs, nowMs)) {
        // Known, so no duplicate is inserted; history keeps its tag and its text.
        records.set(matchId, record(matchId, e, false));
        past++;
        item(e, 'past');
        continue;
      }
      records.set(matchId, record(matchId, e, true));
      retagged.add(matchId);
    }
  }

  // The coordinator confirms the deletions in this same step, having read them: no guard.
  const plan = planSync({
    matches: input.matches ?? [],
    full: input.matches !== null,
    records,
    pending: new Map(),
    failedSources: new Map(),
    retryFailed: false,
    options: { ...options, maxDeleteFraction: 1 },
    now: new Date(nowMs).toISOString(),
    nowMs,
  });

  const touched = new Set<string>();
  let updated = 0;
  let deleted = 0;
  let inserted = 0;
  for (const j of plan.enqueue) {
    touched.add(j.matchId);
    const rec = records.get(j.matchId);
    const ev = rec ? eventOf(rec) : null;
    if (j.kind === 'delete') {
      deleted++;
      if (ev) item(ev, 'delete', j.reason === 'cancelled' ? 'cancelled' : 'removed');
    } else if (!rec) {
      inserted++;
      items.push({ matchId: j.matchId, title: j.title, action: 'insert', reason: null, syncTag: null });
    } else if (retagged.has(j.matchId)) {
      item({ ...ev!, syncTag: otherTagOf(other, j.matchId) }, 'retag');
    } else {
      updated++;
      item(ev!, 'update');
    }
  }
  // Held only when the list is empty (the guard's empty-list rule stays): those are left alone.
  for (const h of plan.held) touched.add(h.matchId);
  let adopted = 0;
  for (const [matchId, rec] of records) {
    if (touched.has(matchId) || retagged.has(matchId)) continue;
    const ev = eventOf(rec);
    if (own.has(matchId) && hasEnded(rec.endMs, nowMs)) {
      past++;
      item(ev, 'past');
    } else if (own.has(matchId)) {
      adopted++;
      item(ev, 'adopt');
    }
  }
  for (const t of plan.touch) {
    const rec = records.get(t.matchId);
    if (rec) Object.assign(rec, { sourceKey: t.sourceKey, renderKey: t.renderKey, snapshot: t.snapshot, lastChange: t.lastChange });
  }
  jobs.push(...plan.enqueue);

  const preview: TakeoverPreview = {
    calendarId: input.calendarId,
    syncTag: options.syncTag,
    found,
    adopted,
    updated,
    deleted,
    past,
    duplicates,
    otherTag,
    retagged: [...retagged].filter((id) => touched.has(id)).length,
    inserted,
    otherTags: [...otherTags].sort(),
    listReceived: input.matches !== null,
    items: items.slice(0, TAKEOVER_ITEMS_CAP),
    itemsTotal: items.length,
    computedAt: new Date(nowMs).toISOString(),
  };
  return { preview, records, jobs };
}

function eventOf(rec: MatchRecord): TaggedEvent {
  return { eventId: rec.eventId ?? '', matchId: rec.matchId, calendarHash: rec.calendarHash, summary: rec.summary ?? rec.title, created: null, endMs: rec.endMs, syncTag: null };
}

function otherTagOf(other: Map<string, TaggedEvent[]>, matchId: string): string | null {
  return other.get(matchId)?.[0]?.syncTag ?? null;
}

/** Ours (deterministic id) first, then the oldest: the Python service's first copy. */
function keeper(list: readonly TaggedEvent[], ownId: string): TaggedEvent {
  const own = list.find((e) => e.eventId === ownId);
  if (own) return own;
  return [...list].sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '') || a.eventId.localeCompare(b.eventId))[0]!;
}
