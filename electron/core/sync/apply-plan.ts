import { hasEnded } from './change-window';
import { heldDeletionsMessage, heldDeletionsParams } from './guard-text';
import type { PlanResult } from './plan';
import { deleteDraft } from './reconcile';
import type { SyncParts } from './sync-parts';

export type ApplyContext = SyncParts;

/**
 * A plan becomes outbox jobs, record refreshes and held deletions (with their alert). A full
 * list replaces the holds; a manual one only adds to them. Returns whether anything changed
 * that the state file must learn.
 */
export function applyPlan(ctx: ApplyContext, res: PlanResult, full: boolean): boolean {
  const { store, persistence, log } = ctx;
  const now = Date.now();
  for (const key of res.cancelPending) {
    const removed = store.outbox.remove(key);
    if (!removed) continue;
    const tried = store.maybeWritten.delete(key) || removed.attempts > 0;
    if (removed.kind === 'upsert' && tried && !store.records.get(removed.matchId)?.present) {
      // A tried write may have reached the calendar although its answer was lost (reset,
      // timeout, or a crash after the request went out). Dropping the job would leave that
      // event behind, unknown to us; delete it instead (a no-op when it does not exist).
      // Without this, such orphans piled up under API faults and crashes, and a later
      // reconcile wanted to delete them all at once, which the deletion guard held back.
      // A new event's id is deterministic (eventIdFor), so it can be deleted without knowing it was made.
      store.outbox.put({ ...deleteDraft(removed.matchId, removed.title, 'removed', null), eventId: removed.eventId ?? ctx.backend.eventIdFor(removed.matchId) }, now);
      persistence.jobsUnsaved = true;
      log.info('sync', `${removed.title} (${removed.matchId}) is no longer wanted and an earlier write may have reached the calendar: deleting it to be sure`);
      continue;
    }
    ctx.waiters.settle(key, 'unchanged');
  }
  for (const draft of res.enqueue) {
    store.outbox.put(draft, now);
    store.failures.delete(draft.matchId);
    store.unschedulable.delete(draft.matchId);
  }
  for (const t of res.touch) {
    const rec = store.records.get(t.matchId);
    if (!rec) continue;
    store.records.set(t.matchId, { ...rec, sourceKey: t.sourceKey, renderKey: t.renderKey, snapshot: t.snapshot, lastChange: t.lastChange });
    store.failures.delete(t.matchId);
  }
  const at = new Date(now).toISOString();
  for (const u of res.unschedulable) store.unschedulable.set(u.matchId, { sourceKey: null, reason: u.reason, at, title: u.title });
  store.counters.unchanged += res.unchanged;

  const before = store.held.map((h) => h.matchId).sort().join(',');
  if (full) store.held = res.held;
  else for (const h of res.held) if (!store.held.some((x) => x.matchId === h.matchId)) store.held.push(h);
  const after = store.held.map((h) => h.matchId).sort().join(',');
  if (after !== before && store.held.length > 0) alertHeld(ctx);
  else if (after !== before && store.held.length === 0) ctx.resolveAlerts?.('calendar_deletions_held');
  if (res.enqueue.length > 0) {
    persistence.jobsUnsaved = true;
    log.info('sync', `calendar: ${res.inserts} to add, ${res.updates} to update, ${res.deletes} to delete, ${res.unchanged} unchanged`);
  }
  return res.enqueue.length + res.touch.length + res.cancelPending.length + res.unschedulable.length > 0 || after !== before;
}

function alertHeld(ctx: ApplyContext): void {
  const { store } = ctx;
  const clock = ctx.nowMs();
  const known = [...store.records.values()].filter((r) => r.present && !hasEnded(r.endMs, clock)).length;
  const n = store.held.length;
  const explained = store.held.map((h) => ({ ...h, kickoff: store.records.get(h.matchId)?.snapshot?.kickoff ?? null }));
  ctx.log.warn('sync', `${n} deletions held back (would remove ${n} of ${known} upcoming matches); waiting for confirmation`);
  ctx.raiseAlert({
    alertType: 'calendar_deletions_held',
    severity: 'warning',
    message: heldDeletionsMessage(explained, known),
    text: { key: 'appAlert.deletionsHeld', params: heldDeletionsParams(explained, known) },
    details: { matches: explained.map((h) => ({ matchId: h.matchId, title: h.title, reason: h.reason, kickoff: h.kickoff })), upcoming: known, pastEventsTouched: 0 },
  });
}

/**
 * The coordinator confirmed the held deletions: each becomes a delete job, except a match
 * played meanwhile (history). Returns the keys queued.
 */
export function releaseHeld(ctx: Pick<ApplyContext, 'store' | 'resolveAlerts' | 'nowMs'>): string[] {
  const { store } = ctx;
  const held = store.held;
  store.held = [];
  if (held.length > 0) ctx.resolveAlerts?.('calendar_deletions_held');
  const now = Date.now();
  const keys: string[] = [];
  for (const h of held) {
    const rec = store.records.get(h.matchId);
    if (!rec?.present) continue;
    // Held while upcoming, confirmed after the match was played: it is history now.
    if (hasEnded(rec.endMs, ctx.nowMs())) continue;
    store.outbox.put(deleteDraft(h.matchId, h.title, h.reason, null), now);
    keys.push(h.matchId);
  }
  return keys;
}
