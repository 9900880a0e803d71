import type { CalendarState, TakeoverPreview } from '../../../shared/state';
import type { BackendInfo } from './backend';
import type { SyncStore } from './sync-store';

export interface StateInputs {
  store: SyncStore;
  kind: CalendarState['backend'];
  info: BackendInfo;
  /** Why no write can happen now (sign-in, a blocked calendar), in plain status words. */
  blocked: string | null;
  takeover: TakeoverPreview | null;
  storageError: string | null;
}

/** What the dashboard, the tray and `/api/state` show of the calendar: a projection of the store. */
export function projectState({ store, kind, info, blocked, takeover, storageError }: StateInputs): CalendarState {
  const perMatch: CalendarState['perMatch'] = {};
  for (const r of store.records.values()) {
    if (r.present) perMatch[r.matchId] = { status: 'synced', reason: null, updatedAt: r.updatedAt };
  }
  for (const [id, f] of store.unschedulable) perMatch[id] = { status: 'failed', reason: f.reason, updatedAt: f.at };
  for (const [id, f] of store.failures) perMatch[id] = { status: 'failed', reason: f.reason, updatedAt: f.at };
  for (const j of store.outbox.all()) {
    if (j.reason === 'duplicate') continue;
    perMatch[j.matchId] = { status: 'pending', reason: blocked ?? j.lastError, updatedAt: j.enqueuedAt };
  }
  for (const h of store.held) {
    perMatch[h.matchId] = {
      status: 'held',
      reason: h.reason === 'removed' ? 'deletion held back: no longer in the match list' : 'deletion held back: cancelled',
      updatedAt: store.lastList?.receivedAt ?? new Date().toISOString(),
    };
  }
  let status = blocked ?? (takeover ? 'takeover waiting' : info.status);
  if (storageError && status === 'ok') status = `error: ${storageError}`;
  return {
    backend: kind,
    status,
    lastSyncAt: store.lastSyncAt,
    pending: store.outbox.size,
    failed: store.failures.size + store.unschedulable.size,
    heldDeletions: store.held.length,
    counters: { ...store.counters, held: store.held.length },
    perMatch,
    subscribeUrl: info.subscribeUrl,
    takeover,
    held: store.held.map((h) => ({ matchId: h.matchId, title: h.title, reason: h.reason, kickoff: store.records.get(h.matchId)?.snapshot?.kickoff ?? null })),
    signedIn: info.signedIn,
  };
}
