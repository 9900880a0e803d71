import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../harness/fake-electron'));

import { fake, Notification as FakeNotification } from '../harness/fake-electron';
import { createMemoryLogger } from '../../electron/core/log';
import {
  describeChange,
  DesktopNotifier,
  escapeNotificationMarkup,
  meetsThreshold,
  NotificationPolicy,
  oneLine,
  parseFogisTime,
  type PlannedNotification,
} from '../../electron/desktop/notifications';
import type { AppConfig } from '../../shared/config';
import type { MatchChange, Snapshot } from '../../shared/state';
import type { Lang } from '../../electron/desktop/text';
import { diffMatches } from '../../electron/core/monitor/match-diff';
import { makeAlert, makeMatch, makeSnapshot, T0 } from '../harness/desktop-snapshot';

const TITLE = 'Öckerö IF - Torslanda IK';

function change(o: Partial<MatchChange> & Pick<MatchChange, 'kind'>): MatchChange {
  return { matchId: '6400101', title: TITLE, fields: [], at: T0, messageId: 'm1', ...o };
}

function setup(opts: { lang?: Lang; min?: AppConfig['ui']['notifyMinSeverity'] } = {}) {
  let now = Date.parse(T0);
  const settings = { lang: opts.lang ?? 'en', min: opts.min ?? 'warning' };
  const policy = new NotificationPolicy({ now: () => now, lang: () => settings.lang, minSeverity: () => settings.min, timeZone: () => 'Europe/Stockholm' });
  return {
    policy,
    settings,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

const down = (sinceIso: string, reason: string | null = 'connection refused'): Snapshot =>
  makeSnapshot({ connection: { state: 'reconnecting', subscribed: false, connected: false, stateSince: sinceIso, reason } });
const up = (): Snapshot => makeSnapshot();

describe('severity threshold', () => {
  it('orders info < warning < error < critical', () => {
    expect(meetsThreshold('warning', 'warning')).toBe(true);
    expect(meetsThreshold('info', 'warning')).toBe(false);
    expect(meetsThreshold('critical', 'error')).toBe(true);
    expect(meetsThreshold('warning', 'error')).toBe(false);
    expect(meetsThreshold('info', 'info')).toBe(true);
  });

  it('notifies system alerts at or above the configured severity (default warning)', () => {
    const { policy, settings } = setup();
    expect(policy.onAlert(makeAlert({ severity: 'info' }))).toEqual([]);
    const [n] = policy.onAlert(makeAlert({ id: 'x1', severity: 'warning', alertType: 'fogis_slow', message: 'FOGIS answers slowly' }));
    expect(n).toMatchObject({ kind: 'alert', title: 'Warning: fogis_slow', body: 'FOGIS answers slowly', target: { page: 'alerts', id: 'x1' } });
    settings.min = 'error';
    const p2 = setup({ min: 'error' }).policy;
    expect(p2.onAlert(makeAlert({ severity: 'warning' }))).toEqual([]);
    expect(p2.onAlert(makeAlert({ severity: 'critical' }))[0]?.urgency).toBe('critical');
  });

  it('reads the threshold live, so a settings change applies at once', () => {
    const { policy, settings, advance } = setup({ min: 'error' });
    expect(policy.onAlert(makeAlert({ severity: 'warning' }))).toEqual([]);
    settings.min = 'info';
    advance(60_000);
    expect(policy.onAlert(makeAlert({ severity: 'info' }))).toHaveLength(1);
  });

  it('leaves processor-sourced alerts to the processor rule (no duplicates)', () => {
    const { policy } = setup();
    expect(policy.onAlert(makeAlert({ source: 'processor', severity: 'error' }))).toEqual([]);
  });

  it('titles alerts in Swedish', () => {
    const { policy } = setup({ lang: 'sv' });
    expect(policy.onAlert(makeAlert({ severity: 'error', alertType: 'auth' }))[0]?.title).toBe('Fel: auth');
  });
});

describe('processor failed', () => {
  const failed = (id: string, details: Record<string, unknown> = {}) =>
    makeSnapshot({ processor: { lastFailed: { status: 'failed', at: T0, details, messageId: id } } });

  it('treats the first snapshot as the baseline, then notifies each new failure once', () => {
    const { policy, advance } = setup();
    expect(policy.onSnapshot(failed('old'))).toEqual([]);
    expect(policy.onSnapshot(failed('old'))).toEqual([]);
    advance(20_000);
    const [n] = policy.onSnapshot(failed('new', { error: 'FOGIS login failed' }));
    expect(n).toMatchObject({ kind: 'processor', title: 'Match processor failed', body: 'FOGIS login failed', target: { page: 'overview' } });
    expect(policy.onSnapshot(failed('new', { error: 'FOGIS login failed' }))).toEqual([]);
  });

  it('notifies a failure after a clean start', () => {
    const { policy } = setup({ lang: 'sv' });
    policy.onSnapshot(up());
    expect(policy.onSnapshot(failed('f1'))[0]?.title).toBe('Matchbearbetningen misslyckades');
  });
});

describe('connection lost / restored', () => {
  it('notifies only after 30 s down, once, then once when restored', () => {
    const { policy, advance } = setup();
    policy.onSnapshot(up());
    expect(policy.onSnapshot(down(T0))).toEqual([]);
    advance(29_000);
    expect(policy.tick()).toEqual([]);
    expect(policy.nextWakeAt()).not.toBeNull();
    advance(2_000);
    const lost = policy.tick();
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ kind: 'connection', title: 'Connection to Redis lost', body: 'Since 17:00 · connection refused' });
    // Still down: nothing more, however often we look.
    advance(60_000);
    expect(policy.tick()).toEqual([]);
    expect(policy.onSnapshot(down(T0))).toEqual([]);
    const restored = policy.onSnapshot(up());
    expect(restored).toHaveLength(1);
    expect(restored[0]).toMatchObject({ kind: 'connection', title: 'Connection to Redis restored', body: 'After 2 min without a connection' });
    expect(policy.onSnapshot(up())).toEqual([]);
  });

  it('says nothing about a short blip', () => {
    const { policy, advance } = setup();
    policy.onSnapshot(up());
    policy.onSnapshot(down(T0));
    advance(10_000);
    expect(policy.onSnapshot(up())).toEqual([]);
    advance(60_000);
    expect(policy.tick()).toEqual([]);
  });

  it('ignores a deliberate pause', () => {
    const { policy, advance } = setup();
    policy.onSnapshot(up());
    policy.onSnapshot(makeSnapshot({ connection: { state: 'stopped', subscribed: false, connected: false, reason: 'paused' } }));
    advance(120_000);
    expect(policy.tick()).toEqual([]);
    expect(policy.onSnapshot(up())).toEqual([]);
  });

  it('speaks Swedish', () => {
    const { policy, advance } = setup({ lang: 'sv' });
    policy.onSnapshot(down(T0, null));
    advance(31_000);
    expect(policy.tick()[0]).toMatchObject({ title: 'Ingen kontakt med Redis', body: 'Sedan 17:00' });
    advance(3_600_000);
    expect(policy.onSnapshot(up())[0]).toMatchObject({ title: 'Kontakten med Redis är tillbaka', body: 'Efter 1 tim 1 min utan kontakt' });
  });
});

