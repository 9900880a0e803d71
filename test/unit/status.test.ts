import { describe, expect, it } from 'vitest';
import { computeStatus, CONNECTION_GRACE_MS, type Status } from '../../shared/status';
import { sayReason } from '../../shared/i18n/say';
import { connectionReason } from '../../shared/text-ref';
import type { Cycle } from '../../shared/state';
import { makeAlert, makeSnapshot, T0 } from '../harness/desktop-snapshot';

/** The one status (issue 14.2): every rule, from snapshots the real schema accepts. */
const at = (offsetMs: number): string => new Date(Date.parse(T0) + offsetMs).toISOString();
const cycle = (status: Cycle['status'], offsetMs: number, details: Record<string, unknown> = {}): Cycle => ({ status, at: at(offsetMs), details, messageId: `m${offsetMs}` });
const en = (st: Status): string => sayReason('en', st.headline, { time: (iso) => iso.slice(11, 16) });

describe('computeStatus', () => {
  it('is ok with every part ok when subscribed, fresh and quiet', () => {
    const st = computeStatus(makeSnapshot({ matches: [] }));
    expect(st.level).toBe('ok');
    expect(st.reasons).toEqual([]);
    expect(Object.values(st.parts).every((p) => p.level === 'ok')).toBe(true);
    expect(st.headline.code).toBe('noData');
  });

  it('says allOk once a match list arrived', () => {
    const s = makeSnapshot();
    s.matches.receivedAt = at(-1000);
    expect(computeStatus(s).headline.code).toBe('allOk');
  });

  it('a failed last processor cycle is not healthy, acknowledged or not', () => {
    const failed = cycle('failed', -5_000, { error_message: 'FOGIS API unreachable' });
    const unacked = makeSnapshot({ processor: { last: failed, lastFailed: failed, lastCompleted: cycle('completed', -600_000) }, alerts: [makeAlert({ source: 'processor', severity: 'error', message: 'Processing cycle failed: FOGIS API unreachable' })] });
    const acked = makeSnapshot({ processor: { last: failed, lastFailed: failed, lastCompleted: cycle('completed', -600_000) }, alerts: [makeAlert({ source: 'processor', severity: 'error', acknowledged: true })] });
    expect(computeStatus(unacked).level).toBe('error');
    const st = computeStatus(acked);
    expect(st.level).toBe('warn');
    expect(st.parts.processor.level).toBe('warn');
    expect(st.headline.code).toBe('procFailed');
    expect(st.headline.params.error).toBe('FOGIS API unreachable');
    expect(en(st)).toBe('last processor check failed 14:59');
  });

  it('a later completed cycle clears the processor failure', () => {
    const s = makeSnapshot({ processor: { lastFailed: cycle('failed', -60_000), lastCompleted: cycle('completed', -1_000), last: cycle('completed', -1_000) } });
    expect(computeStatus(s).parts.processor).toEqual({ level: 'ok', reasons: [{ code: 'procOk', params: { at: at(-1_000) }, cause: null }] });
  });

  it('Redis: amber inside the grace period with the structured reason, red after it, with a recheck time', () => {
    const conn = { state: 'reconnecting' as const, subscribed: false, connected: false, attempt: 4, reason: 'connection refused: …', reasonCode: connectionReason('connection_refused'), stateSince: at(-10_000) };
    const st = computeStatus(makeSnapshot({ connection: conn }));
    expect(st.level).toBe('warn');
    expect(st.parts.redis.reasons[0]).toMatchObject({ code: 'redisReconnecting', params: { attempt: 4 }, cause: { key: 'reason.connection_refused' } });
    expect(st.recheckAt).toBe(new Date(Date.parse(at(-10_000)) + CONNECTION_GRACE_MS + 1).toISOString());
    const later = computeStatus(makeSnapshot({ connection: conn }), { now: Date.parse(T0) + CONNECTION_GRACE_MS });
    expect(later.level).toBe('error');
    expect(later.headline.code).toBe('redisDown');
    expect(later.recheckAt).toBeNull();
    expect(sayReason('sv', later.headline, { time: () => '16:59' })).toBe('ingen kontakt sedan 16:59: anslutningen nekades');
  });

  it('an old reason without a code is shown as it is (never dropped)', () => {
    const st = computeStatus(makeSnapshot({ connection: { state: 'connecting', subscribed: false, connected: false, reason: 'odd', stateSince: at(-1_000) } }));
    expect(st.headline.cause).toEqual({ key: 'reason.other', params: { detail: 'odd' } });
  });

  it('staleness is its own part and makes the status amber', () => {
    const st = computeStatus(makeSnapshot({ connection: { possiblyStale: true, staleSince: at(-60_000) } }));
    expect(st.level).toBe('warn');
    expect(st.parts.staleness.reasons).toEqual([{ code: 'staleSince', params: { since: at(-60_000) }, cause: null }]);
    expect(st.parts.redis.level).toBe('ok');
  });

  it('paused is off (grey) but does not hide an error, nor a warning', () => {
    const paused = { state: 'stopped' as const, subscribed: false, connected: false };
    expect(computeStatus(makeSnapshot({ connection: paused })).level).toBe('off');
    expect(computeStatus(makeSnapshot({ connection: paused, alerts: [makeAlert({ severity: 'error' })] })).level).toBe('error');
    const st = computeStatus(makeSnapshot({ connection: { ...paused, possiblyStale: true, staleSince: T0 } }));
    expect(st.level).toBe('warn');
    expect(st.headline.code).toBe('redisPaused');
  });

  it('calendar and storage are parts with their reasons', () => {
    const st = computeStatus(makeSnapshot({ calendar: { failed: 2, pending: 1, heldDeletions: 1, backend: 'google', status: 'sign-in needed' }, storageError: 'ENOSPC' }));
    expect(st.parts.calendar.reasons.map((r) => r.code)).toEqual(['calFailed', 'calHeld', 'calPending', 'calSignIn']);
    expect(st.parts.storage.reasons[0]?.params.detail).toBe('ENOSPC');
    expect(st.level).toBe('warn');
  });

  it('orders reasons: errors, deliberately off, then warnings', () => {
    const st = computeStatus(makeSnapshot({ connection: { state: 'stopped', subscribed: false, connected: false, possiblyStale: true, staleSince: T0 }, alerts: [makeAlert({ severity: 'error', message: 'boom' })], calendar: { failed: 1 } }));
    expect(st.reasons.map((r) => r.code)).toEqual(['alertError', 'redisPaused', 'staleSince', 'calFailed']);
  });

  it("an app alert's error is said by its catalogue text", () => {
    const st = computeStatus(makeSnapshot({ alerts: [makeAlert({ source: 'app', severity: 'error', message: 'x', text: { key: 'appAlert.storage', params: { error: 'ENOSPC' } } })] }));
    expect(st.headline).toEqual({ code: 'alertErrorApp', params: {}, cause: { key: 'appAlert.storage', params: { error: 'ENOSPC' } } });
    expect(sayReason('sv', st.headline, { time: (i) => i })).toMatch(/^oläst fel: Kan inte spara programmets tillstånd: ENOSPC/);
  });

  it('carries the demo mark', () => {
    expect(computeStatus(makeSnapshot(), { demo: true }).demo).toBe(true);
    expect(computeStatus(makeSnapshot()).demo).toBe(false);
  });
});
