import type { Snapshot } from '../../shared/state';
import { computeStatus, downSince as statusDownSince, type StatusLevel } from '../../shared/status';
import { sayReason } from '../../shared/i18n/say';
import { formatClock, TEXT, type Lang } from './text';

/**
 * The tray icon's colour and tooltip: the core's one status (shared/status.ts) said in one
 * line, so the tray, the dashboard header and `/health` never disagree (issue 14.2). Pure, so
 * every rule is unit-tested without Electron.
 */
export type TrayColour = 'green' | 'amber' | 'red' | 'grey';
export const TRAY_COLOURS: readonly TrayColour[] = ['green', 'amber', 'red', 'grey'];

export interface TrayStateOptions {
  lang: Lang;
  /** Re-evaluates the status at this time (the grace period); defaults to the snapshot's. */
  now?: number;
  /** Re-evaluates the status with this grace period. */
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

const COLOUR: Record<StatusLevel, TrayColour> = { ok: 'green', warn: 'amber', error: 'red', off: 'grey' };

export const downSince = (s: Snapshot): number | null => statusDownSince(s);

function clip(line: string): string {
  const flat = line.replace(/\s+/g, ' ').trim();
  return flat.length <= TOOLTIP_MAX ? flat : `${flat.slice(0, TOOLTIP_MAX - 1)}…`;
}

export function trayState(s: Snapshot, opts: TrayStateOptions): TrayState {
  const t = TEXT[opts.lang];
  const tz = s.config.calendar.timeZone;
  const time = (iso: string | number): string => formatClock(iso, opts.lang, tz);
  // The core's status; recomputed by the same function only when asked for another moment.
  const status = opts.now !== undefined || opts.graceMs !== undefined
    ? computeStatus(s, { ...(opts.now !== undefined ? { now: opts.now } : {}), ...(opts.graceMs !== undefined ? { graceMs: opts.graceMs } : {}), demo: s.status.demo })
    : s.status;
  const demo = status.demo ? [sayReason(opts.lang, { code: 'demo', params: {}, cause: null }, { time })] : [];
  const colour = COLOUR[status.level];
  if (status.reasons.length > 0) {
    const reasons = status.reasons.map((r) => sayReason(opts.lang, r, { time }));
    return { colour, tooltip: clip(`${t.app} — ${[...demo, ...reasons].join(' · ')}`), reasons };
  }
  const last = s.counters.last_message_time;
  const ok = [...demo, t.subscribed, t.matches(s.matches.list.length), last ? t.lastMessage(time(last)) : t.noMessagesYet];
  return { colour, tooltip: clip(`${t.app} — ${ok.join(' · ')}`), reasons: [] };
}
