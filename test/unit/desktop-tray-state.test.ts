import { describe, expect, it } from 'vitest';
import { downSince, TOOLTIP_MAX, trayState } from '../../electron/desktop/tray-state';
import { CONNECTION_GRACE_MS } from '../../electron/desktop/app-id';
import { resolveLang } from '../../electron/desktop/text';
import { makeAlert, makeMatch, makeSnapshot, T0 } from '../harness/desktop-snapshot';

const at = (offsetMs: number): string => new Date(Date.parse(T0) + offsetMs).toISOString();

describe('trayState: green', () => {
  it('is green when subscribed and nothing is wrong, with a one-line summary', () => {
    const s = makeSnapshot({ matches: [makeMatch({ matchid: 1 }), makeMatch({ matchid: 2 })] });
    const r = trayState(s, { lang: 'en' });
    expect(r.colour).toBe('green');
    expect(r.tooltip).toBe('FOGIS Monitor — subscribed · 2 matches · last message 16:58');
    expect(r.reasons).toEqual([]);
  });

  it('speaks Swedish', () => {
    const s = makeSnapshot({ matches: [makeMatch({ matchid: 1 })] });
    expect(trayState(s, { lang: 'sv' }).tooltip).toBe('FOGIS Monitor — ansluten · 1 match · senaste meddelande 16:58');
  });

  it('says so when no message arrived yet', () => {
    expect(trayState(makeSnapshot({ lastMessageTime: null }), { lang: 'en' }).tooltip).toContain('no messages yet');
  });

  it('stays green with acknowledged errors and info alerts', () => {
    const s = makeSnapshot({ alerts: [makeAlert({ severity: 'error', acknowledged: true }), makeAlert({ severity: 'info' })] });
    expect(trayState(s, { lang: 'en' }).colour).toBe('green');
  });

  it('shows times in the configured zone', () => {
    const s = makeSnapshot({ config: { calendar: { timeZone: 'UTC' } } });
    expect(trayState(s, { lang: 'en' }).tooltip).toContain('last message 14:58');
  });
});

describe('trayState: amber', () => {
  it('is amber while reconnecting inside the grace period', () => {
    const s = makeSnapshot({
      connection: { state: 'reconnecting', subscribed: false, connected: false, stateSince: at(-10_000), attempt: 3, reason: 'connection refused' },
    });
    const r = trayState(s, { lang: 'en' });
    expect(r.colour).toBe('amber');
    expect(r.tooltip).toBe('FOGIS Monitor — reconnecting (attempt 3): connection refused');
  });

  it('is amber while connecting at start-up', () => {
    const s = makeSnapshot({ connection: { state: 'connecting', subscribed: false, connected: false, stateSince: at(-1_000) } });
    const r = trayState(s, { lang: 'sv' });
    expect(r.colour).toBe('amber');
    expect(r.tooltip).toBe('FOGIS Monitor — ansluter');
  });

  it('is amber when the data may be stale', () => {
    const s = makeSnapshot({ connection: { possiblyStale: true, staleSince: at(-600_000) } });
    const r = trayState(s, { lang: 'en' });
    expect(r.colour).toBe('amber');
    expect(r.tooltip).toBe('FOGIS Monitor — match list possibly out of date since 16:50');
  });

  it.each([
    [{ pending: 3 }, '3 calendar writes pending'],
    [{ failed: 1 }, '1 calendar write failed'],
    [{ heldDeletions: 2 }, '2 deletions held back'],
    [{ backend: 'google' as const, status: 'sign-in needed' }, 'calendar: sign-in needed'],
    [{ backend: 'google' as const, status: 'error: quota' }, 'calendar: error: quota'],
  ])('is amber for calendar trouble %o', (calendar, text) => {
    const r = trayState(makeSnapshot({ calendar }), { lang: 'en' });
    expect(r.colour).toBe('amber');
    expect(r.tooltip).toContain(text);
  });

  it('is amber for unacknowledged warnings and for a storage error', () => {
    expect(trayState(makeSnapshot({ alerts: [makeAlert({ severity: 'warning' }), makeAlert({ severity: 'warning' })] }), { lang: 'en' }).tooltip).toContain(
      '2 unacknowledged warnings',
    );
    const r = trayState(makeSnapshot({ storageError: 'ENOSPC' }), { lang: 'en' });
    expect(r.colour).toBe('amber');
    expect(r.tooltip).toContain('cannot save: ENOSPC');
  });

  it('lists several reasons in order of importance', () => {
    const s = makeSnapshot({ connection: { possiblyStale: true, staleSince: null }, calendar: { failed: 2, pending: 1 } });
    const r = trayState(s, { lang: 'en' });
    expect(r.reasons).toEqual(['match list possibly out of date', '2 calendar writes failed', '1 calendar write pending']);
    expect(r.tooltip).toBe('FOGIS Monitor — match list possibly out of date · 2 calendar writes failed · 1 calendar write pending');
  });
});

