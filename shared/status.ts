import type { TextParams, TextRef } from './text-ref';
import type { Alert, CalendarState, ConnectionInfo, Counters, MatchesState, ProcessorInfo } from './state';
import type { StatusCode, StatusLevel, StatusPart, StatusReason, Status } from './status-schema';

export * from './status-schema';

/**
 * The one honest status (issue 14.2): Redis, staleness, processor, calendar, alerts and
 * storage, each with its level and reasons, and one overall level and headline. The core
 * computes it for every snapshot (electron/core/monitor/monitor.ts) and `/health`; the header,
 * the cards, the tray tooltip and colour only read it, so they cannot contradict each other.
 * Pure: the clock is an argument.
 */

/** How long the subscription may be down before the status turns red (tray, header, notification). */
export const CONNECTION_GRACE_MS = 30_000;

export interface StatusInput {
  now: string;
  connection: ConnectionInfo;
  counters: Pick<Counters, 'last_message_time'>;
  processor: ProcessorInfo;
  alerts: { items: Alert[] };
  matches: Pick<MatchesState, 'receivedAt' | 'list'>;
  calendar: CalendarState;
  storageError: string | null;
  config: { redis: { enabled: boolean } };
}

export interface StatusOptions {
  /** Defaults to the input's own `now`, so one snapshot always gives one status. */
  now?: number;
  graceMs?: number;
  demo?: boolean;
}