describe('match changes', () => {
  it('formats the issue example exactly', () => {
    const c = change({ kind: 'changed', fields: [{ field: 'avsparkstid', old: '17:00', new: '18:30' }] });
    const d = describeChange(c, 'sv');
    expect(d && oneLine(d)).toBe('Avspark flyttad: Öckerö IF - Torslanda IK, 17:00 → 18:30');
    expect(oneLine(describeChange(c, 'en') ?? { title: '', body: '' })).toBe('Kickoff moved: Öckerö IF - Torslanda IK, 17:00 → 18:30');
  });

  it('covers every high-impact kind in both languages', () => {
    const matches = [makeMatch({ matchid: 6400101 })];
    const cases: Array<[MatchChange, string, string]> = [
      [change({ kind: 'new' }), 'Nytt uppdrag: Öckerö IF - Torslanda IK, 2026-05-10 17:00', 'New assignment: Öckerö IF - Torslanda IK, 2026-05-10 17:00'],
      [
        change({ kind: 'changed', fields: [{ field: 'speldatum', old: '2026-05-10', new: '2026-05-17' }] }),
        'Datum ändrat: Öckerö IF - Torslanda IK, 2026-05-10 → 2026-05-17',
        'Date moved: Öckerö IF - Torslanda IK, 2026-05-10 → 2026-05-17',
      ],
      [
        change({ kind: 'changed', fields: [{ field: 'anlaggningnamn', old: 'Hedens IP', new: 'Prästängen' }] }),
        'Ny arena: Öckerö IF - Torslanda IK, Hedens IP → Prästängen',
        'Venue changed: Öckerö IF - Torslanda IK, Hedens IP → Prästängen',
      ],
      [change({ kind: 'cancelled' }), 'Inställd: Öckerö IF - Torslanda IK, 2026-05-10 17:00', 'Cancelled: Öckerö IF - Torslanda IK, 2026-05-10 17:00'],
      [change({ kind: 'removed' }), 'Uppdrag borttaget: Öckerö IF - Torslanda IK', 'Assignment removed: Öckerö IF - Torslanda IK'],
      [change({ kind: 'postponed' }), 'Uppskjuten: Öckerö IF - Torslanda IK, 2026-05-10 17:00', 'Postponed: Öckerö IF - Torslanda IK, 2026-05-10 17:00'],
    ];
    for (const [c, sv, en] of cases) {
      expect(oneLine(describeChange(c, 'sv', 'Europe/Stockholm', matches) ?? { title: '?', body: '' })).toBe(sv);
      expect(oneLine(describeChange(c, 'en', 'Europe/Stockholm', matches) ?? { title: '?', body: '' })).toBe(en);
    }
  });

  it('joins date and time when both moved', () => {
    const c = change({
      kind: 'changed',
      fields: [
        { field: 'speldatum', old: '2026-05-10', new: '2026-05-11' },
        { field: 'avsparkstid', old: '17:00', new: '19:00' },
      ],
    });
    expect(oneLine(describeChange(c, 'sv') ?? { title: '', body: '' })).toBe('Datum ändrat: Öckerö IF - Torslanda IK, 2026-05-10 17:00 → 2026-05-11 19:00');
  });

  it("reads the core's combined `kickoff` field (Stockholm time)", () => {
    const time = change({ kind: 'changed', fields: [{ field: 'kickoff', old: '2026-05-10 17:00', new: '2026-05-10 18:30' }] });
    expect(oneLine(describeChange(time, 'sv') ?? { title: '', body: '' })).toBe('Avspark flyttad: Öckerö IF - Torslanda IK, 17:00 → 18:30');
    const day = change({ kind: 'changed', fields: [{ field: 'kickoff', old: '2026-05-10 17:00', new: '2026-05-17 17:00' }] });
    expect(oneLine(describeChange(day, 'en') ?? { title: '', body: '' })).toBe('Date moved: Öckerö IF - Torslanda IK, 2026-05-10 17:00 → 2026-05-17 17:00');
    const gone = change({ kind: 'changed', fields: [{ field: 'kickoff', old: '2026-05-10 17:00', new: null }] });
    expect(oneLine(describeChange(gone, 'en') ?? { title: '', body: '' })).toBe('Date moved: Öckerö IF - Torslanda IK, 2026-05-10 17:00 → –');
  });

  it("turns the core's own diff into the right lines", () => {
    const t = Date.parse('2026-05-10T15:00:00Z');
    const a = makeMatch({ matchid: 1, tid: `/Date(${t})/` });
    const b = makeMatch({ matchid: 2, lag1namn: 'Kungsbacka IF', lag2namn: 'Lerums IS' });
    const c = makeMatch({ matchid: 3, lag1namn: 'IK Zenith', lag2namn: 'Vallens IF' });
    const next = [
      { ...a, tid: `/Date(${t + 90 * 60_000})/`, avsparkstid: '18:30' },
      { ...b, installd: true },
      makeMatch({ matchid: 4, lag1namn: 'Hönö IS', lag2namn: 'Björkö IF' }),
    ];
    const lines = diffMatches([a, b, c], next, T0, 'm2')
      .map((ch) => describeChange(ch, 'sv', 'Europe/Stockholm', next))
      .filter((d): d is { title: string; body: string } => d !== null)
      .map(oneLine)
      .sort();
    expect(lines).toEqual(
      [
        'Avspark flyttad: Öckerö IF - Torslanda IK, 17:00 → 18:30',
        'Inställd: Kungsbacka IF - Lerums IS, 2026-05-10 17:00',
        'Nytt uppdrag: Hönö IS - Björkö IF, 2026-05-10 17:00',
        'Uppdrag borttaget: IK Zenith - Vallens IF',
      ].sort(),
    );
  });

  it('splits a change of `tid` alone into kickoff or date', () => {
    const t = Date.parse('2026-05-10T15:00:00Z');
    const kickoff = change({ kind: 'changed', fields: [{ field: 'tid', old: `/Date(${t})/`, new: `/Date(${t + 90 * 60_000})/` }] });
    expect(oneLine(describeChange(kickoff, 'sv') ?? { title: '', body: '' })).toBe('Avspark flyttad: Öckerö IF - Torslanda IK, 17:00 → 18:30');
    const date = change({ kind: 'changed', fields: [{ field: 'tid', old: `/Date(${t})/`, new: '2026-05-17T15:00:00Z' }] });
    expect(oneLine(describeChange(date, 'en') ?? { title: '', body: '' })).toBe('Date moved: Öckerö IF - Torslanda IK, 2026-05-10 17:00 → 2026-05-17 17:00');
    expect(parseFogisTime('/Date(0)/')).toBe(0);
    expect(parseFogisTime(42)).toBeNull();
  });

  it('stays quiet for low-impact changes', () => {
    expect(describeChange(change({ kind: 'changed', fields: [{ field: 'referee:Assisterande 1', old: 'A', new: 'B' }] }), 'en')).toBeNull();
    expect(describeChange(change({ kind: 'uncancelled' }), 'en')).toBeNull();
    const { policy } = setup();
    expect(policy.onChanges([change({ kind: 'changed', fields: [{ field: 'matchnr', old: '1', new: '2' }] })])).toEqual([]);
  });

  it('targets the match, and rolls one diff with many changes into one notification', () => {
    const { policy, advance } = setup({ lang: 'sv' });
    const [single] = policy.onChanges([change({ kind: 'removed', matchId: '42' })]);
    expect(single?.target).toEqual({ page: 'matches', id: '42' });
    advance(11_000);
    const many = policy.onChanges([
      change({ kind: 'new', matchId: '1' }),
      change({ kind: 'cancelled', matchId: '2' }),
      change({ kind: 'changed', matchId: '3', fields: [{ field: 'avsparkstid', old: '17:00', new: '18:30' }] }),
      change({ kind: 'changed', matchId: '4', fields: [{ field: 'anlaggningnamn', old: 'A', new: 'B' }] }),
    ]);
    expect(many).toHaveLength(1);
    expect(many[0]?.title).toBe('4 ändringar i dina uppdrag');
    expect(many[0]?.body.split('\n')).toHaveLength(3);
    expect(many[0]?.target).toEqual({ page: 'matches', id: null });
  });
});