describe('trayState: red', () => {
  it('turns red once the outage outlasts the grace period', () => {
    const conn = { state: 'reconnecting' as const, subscribed: false, connected: false, attempt: 5, reason: 'host not found' };
    const before = makeSnapshot({ connection: { ...conn, stateSince: at(-(CONNECTION_GRACE_MS - 1_000)) } });
    const after = makeSnapshot({ connection: { ...conn, stateSince: at(-(CONNECTION_GRACE_MS + 1_000)) } });
    expect(trayState(before, { lang: 'en' }).colour).toBe('amber');
    const r = trayState(after, { lang: 'en' });
    expect(r.colour).toBe('red');
    expect(r.tooltip).toBe('FOGIS Monitor — disconnected since 16:59: host not found');
  });

  it('measures the outage from the start of the gap, not the latest attempt', () => {
    // connecting ⇄ reconnecting resets stateSince each attempt; staleSince does not move.
    const s = makeSnapshot({
      connection: { state: 'connecting', subscribed: false, connected: false, stateSince: at(-2_000), possiblyStale: true, staleSince: at(-120_000) },
    });
    expect(downSince(s)).toBe(Date.parse(at(-120_000)));
    expect(trayState(s, { lang: 'en' }).colour).toBe('red');
  });

  it('honours a custom grace period and an explicit clock', () => {
    const s = makeSnapshot({ connection: { state: 'reconnecting', subscribed: false, connected: false, stateSince: T0 } });
    expect(trayState(s, { lang: 'en', graceMs: 5_000, now: Date.parse(T0) + 6_000 }).colour).toBe('red');
    expect(trayState(s, { lang: 'en', graceMs: 5_000, now: Date.parse(T0) + 4_000 }).colour).toBe('amber');
  });

  it('is red for an unacknowledged error or critical alert, naming the newest', () => {
    const s = makeSnapshot({
      alerts: [
        makeAlert({ severity: 'error', message: 'old failure', at: at(-60_000) }),
        makeAlert({ severity: 'critical', message: 'FOGIS login failed', at: at(-1_000) }),
      ],
    });
    const r = trayState(s, { lang: 'en' });
    expect(r.colour).toBe('red');
    expect(r.tooltip).toBe('FOGIS Monitor — unacknowledged error: FOGIS login failed');
  });

  it('keeps amber reasons after the red ones', () => {
    const s = makeSnapshot({ alerts: [makeAlert({ severity: 'error', message: 'x' })], calendar: { failed: 1 } });
    expect(trayState(s, { lang: 'en' }).reasons).toEqual(['unacknowledged error: x', '1 calendar write failed']);
  });
});

describe('trayState: grey', () => {
  it('is grey when paused (subscriber stopped)', () => {
    const s = makeSnapshot({ connection: { state: 'stopped', subscribed: false, connected: false, reason: 'paused', stateSince: at(-3_600_000) } });
    const r = trayState(s, { lang: 'en' });
    expect(r.colour).toBe('grey');
    expect(r.tooltip).toBe('FOGIS Monitor — paused');
    expect(trayState(s, { lang: 'sv' }).tooltip).toBe('FOGIS Monitor — pausad');
  });

  it('is grey when Redis is disabled, even though it is "down" for an hour', () => {
    const s = makeSnapshot({
      config: { redis: { enabled: false } },
      connection: { state: 'disabled', subscribed: false, connected: false, stateSince: at(-3_600_000) },
    });
    const r = trayState(s, { lang: 'en' });
    expect(r.colour).toBe('grey');
    expect(r.tooltip).toBe('FOGIS Monitor — Redis disabled in settings');
    expect(downSince(s)).toBeNull();
  });

  it('does not let pausing hide an unacknowledged error', () => {
    const s = makeSnapshot({ connection: { state: 'stopped', subscribed: false, connected: false }, alerts: [makeAlert({ severity: 'error', message: 'boom' })] });
    expect(trayState(s, { lang: 'en' }).colour).toBe('red');
  });
});

describe('trayState: tooltip form', () => {
  it('is one line of at most 127 characters (Windows limit)', () => {
    const long = 'x'.repeat(300);
    const s = makeSnapshot({ alerts: [makeAlert({ severity: 'error', message: `line one\nline two ${long}` })], calendar: { failed: 3, pending: 4 } });
    const r = trayState(s, { lang: 'en' });
    expect(r.tooltip.length).toBeLessThanOrEqual(TOOLTIP_MAX);
    expect(r.tooltip).not.toMatch(/\n/);
    expect(r.tooltip.endsWith('…')).toBe(true);
  });

  it('is deterministic for a snapshot (uses the snapshot clock by default)', () => {
    const s = makeSnapshot({ connection: { state: 'reconnecting', subscribed: false, connected: false, stateSince: at(-60_000) } });
    expect(trayState(s, { lang: 'en' })).toEqual(trayState(s, { lang: 'en' }));
  });
});

describe('resolveLang', () => {
  it('follows the setting, else the OS languages', () => {
    expect(resolveLang('sv', ['en-US'])).toBe('sv');
    expect(resolveLang('en', ['sv-SE'])).toBe('en');
    expect(resolveLang('auto', ['en-GB', 'sv-SE'])).toBe('sv');
    expect(resolveLang('auto', ['de-DE'])).toBe('en');
    expect(resolveLang('auto', [])).toBe('en');
  });
});
