import type { AppConfig } from '../../shared/config';
import { formatLocalDate, readTid, STOCKHOLM } from '../../shared/fogis-time';
import type { AlertSeverity, FogisMatch } from '../../shared/messages';
import type { Alert, MatchChange, Snapshot } from '../../shared/state';
import { CONNECTION_GRACE_MS } from './app-id';
import { downSince } from './tray-state';
import { sayRef } from '../../shared/i18n/say';
import { formatClock, formatDuration, TEXT, type Lang } from './text';

/**
 * What deserves a native notification, and when (issue §2, notifications). Pure: it takes
 * events and a clock and returns the notifications to show, so the storm control, mute and
 * thresholds are tested without Electron. notifications.ts turns the result into toasts.
 */

export type NotificationKind = 'alert' | 'processor' | 'connection' | 'match';

/** Where a click takes the user; the renderer reads it from the URL hash (window.ts). */
export interface NotificationTarget {
  page: 'overview' | 'alerts' | 'matches';
  id: string | null;
}

export interface PlannedNotification {
  kind: NotificationKind;
  title: string;
  body: string;
  target: NotificationTarget;
  urgency: 'normal' | 'critical';
}

export interface PolicyOptions {
  now?: () => number;
  lang: () => Lang;
  minSeverity: () => AppConfig['ui']['notifyMinSeverity'];
  timeZone?: () => string;
  /** @default 10_000 */
  stormWindowMs?: number;
  /** @default CONNECTION_GRACE_MS */
  connectionGraceMs?: number;
}

const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, error: 2, critical: 3 };

export function meetsThreshold(severity: AlertSeverity, min: AppConfig['ui']['notifyMinSeverity']): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[min];
}

/** The one-line form used in summaries and logs: "Avspark flyttad: A - B, 17:00 → 18:30". */
export function oneLine(n: Pick<PlannedNotification, 'title' | 'body'>): string {
  return n.body ? `${n.title}: ${n.body}` : n.title;
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '–';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * `/Date(ms)/` (production) or ISO (MLP fixtures) → epoch ms, read by the project's one time
 * module: the FOGIS null date is "no time" (not the year 1), and an ISO time without a zone is
 * Swedish time, not the machine's.
 */
export function parseFogisTime(value: unknown, timeZone: string = STOCKHOLM): number | null {
  const r = readTid(value, timeZone);
  return r.kind === 'instant' ? r.ms : null;
}

function ymd(ms: number, timeZone: string): string {
  return formatLocalDate(new Date(ms), timeZone);
}

interface Moves {
  date: { old: string; new: string } | null;
  kickoff: { old: string; new: string } | null;
  venue: { old: string; new: string } | null;
}

function findMoves(change: MatchChange, lang: Lang, timeZone: string): Moves {
  const field = (name: string) => change.fields.find((f) => f.field === name);
  const date = field('speldatum');
  const kickoff = field('avsparkstid');
  const venue = field('anlaggningnamn');
  const moves: Moves = {
    date: date ? { old: show(date.old), new: show(date.new) } : null,
    kickoff: kickoff ? { old: show(kickoff.old), new: show(kickoff.new) } : null,
    venue: venue ? { old: show(venue.old), new: show(venue.new) } : null,
  };
  // The core's diff reports a moved `tid` as one `kickoff` field, "YYYY-MM-DD HH:MM" in
  // Stockholm time (electron/core/monitor/match-diff.ts); split it back into date and time.
  const combined = field('kickoff');
  const split = (v: unknown): [string, string] | null => {
    const m = typeof v === 'string' ? /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})/.exec(v) : null;
    return m?.[1] && m[2] ? [m[1], m[2]] : null;
  };
  const tid = field('tid');
  if (combined && !moves.date && !moves.kickoff) {
    const a = split(combined.old);
    const b = split(combined.new);
    if (a && b && a[0] === b[0]) moves.kickoff = { old: a[1], new: b[1] };
    else moves.date = { old: show(combined.old), new: show(combined.new) };
  } else if (tid && !moves.date && !moves.kickoff) {
    // Some producers change only `tid`; split it into date and time ourselves.
    const a = parseFogisTime(tid.old, timeZone);
    const b = parseFogisTime(tid.new, timeZone);
    if (a !== null && b !== null) {
      const [da, db] = [ymd(a, timeZone), ymd(b, timeZone)];
      const [ta, tb] = [formatClock(a, lang, timeZone), formatClock(b, lang, timeZone)];
      if (da !== db) moves.date = { old: `${da} ${ta}`, new: `${db} ${tb}` };
      else if (ta !== tb) moves.kickoff = { old: ta, new: tb };
    }
  } else if (moves.date && kickoff) {
    // Date and time moved together: say both in the one line.
    moves.date = { old: `${moves.date.old} ${show(kickoff.old)}`, new: `${moves.date.new} ${show(kickoff.new)}` };
  }
  return moves;
}