describe('storm control', () => {
  it('shows at most one per 10 s per kind, then one summary', () => {
    const { policy, advance } = setup();
    const shown: PlannedNotification[] = [];
    shown.push(...policy.onAlert(makeAlert({ message: 'first' })));
    for (let i = 0; i < 5; i++) {
      advance(1_000);
      shown.push(...policy.onAlert(makeAlert({ message: `storm ${i}` })));
    }
    expect(shown.map((n) => n.body)).toEqual(['first']);
    // Other kinds are not held back by the alert storm.
    expect(policy.onChanges([change({ kind: 'removed' })])).toHaveLength(1);
    expect(policy.nextWakeAt()).toBe(Date.parse(T0) + 10_000);
    advance(5_000);
    const summary = policy.tick();
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatchObject({ kind: 'alert', title: '5 more alerts', body: 'Latest: Warning: processing_error: storm 4', target: { page: 'alerts', id: null } });
    expect(policy.tick()).toEqual([]);
    expect(policy.stats).toMatchObject({ suppressed: 5, summarised: 1 });
  });

  it('shows a single held-back notification as itself, not as "1 more"', () => {
    const { policy, advance } = setup();
    policy.onAlert(makeAlert({ message: 'a' }));
    advance(2_000);
    policy.onAlert(makeAlert({ id: 'b-id', message: 'b' }));
    advance(8_000);
    const [n] = policy.tick();
    expect(n).toMatchObject({ body: 'b', target: { page: 'alerts', id: 'b-id' } });
  });

  it('folds a late arrival into the pending summary instead of showing two at once', () => {
    const { policy, advance } = setup({ lang: 'sv' });
    policy.onAlert(makeAlert({ message: 'a' }));
    advance(1_000);
    policy.onAlert(makeAlert({ message: 'b' }));
    advance(20_000); // nobody ticked
    const out = policy.onAlert(makeAlert({ message: 'c' }));
    expect(out).toHaveLength(1);
    expect(out[0]?.title).toBe('2 nya larm');
  });

  it('lets a new storm start after the window', () => {
    const { policy, advance } = setup();
    expect(policy.onAlert(makeAlert())).toHaveLength(1);
    advance(10_000);
    expect(policy.onAlert(makeAlert())).toHaveLength(1);
  });
});

