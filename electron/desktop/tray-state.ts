import type { Snapshot } from '../../shared/state';
import { CONNECTION_GRACE_MS } from './app-id';
import { formatClock, TEXT, type Lang } from './text';

/**
 * One overall state for the tray icon (issue §2): the coordinator glances at a colour and
 * reads one line. Pure, so every rule is unit-tested without Electron.
 */
export type TrayColour = 'green' | 'amber' | 'red' | 'grey';
export const TRAY_COLOURS: readonly TrayColour[] = ['green', 'amber', 'red', 'grey'];

export interface TrayStateOptions {
  lang: Lang;
  /** Defaults to the snapshot's own `now`, so a snapshot always maps to the same result. */
  now?: number;
  /** @default CONNECTION_GRACE_MS */
  graceMs?: number;
}

export interface TrayState {
  colour: TrayColour;
  /** One line, at most TOOLTIP_MAX characters. */
  tooltip: string;
  /** Every reason found, most important first; the tooltip shows as many as fit. */
  reasons: string[];
}

/** Windows truncates tray tooltips at 127 characters (NOTIFYICONDATA.szTip). */
export const TOOLTIP_MAX = 127;

const isPaused = (s: Snapshot): boolean => s.connection.state === 'stopped';
const isDisabled = (s: Snapshot): boolean => s.connection.state === 'disabled' || !s.config.redis.enabled;

/**
 * When the subscription went away, or null while it is up or deliberately off. The core may
 * cycle connecting ⇄ reconnecting per attempt, which resets `stateSince`; `staleSince` marks
 * the start of the gap, so the earlier of the two is the honest answer.
 */
export function downSince(s: Snapshot): number | null {
  if (isPaused(s) || isDisabled(s)) return null;
  if (s.connection.state === 'subscribed' && s.connection.subscribed) return null;
  const times = [s.connection.stateSince, s.connection.staleSince]
    .filter((t): t is string => typeof t === 'string')
    .map((t) => Date.parse(t))
    .filter((t) => Number.isFinite(t));
  return times.length ? Math.min(...times) : null;
}

function clip(line: string): string {
  const flat = line.replace(/\s+/g, ' ').trim();
  return flat.length <= TOOLTIP_MAX ? flat : `${flat.slice(0, TOOLTIP_MAX - 1)}…`;
}

function oneLine(lang: Lang, reasons: string[]): string {
  const t = TEXT[lang];
  return clip(`${t.app} — ${reasons.join(' · ')}`);
}

export function trayState(s: Snapshot, opts: TrayStateOptions): TrayState {
  const t = TEXT[opts.lang];
  const now = opts.now ?? Date.parse(s.now);
  const grace = opts.graceMs ?? CONNECTION_GRACE_MS;
  const tz = s.config.calendar.timeZone;
  const clock = (iso: string | number): string => formatClock(iso, opts.lang, tz);

  const unacked = s.alerts.items.filter((a) => !a.acknowledged);
  const unackedErrors = unacked.filter((a) => a.severity === 'error' || a.severity === 'critical');
  const unackedWarnings = unacked.filter((a) => a.severity === 'warning');

  const red: string[] = [];
  const amber: string[] = [];

  // An unacknowledged error outranks "paused": pausing must not hide a failure the user has
  // not seen yet.
  const newestError = unackedErrors.reduce<(typeof unackedErrors)[number] | null>(
    (best, a) => (best === null || Date.parse(a.at) > Date.parse(best.at) ? a : best),
    null,
  );
  if (newestError) red.push(t.unackedError(newestError.message));

  if (isPaused(s) || isDisabled(s)) {
    if (red.length) return { colour: 'red', tooltip: oneLine(opts.lang, red), reasons: red };
    const why = isDisabled(s) ? t.disabled : t.paused;
    return { colour: 'grey', tooltip: oneLine(opts.lang, [why]), reasons: [why] };
  }

  const since = downSince(s);
  if (since !== null) {
    const reason = s.connection.reason ? `: ${s.connection.reason}` : '';
    if (now - since > grace) {
      red.push(`${t.disconnectedSince(clock(since))}${reason}`);
    } else if (s.connection.state === 'reconnecting') {
      amber.push(`${t.reconnecting(s.connection.attempt)}${reason}`);
    } else {
      amber.push(`${t.connecting}${reason}`);
    }
  }

  if (s.connection.possiblyStale) amber.push(t.possiblyStale(s.connection.staleSince ? clock(s.connection.staleSince) : null));
  if (s.calendar.failed > 0) amber.push(t.failed(s.calendar.failed));
  if (s.calendar.heldDeletions > 0) amber.push(t.held(s.calendar.heldDeletions));
  if (s.calendar.pending > 0) amber.push(t.pending(s.calendar.pending));
  if (s.calendar.backend !== 'none' && /^(error|sign-in)/i.test(s.calendar.status)) amber.push(t.calendarProblem(s.calendar.status));
  if (s.storageError) amber.push(t.storageError(s.storageError));
  if (unackedWarnings.length) amber.push(t.unackedWarning(unackedWarnings.length));

  if (red.length) {
    const reasons = [...red, ...amber];
    return { colour: 'red', tooltip: oneLine(opts.lang, reasons), reasons };
  }
  if (amber.length) return { colour: 'amber', tooltip: oneLine(opts.lang, amber), reasons: amber };

  const last = s.counters.last_message_time;
  const ok = [t.subscribed, t.matches(s.matches.list.length), last ? t.lastMessage(clock(last)) : t.noMessagesYet];
  return { colour: 'green', tooltip: oneLine(opts.lang, ok), reasons: [] };
}
