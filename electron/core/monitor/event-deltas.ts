import type { z } from 'zod';
import type { FogisMatch } from '../../../shared/messages';
import type { Alert, CalendarState, MatchesState, MonitorEvent, RejectedEntry, matchSyncStateSchema } from '../../../shared/state';
import { matchKey, sameJson } from './match-diff';

type MatchSyncState = z.infer<typeof matchSyncStateSchema>;
type Ev<K extends MonitorEvent['kind']> = Extract<MonitorEvent, { kind: K }>;

/**
 * Turns the long parts of the state into changes against what the event stream last
 * carried (issue 12: each push used to resend the whole list and change history, ~1 MB).
 * The baseline is what the listeners were last told; a listener that joins later starts from
 * a snapshot that is at least as new, and the changes are idempotent (whole current values,
 * absolute totals), so it ends up in the same state.
 */
export class EventDeltas {
  private matches = new Map<string, FogisMatch>();
  private alerts = new Map<string, Alert>();
  private rejectedTotal = 0;
  private perMatch = new Map<string, MatchSyncState>();
  /** JSON of each small part as last pushed: a part marked dirty but unchanged is left out. */
  private parts = new Map<string, string>();

  /** Takes the current state as what every listener has (a first listener gets a snapshot of it). */
  reset(state: { list: readonly FogisMatch[]; alerts: readonly Alert[]; rejectedTotal: number; calendar: CalendarState }): void {
    this.matches = new Map(state.list.map((m) => [matchKey(m), m]));
    this.alerts = new Map(state.alerts.map((a) => [a.id, a]));
    this.rejectedTotal = state.rejectedTotal;
    this.perMatch = new Map(Object.entries(state.calendar.perMatch));
    this.parts.clear();
  }

  /** Keeps the parts of a patch whose value differs from the last push; `always` parts stay. */
  changedParts<T extends object>(patch: T, always: ReadonlySet<string>): Partial<T> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(patch)) {
      const text = JSON.stringify(value);
      if (!always.has(key) && this.parts.get(key) === text) continue;
      this.parts.set(key, text);
      out[key] = value;
    }
    return out as Partial<T>;
  }

  matchesEvent(state: MatchesState): Ev<'matches'> {
    const upsert: FogisMatch[] = [];
    const next = new Map<string, FogisMatch>();
    for (const m of state.list) {
      const key = matchKey(m);
      next.set(key, m);
      const before = this.matches.get(key);
      if (before === undefined || !sameJson(before, m)) upsert.push(m);
    }
    const remove = [...this.matches.keys()].filter((k) => !next.has(k));
    this.matches = next;
    return { kind: 'matches', upsert, remove, receivedAt: state.receivedAt, messageId: state.messageId, generation: state.generation, historyTotal: state.historyTotal };
  }

  /** `sentAsAlert`: alerts that go out in this push as `alert` events already. */
  alertsEvent(items: readonly Alert[], total: number, cap: number, sentAsAlert: ReadonlySet<Alert>): Ev<'alerts'> | null {
    const upsert: Alert[] = [];
    const next = new Map<string, Alert>();
    for (const a of items) {
      next.set(a.id, a);
      // Alerts are replaced, never changed in place (bounded-list update), so identity tells.
      if (this.alerts.get(a.id) !== a && !sentAsAlert.has(a)) upsert.push(a);
    }
    const remove = [...this.alerts.keys()].filter((k) => !next.has(k));
    this.alerts = next;
    if (upsert.length === 0 && remove.length === 0) return null;
    return { kind: 'alerts', upsert, remove, total, cap };
  }

  /** `newest`: the bounded list, newest first. */
  rejectedEvent(newest: readonly RejectedEntry[], total: number, cap: number): Ev<'rejected'> | null {
    const fresh = Math.min(total - this.rejectedTotal, newest.length);
    this.rejectedTotal = total;
    if (fresh <= 0) return null;
    return { kind: 'rejected', entries: newest.slice(0, fresh), total, cap };
  }

  calendarEvent(state: CalendarState): Ev<'calendar'> {
    const { perMatch, ...rest } = state;
    const changed: Record<string, MatchSyncState | null> = {};
    for (const [id, s] of Object.entries(perMatch)) {
      const before = this.perMatch.get(id);
      if (!before || before.status !== s.status || before.reason !== s.reason || before.updatedAt !== s.updatedAt) changed[id] = s;
    }
    for (const id of this.perMatch.keys()) if (!(id in perMatch)) changed[id] = null;
    this.perMatch = new Map(Object.entries(perMatch));
    return { kind: 'calendar', calendar: rest, perMatch: changed };
  }
}