describe('mute', () => {
  it('drops everything while muted, including pending summaries, and resumes after', () => {
    const { policy, advance, now } = setup();
    policy.onAlert(makeAlert());
    advance(1_000);
    policy.onAlert(makeAlert());
    policy.mute(now() + 3_600_000);
    expect(policy.isMuted()).toBe(true);
    advance(10_000);
    expect(policy.tick()).toEqual([]);
    expect(policy.onAlert(makeAlert({ severity: 'critical' }))).toEqual([]);
    expect(policy.onChanges([change({ kind: 'cancelled' })])).toEqual([]);
    expect(policy.stats.muted).toBe(2);
    advance(3_600_000);
    expect(policy.isMuted()).toBe(false);
    expect(policy.onAlert(makeAlert())).toHaveLength(1);
  });

  it('unmutes with null', () => {
    const { policy, now } = setup();
    policy.mute(now() + 60_000);
    expect(policy.mutedUntilMs()).toBe(now() + 60_000);
    policy.mute(null);
    expect(policy.isMuted()).toBe(false);
    expect(policy.mutedUntilMs()).toBeNull();
  });

  it('still tracks the connection while muted, so "restored" is not announced for an unannounced loss', () => {
    const { policy, advance, now } = setup();
    policy.onSnapshot(up());
    policy.mute(now() + 3_600_000);
    policy.onSnapshot(down(T0));
    advance(40_000);
    expect(policy.tick()).toEqual([]);
    policy.mute(null);
    // The loss was due while muted and is reported as missed; it does not come back later.
    expect(policy.tick()).toEqual([]);
    expect(policy.onSnapshot(up())).toEqual([]);
  });
});