function whenOf(match: FogisMatch | undefined, lang: Lang, timeZone: string): string | null {
  if (!match) return null;
  if (match.speldatum && match.avsparkstid) return `${match.speldatum} ${match.avsparkstid}`;
  const t = parseFogisTime(match.tid, timeZone);
  return t === null ? null : `${ymd(t, timeZone)} ${formatClock(t, lang, timeZone)}`;
}

/** Text for one high-impact change, or null when the change is not worth interrupting for. */
export function describeChange(
  change: MatchChange,
  lang: Lang,
  timeZone = 'Europe/Stockholm',
  matches: readonly FogisMatch[] = [],
): { title: string; body: string } | null {
  const n = TEXT[lang].note;
  const match = matches.find((m) => String(m.matchid) === change.matchId);
  const withWhen = (title: string) => {
    const when = whenOf(match, lang, timeZone);
    return { title, body: when ? `${change.title}, ${when}` : change.title };
  };
  switch (change.kind) {
    case 'new':
      return withWhen(n.newMatch);
    case 'cancelled':
      return withWhen(n.cancelled);
    case 'postponed':
      return withWhen(n.postponed);
    case 'removed':
      return { title: n.removed, body: change.title };
    case 'changed': {
      const m = findMoves(change, lang, timeZone);
      if (m.date) return { title: n.dateMoved, body: `${change.title}, ${m.date.old} → ${m.date.new}` };
      if (m.kickoff) return { title: n.kickoffMoved, body: `${change.title}, ${m.kickoff.old} → ${m.kickoff.new}` };
      if (m.venue) return { title: n.venueChanged, body: `${change.title}, ${m.venue.old} → ${m.venue.new}` };
      return null;
    }
    default:
      return null;
  }
}

interface StormWindow {
  lastShownAt: number;
  suppressed: PlannedNotification[];
}

export class NotificationPolicy {
  private readonly now: () => number;
  private readonly stormMs: number;
  private readonly graceMs: number;
  private readonly windows = new Map<NotificationKind, StormWindow>();
  private mutedUntil: number | null = null;
  private lastFailedId: string | null | undefined = undefined;
  /** When the current outage began (our clock), null while connected or deliberately off. */
  private downAt: number | null = null;
  private lostNotified = false;
  /** The loss was told to the user (not swallowed by mute), so "restored" makes sense. */
  private lostAnnounced = false;
  private lastSnapshot: Snapshot | null = null;
  /** Counts for the log and tests: shown, suppressed by storm control, dropped while muted. */
  readonly stats = { shown: 0, suppressed: 0, summarised: 0, muted: 0 };

  constructor(private readonly opts: PolicyOptions) {
    this.now = opts.now ?? Date.now;
    this.stormMs = opts.stormWindowMs ?? 10_000;
    this.graceMs = opts.connectionGraceMs ?? CONNECTION_GRACE_MS;
  }

  private get lang(): Lang {
    return this.opts.lang();
  }

  private get tz(): string {
    return this.opts.timeZone?.() ?? this.lastSnapshot?.config.calendar.timeZone ?? 'Europe/Stockholm';
  }

  /** `until` in epoch ms; null unmutes. */
  mute(until: number | null): void {
    this.mutedUntil = until;
    if (this.isMuted()) for (const w of this.windows.values()) w.suppressed = [];
  }

  isMuted(): boolean {
    return this.mutedUntil !== null && this.now() < this.mutedUntil;
  }

  mutedUntilMs(): number | null {
    return this.isMuted() ? this.mutedUntil : null;
  }

  onAlert(alert: Alert): PlannedNotification[] {
    // Processor failures are announced from the cycle state (onSnapshot), once.
    if (alert.source === 'processor') return [];
    if (!meetsThreshold(alert.severity, this.opts.minSeverity())) return [];
    const n = TEXT[this.lang].note;
    return this.emit({
      kind: 'alert',
      title: `${n.severity[alert.severity]}: ${alert.alertType}`,
      body: alert.message,
      target: { page: 'alerts', id: alert.id },
      urgency: alert.severity === 'critical' ? 'critical' : 'normal',
    });
  }

  onChanges(changes: readonly MatchChange[], snapshot?: Snapshot): PlannedNotification[] {
    if (snapshot) this.lastSnapshot = snapshot;
    const list = snapshot?.matches.list ?? this.lastSnapshot?.matches.list ?? [];
    const lines = changes
      .map((c) => ({ c, d: describeChange(c, this.lang, this.tz, list) }))
      .filter((x): x is { c: MatchChange; d: { title: string; body: string } } => x.d !== null);
    const first = lines[0];
    if (!first) return [];
    if (lines.length === 1) return this.emit({ kind: 'match', ...first.d, target: { page: 'matches', id: first.c.matchId }, urgency: 'normal' });
    // One diff is one event for the user: a list that moves five matches is one notification.
    return this.emit({
      kind: 'match',
      title: TEXT[this.lang].note.manyChanges(lines.length),
      body: lines.slice(0, 3).map((l) => oneLine(l.d)).join('\n'),
      target: { page: 'matches', id: null },
      urgency: 'normal',
    });
  }