const reason = (code: StatusCode, params: TextParams = {}, cause: TextRef | null = null): StatusReason => ({ code, params, cause });
const RANK: Record<StatusLevel, number> = { ok: 0, off: 1, warn: 2, error: 3 };
const worst = (levels: StatusLevel[]): StatusLevel => levels.reduce<StatusLevel>((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok');

const isPaused = (s: StatusInput): boolean => s.connection.state === 'stopped';
const isDisabled = (s: StatusInput): boolean => s.connection.state === 'disabled' || !s.config.redis.enabled;

/**
 * When the subscription went away, or null while it is up or deliberately off. The core may
 * cycle connecting ⇄ reconnecting per attempt, which resets `stateSince`; `staleSince` marks
 * the start of the gap, so the earlier of the two is the honest answer.
 */
export function downSince(s: Pick<StatusInput, 'connection' | 'config'>): number | null {
  if (s.connection.state === 'stopped' || s.connection.state === 'disabled' || !s.config.redis.enabled) return null;
  if (s.connection.state === 'subscribed' && s.connection.subscribed) return null;
  const times = [s.connection.stateSince, s.connection.staleSince]
    .filter((t): t is string => typeof t === 'string')
    .map((t) => Date.parse(t))
    .filter((t) => Number.isFinite(t));
  return times.length ? Math.min(...times) : null;
}

/** The connection's structured reason; an old-style text without one is shown as it is. */
function connectionCause(c: ConnectionInfo): TextRef | null {
  if (c.reasonCode) return c.reasonCode;
  return c.reason ? { key: 'reason.other', params: { detail: c.reason } } : null;
}

function redisPart(s: StatusInput, now: number, grace: number): { part: StatusPart; recheckAt: number | null } {
  const c = s.connection;
  if (isDisabled(s)) return { part: { level: 'off', reasons: [reason('redisDisabled')] }, recheckAt: null };
  if (isPaused(s)) return { part: { level: 'off', reasons: [reason('redisPaused')] }, recheckAt: null };
  const since = downSince(s);
  if (since === null) return { part: { level: 'ok', reasons: [] }, recheckAt: null };
  const cause = connectionCause(c);
  const sinceIso = new Date(since).toISOString();
  if (now - since > grace) return { part: { level: 'error', reasons: [reason('redisDown', { since: sinceIso }, cause)] }, recheckAt: null };
  const r = c.state === 'reconnecting' ? reason('redisReconnecting', { attempt: c.attempt, since: sinceIso }, cause) : reason('redisConnecting', { since: sinceIso }, cause);
  return { part: { level: 'warn', reasons: [r] }, recheckAt: since + grace + 1 };
}

function processorPart(s: StatusInput): StatusPart {
  const p = s.processor;
  const failed = p.lastFailed;
  const completed = p.lastCompleted;
  // The newest finished cycle decides; a failure stays until a later cycle completes,
  // whether or not its alert was acknowledged (acknowledged is not healthy).
  if (failed && (!completed || Date.parse(failed.at) >= Date.parse(completed.at))) {
    const d = failed.details;
    const error = typeof d.error_message === 'string' ? d.error_message : '';
    return { level: 'warn', reasons: [reason('procFailed', { at: failed.at, error })] };
  }
  if (p.last?.status === 'started') return { level: 'ok', reasons: [reason('procRunning', { at: p.last.at })] };
  if (completed) return { level: 'ok', reasons: [reason('procOk', { at: completed.at })] };
  return { level: 'ok', reasons: [reason('procNone')] };
}

function calendarPart(s: StatusInput): StatusPart {
  const cal = s.calendar;
  const reasons: StatusReason[] = [];
  if (cal.failed > 0) reasons.push(reason('calFailed', { n: cal.failed }));
  if (cal.heldDeletions > 0) reasons.push(reason('calHeld', { n: cal.heldDeletions }));
  if (cal.pending > 0) reasons.push(reason('calPending', { n: cal.pending }));
  if (/^sign-in/i.test(cal.status)) reasons.push(reason('calSignIn'));
  else if (/^error/i.test(cal.status)) reasons.push(reason('calError', { detail: cal.status.replace(/^error:\s*/i, '') }));
  return reasons.length ? { level: 'warn', reasons } : { level: 'ok', reasons: [reason('calOk')] };
}

function alertsPart(s: StatusInput): StatusPart {
  const unacked = s.alerts.items.filter((a) => !a.acknowledged);
  const errors = unacked.filter((a) => a.severity === 'error' || a.severity === 'critical');
  const warnings = unacked.filter((a) => a.severity === 'warning');
  const reasons: StatusReason[] = [];
  const newest = errors.reduce<Alert | null>((best, a) => (best === null || Date.parse(a.at) > Date.parse(best.at) ? a : best), null);
  if (newest) {
    // The app's own alerts are said in the user's language; a processor's text is shown as sent.
    reasons.push(newest.source === 'app' && newest.text ? reason('alertErrorApp', {}, newest.text) : reason('alertError', { message: newest.message, source: newest.source }));
  }
  if (warnings.length) reasons.push(reason('alertWarnings', { n: warnings.length }));
  return { level: newest ? 'error' : warnings.length ? 'warn' : 'ok', reasons };
}

export function computeStatus(s: StatusInput, opts: StatusOptions = {}): Status {
  const now = opts.now ?? Date.parse(s.now);
  const grace = opts.graceMs ?? CONNECTION_GRACE_MS;
  const redis = redisPart(s, now, grace);
  const stale: StatusPart = s.connection.possiblyStale
    ? { level: 'warn', reasons: [s.connection.staleSince ? reason('staleSince', { since: s.connection.staleSince }) : reason('stale')] }
    : { level: 'ok', reasons: [] };
  const parts = {
    redis: redis.part,
    staleness: stale,
    processor: processorPart(s),
    calendar: calendarPart(s),
    alerts: alertsPart(s),
    storage: s.storageError ? { level: 'warn' as const, reasons: [reason('storageError', { detail: s.storageError })] } : { level: 'ok' as const, reasons: [] },
  };
  const notFine = (p: StatusPart): StatusReason[] => (p.level === 'ok' ? [] : p.reasons);
  // Most important first: what is broken, then what is deliberately off, then what to look at.
  const errors = [parts.alerts, parts.redis].filter((p) => p.level === 'error').flatMap((p) => p.reasons.filter((r) => r.code !== 'alertWarnings'));
  const offs = parts.redis.level === 'off' ? parts.redis.reasons : [];
  const warns = [
    ...(parts.redis.level === 'warn' ? parts.redis.reasons : []),
    ...notFine(parts.staleness),
    ...notFine(parts.processor),
    ...notFine(parts.calendar),
    ...notFine(parts.storage),
    ...parts.alerts.reasons.filter((r) => r.code === 'alertWarnings'),
  ];
  const reasons = [...errors, ...offs, ...warns];
  const level: StatusLevel = errors.length ? 'error' : warns.length ? 'warn' : offs.length ? 'off' : worst(Object.values(parts).map((p) => p.level));
  const headline = reasons[0] ?? (s.matches.receivedAt === null ? reason('noData') : reason('allOk', { matches: s.matches.list.length }));
  return {
    level,
    headline,
    reasons,
    parts,
    recheckAt: redis.recheckAt === null ? null : new Date(redis.recheckAt).toISOString(),
    demo: opts.demo ?? false,
  };
}

/** A snapshot-like value with its status (re)computed: for hosts other than the core (tests, the memory bridge). */
export function withStatus<T extends StatusInput>(s: T, opts: StatusOptions = {}): T & { status: Status } {
  return { ...s, status: computeStatus(s, opts) };
}
