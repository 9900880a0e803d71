import type { ConnectionInfo } from '../../../shared/state';
import type { WatchState } from '../../../shared/history';
import type { SupervisorStatus } from '../redis/subscriber';

/**
 * The subscription as the supervisor last reported it, and whether what we show may be
 * stale: after a gap or a restart, whatever was published meanwhile is lost to us (pub/sub,
 * spec §3.4, §8.1) until the next full list arrives (DESIGN rule 5).
 */
export class ConnectionState {
  private status: SupervisorStatus | null = null;
  private stale: { since: string } | null = null;

  constructor(private readonly startedAt: string) {}

  /** A new status; returns the state the watch history records, or null for a moment of passage. */
  set(status: SupervisorStatus): WatchState | null {
    this.status = status;
    // Moments of passage (starting, a restart, a settings change) are neither up nor down:
    // the history keeps the state before them until the connection succeeds or fails.
    const passing = !status.subscribed && ['reason.not_started', 'reason.restarting', 'reason.settings_changed'].includes(status.reasonCode?.key ?? 'reason.not_started');
    if (passing) return null;
    return status.subscribed ? 'up' : status.state === 'disabled' || status.state === 'stopped' ? 'off' : 'down';
  }

  get reasonCode(): SupervisorStatus['reasonCode'] {
    return this.status?.reasonCode ?? null;
  }

  /** Possibly stale from `since` on (the first gap counts, later ones do not move it). */
  markStale(since: string): void {
    this.stale ??= { since };
  }

  /** A full list arrived; true when that ended a stale period. */
  fresh(): boolean {
    if (!this.stale) return false;
    this.stale = null;
    return true;
  }

  info(reconnectCount: number): ConnectionInfo {
    const s = this.status;
    return {
      state: s?.state ?? 'stopped',
      stateSince: s?.stateSince ?? this.startedAt,
      reason: s?.reason ?? null,
      reasonCode: s?.reasonCode ?? null,
      connected: s?.connected ?? false,
      subscribed: s?.subscribed ?? false,
      channels: s?.channels ?? [],
      reconnectCount,
      attempt: s?.attempt ?? 0,
      nextRetryAt: s?.nextRetryAt ?? null,
      lastPingMs: s?.lastPingMs ?? null,
      possiblyStale: this.stale !== null,
      staleSince: this.stale?.since ?? null,
      endpoint: s?.endpoint ?? '',
    };
  }
}
