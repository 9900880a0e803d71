import type { Snapshot } from '../../shared/state';

export type Overall = 'ok' | 'warn' | 'error' | 'off';

/** How long a lost connection counts as "reconnecting" (amber) before it turns red. */
export const DISCONNECT_GRACE_MS = 60_000;

export interface OverallStatus {
  level: Overall;
  /** i18n key suffix under `overall.` explaining the main reason. */
  reason:
    | 'ok'
    | 'disabled'
    | 'paused'
    | 'disconnected'
    | 'reconnecting'
    | 'connecting'
    | 'errorAlert'
    | 'stale'
    | 'calendarFailed'
    | 'held'
    | 'pending'
    | 'storage'
    | 'noData'
    | 'noLink';
}

/** One word for "is everything fine?", the same rules the tray icon follows. */
export function overallStatus(s: Snapshot, now: number = Date.now()): OverallStatus {
  const c = s.connection;
  if (c.state === 'disabled') return { level: 'off', reason: 'disabled' };
  if (c.state === 'stopped') return { level: 'off', reason: 'paused' };
  const downFor = now - Date.parse(c.stateSince);
  if (c.state === 'reconnecting' || (c.state === 'connecting' && s.counters.messages_received > 0)) {
    return downFor > DISCONNECT_GRACE_MS ? { level: 'error', reason: 'disconnected' } : { level: 'warn', reason: 'reconnecting' };
  }
  if (c.state === 'connecting') return downFor > DISCONNECT_GRACE_MS ? { level: 'error', reason: 'disconnected' } : { level: 'warn', reason: 'connecting' };
  if (s.storageError) return { level: 'error', reason: 'storage' };
  if (s.alerts.items.some((a) => !a.acknowledged && (a.severity === 'error' || a.severity === 'critical'))) {
    return { level: 'error', reason: 'errorAlert' };
  }
  if (c.possiblyStale) return { level: 'warn', reason: 'stale' };
  if (s.calendar.failed > 0) return { level: 'warn', reason: 'calendarFailed' };
  if (s.calendar.heldDeletions > 0) return { level: 'warn', reason: 'held' };
  if (s.calendar.pending > 0) return { level: 'warn', reason: 'pending' };
  if (s.matches.receivedAt === null) return { level: 'ok', reason: 'noData' };
  return { level: 'ok', reason: 'ok' };
}