describe('DesktopNotifier (Electron adapter)', () => {
  beforeEach(() => fake.reset());

  function notifier(onClick = vi.fn()) {
    const log = createMemoryLogger();
    const snap = makeSnapshot();
    const n = new DesktopNotifier({ lang: () => 'en', minSeverity: () => 'warning', snapshot: () => snap, onClick, log });
    return { n, onClick, log };
  }

  it('shows a native notification for an alert event and keeps it until clicked', () => {
    const { n, onClick } = notifier();
    n.handle({ kind: 'alert', alert: makeAlert({ id: 'al-1', message: 'Redis memory high' }) });
    expect(FakeNotification.instances).toHaveLength(1);
    const note = FakeNotification.instances[0];
    expect(note?.shown).toBe(true);
    expect(note?.options).toMatchObject({ title: 'Warning: processing_error', body: 'Redis memory high', urgency: 'normal' });
    expect(n.liveCount()).toBe(1);
    note?.emit('click');
    expect(onClick).toHaveBeenCalledWith({ page: 'alerts', id: 'al-1' });
    expect(n.liveCount()).toBe(0);
    n.dispose();
  });

  it('forgets a notification on close and on failure', () => {
    const { n, log } = notifier();
    n.handle({ kind: 'alert', alert: makeAlert() });
    FakeNotification.instances[0]?.emit('close');
    expect(n.liveCount()).toBe(0);
    n.handle({ kind: 'changes', changes: [change({ kind: 'removed' })] });
    FakeNotification.instances[1]?.emit('failed', {}, 'no daemon');
    expect(n.liveCount()).toBe(0);
    expect(log.lines.join('\n')).toContain('notification failed: no daemon');
    n.dispose();
  });

  it('logs instead of failing where notifications are unsupported', () => {
    FakeNotification.supported = false;
    const { n, log } = notifier();
    n.handle({ kind: 'alert', alert: makeAlert({ message: 'hello' }) });
    expect(FakeNotification.instances).toHaveLength(0);
    expect(log.lines.join('\n')).toContain('hello');
    n.dispose();
  });

  it('escapes markup from Redis text in the body on Linux (libnotify renders a markup subset)', () => {
    const hostile = [
      '<a href="https://evil.example/login">Klicka här</a>',
      '<b>IFK</b> & <i>AIK</i>',
      '<img src="file:///etc/passwd"/>',
      `Malmö FF "A" 'B' &amp; &#60;script&#62;`,
      '</body><u>x',
    ];
    const log = createMemoryLogger();
    const snap = makeSnapshot();
    // One notifier each: the storm limit would fold several alerts into one summary.
    const fresh = () => new DesktopNotifier({ lang: () => 'en', minSeverity: () => 'warning', snapshot: () => snap, onClick: vi.fn(), log, platform: 'linux' });
    const bodies: string[] = [];
    hostile.forEach((message, i) => {
      const n = fresh();
      n.handle({ kind: 'alert', alert: makeAlert({ id: `h${i}`, message }) });
      n.dispose();
    });
    const n = fresh();
    n.handle({ kind: 'changes', changes: [change({ kind: 'removed', matchId: '6400999', title: '<a href="x">Lag A</a> – Lag B' })] });
    bodies.push(...FakeNotification.instances.map((x) => x.options.body));
    expect(bodies).toHaveLength(hostile.length + 1);
    expect(bodies[hostile.length]).toBe('&lt;a href=&quot;x&quot;&gt;Lag A&lt;/a&gt; – Lag B');
    for (const body of bodies) {
      // No tag can open: every < and > is an entity; every & starts an entity we wrote.
      expect(body).not.toMatch(/[<>"']/);
      expect(body).not.toMatch(/&(?!amp;|lt;|gt;|quot;|#39;)/);
    }
    expect(bodies[0]).toBe('&lt;a href=&quot;https://evil.example/login&quot;&gt;Klicka här&lt;/a&gt;');
    // Already-escaped text is shown as typed, not decoded one level.
    expect(bodies[3]).toBe('Malmö FF &quot;A&quot; &#39;B&#39; &amp;amp; &amp;#60;script&amp;#62;');
    // The planned text (log, tests, other platforms) is the original.
    expect(escapeNotificationMarkup('a<b')).toBe('a&lt;b');
    n.dispose();
  });

  it('passes the text unchanged where the platform shows plain text', () => {
    const log = createMemoryLogger();
    const snap = makeSnapshot();
    for (const platform of ['darwin', 'win32'] as const) {
      fake.reset();
      const n = new DesktopNotifier({ lang: () => 'en', minSeverity: () => 'warning', snapshot: () => snap, onClick: vi.fn(), log, platform });
      n.handle({ kind: 'alert', alert: makeAlert({ message: '<b>IFK</b> & AIK' }) });
      expect(FakeNotification.instances[0]?.options.body).toBe('<b>IFK</b> & AIK');
      n.dispose();
    }
  });

  it('never touches a window when showing (no focus stealing)', () => {
    const { n } = notifier();
    n.handle({ kind: 'alert', alert: makeAlert() });
    expect(fake.BrowserWindow.instances).toHaveLength(0);
    n.dispose();
  });

  it('ignores message events and flushes storm summaries on its own timer', async () => {
    vi.useFakeTimers();
    try {
      vi.setSystemTime(Date.parse(T0));
      const log = createMemoryLogger();
      const snap = makeSnapshot();
      const n = new DesktopNotifier({ lang: () => 'en', minSeverity: () => 'warning', snapshot: () => snap, onClick: () => undefined, log });
      n.handle({ kind: 'messages', entries: [], total: 0 });
      n.handle({ kind: 'alert', alert: makeAlert() });
      n.handle({ kind: 'alert', alert: makeAlert() });
      n.handle({ kind: 'alert', alert: makeAlert() });
      expect(FakeNotification.instances).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(10_100);
      expect(FakeNotification.instances).toHaveLength(2);
      expect(FakeNotification.instances[1]?.options.title).toBe('2 more alerts');
      n.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});