  onSnapshot(s: Snapshot): PlannedNotification[] {
    this.lastSnapshot = s;
    const out: PlannedNotification[] = [];
    const failed = s.processor.lastFailed;
    const failedId = failed ? `${failed.messageId}@${failed.at}` : null;
    // The first snapshot is the baseline: a failure from before the app started is on the
    // dashboard already and is not news.
    if (this.lastFailedId !== undefined && failedId !== null && failedId !== this.lastFailedId && failed) {
      const detail = failed.details['error_message'] ?? failed.details['error'] ?? failed.details['message'] ?? failed.details['reason'];
      out.push(
        ...this.emit({
          kind: 'processor',
          title: TEXT[this.lang].note.processorFailed,
          body: typeof detail === 'string' ? detail : formatClock(failed.at, this.lang, this.tz),
          target: { page: 'overview', id: null },
          urgency: 'normal',
        }),
      );
    }
    this.lastFailedId = failedId;

    const down = downSince(s) !== null;
    if (down && this.downAt === null) this.downAt = this.now();
    if (!down && this.downAt !== null) {
      const after = this.now() - this.downAt;
      this.downAt = null;
      const announced = this.lostAnnounced;
      this.lostNotified = false;
      this.lostAnnounced = false;
      if (announced) {
        const n = TEXT[this.lang].note;
        out.push(
          ...this.emit({
            kind: 'connection',
            title: n.connectionRestored,
            body: n.connectionRestoredBody(formatDuration(after, this.lang)),
            target: { page: 'overview', id: null },
            urgency: 'normal',
          }),
        );
      }
    }
    out.push(...this.tick());
    return out;
  }

  /** Why the connection is down, in the user's language (shared/text-ref.ts). */
  private reasonText(): string | null {
    const c = this.lastSnapshot?.connection;
    if (!c?.reason && !c?.reasonCode) return null;
    const ref = c.reasonCode ?? { key: 'reason.other', params: { detail: c.reason ?? '' } };
    return sayRef(this.lang, ref, { time: (iso) => formatClock(iso, this.lang, this.tz) });
  }

  /** Call periodically: the outage grace and storm summaries are time-based. */
  tick(): PlannedNotification[] {
    const now = this.now();
    const out: PlannedNotification[] = [];
    if (this.downAt !== null && !this.lostNotified && now - this.downAt > this.graceMs) {
      this.lostNotified = true;
      const n = TEXT[this.lang].note;
      const mutedBefore = this.stats.muted;
      out.push(
        ...this.emit({
          kind: 'connection',
          title: n.connectionLost,
          body: n.connectionLostBody(formatClock(this.downAt, this.lang, this.tz), this.reasonText()),
          target: { page: 'overview', id: null },
          urgency: 'normal',
        }),
      );
      this.lostAnnounced = this.stats.muted === mutedBefore;
    }
    for (const [kind, w] of this.windows) {
      if (w.suppressed.length && now - w.lastShownAt >= this.stormMs) {
        out.push(this.summarise(kind, w, now));
      }
    }
    return out;
  }

  /** When `tick` next has something to do, so the adapter can sleep until then. */
  nextWakeAt(): number | null {
    const times: number[] = [];
    if (this.downAt !== null && !this.lostNotified) times.push(this.downAt + this.graceMs + 1);
    for (const w of this.windows.values()) if (w.suppressed.length) times.push(w.lastShownAt + this.stormMs);
    return times.length ? Math.min(...times) : null;
  }

  private summarise(kind: NotificationKind, w: StormWindow, now: number): PlannedNotification {
    const items = w.suppressed;
    w.suppressed = [];
    w.lastShownAt = now;
    this.stats.shown++;
    const only = items.length === 1 ? items[0] : undefined;
    if (only) return only;
    this.stats.summarised++;
    const n = TEXT[this.lang].note;
    const latest = items[items.length - 1];
    return {
      kind,
      title: n.more(items.length, kind),
      body: latest ? n.latest(oneLine(latest)) : '',
      target: { page: latest?.target.page ?? 'overview', id: null },
      urgency: items.some((i) => i.urgency === 'critical') ? 'critical' : 'normal',
    };
  }

  private emit(n: PlannedNotification): PlannedNotification[] {
    if (this.isMuted()) {
      this.stats.muted++;
      return [];
    }
    const now = this.now();
    const w = this.windows.get(n.kind);
    if (!w) {
      this.windows.set(n.kind, { lastShownAt: now, suppressed: [] });
      this.stats.shown++;
      return [n];
    }
    if (now - w.lastShownAt < this.stormMs) {
      w.suppressed.push(n);
      this.stats.suppressed++;
      return [];
    }
    if (w.suppressed.length) {
      // The window has passed with a backlog nobody ticked out: fold the new one in, so the
      // user gets one summary rather than a summary and a toast at once.
      w.suppressed.push(n);
      return [this.summarise(n.kind, w, now)];
    }
    w.lastShownAt = now;
    this.stats.shown++;
    return [n];
  }
}
