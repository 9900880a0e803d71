import { beforeEach, describe, expect, it, vi, type Mock } from 'vitest';

vi.mock('electron', () => import('../harness/fake-electron'));

import path from 'node:path';
import { fake, lastTray, type FakeMenu } from '../harness/fake-electron';
import { createMemoryLogger } from '../../electron/core/log';
import { iconFileFor, ONE_HOUR_MS, tomorrowMorning, TrayController, type TrayActions } from '../../electron/desktop/tray';
import { TRAY_COLOURS } from '../../electron/desktop/tray-state';
import { makeAlert, makeSnapshot, T0 } from '../harness/desktop-snapshot';

const ICONS = path.resolve(__dirname, '../../build/tray');
const NOW = Date.parse(T0);

function actions(): { [K in keyof TrayActions]: Mock<TrayActions[K]> } {
  return {
    openDashboard: vi.fn<TrayActions['openDashboard']>(),
    toggleCompact: vi.fn<TrayActions['toggleCompact']>(),
    syncNow: vi.fn<TrayActions['syncNow']>(),
    setPaused: vi.fn<TrayActions['setPaused']>(),
    restartSubscription: vi.fn<TrayActions['restartSubscription']>(),
    mute: vi.fn<TrayActions['mute']>(),
    setStartAtLogin: vi.fn<TrayActions['setStartAtLogin']>(),
    quit: vi.fn<TrayActions['quit']>(),
  };
}

function setup(platform: NodeJS.Platform = 'linux') {
  const a = actions();
  const log = createMemoryLogger();
  const tray = new TrayController({ iconDir: ICONS, actions: a, log, platform });
  const menu = (): FakeMenu => {
    const m = lastTray().menu;
    if (!m) throw new Error('no context menu set');
    return m;
  };
  return { a, log, tray, menu };
}

describe('TrayController', () => {
  beforeEach(() => fake.reset());

  it('starts grey, then follows the state with icon and one-line tooltip', () => {
    const { tray, log } = setup();
    const t = lastTray();
    expect(t.image.path).toBe(path.join(ICONS, 'grey-32.png'));
    tray.update({ snapshot: makeSnapshot(), lang: 'en', mutedUntil: null, startAtLogin: false, now: NOW });
    expect(t.image.path).toBe(path.join(ICONS, 'green-32.png'));
    expect(t.tooltip).toBe('FOGIS Monitor — subscribed · 0 matches · last message 16:58');
    tray.update({ snapshot: makeSnapshot({ alerts: [makeAlert({ severity: 'error', message: 'boom' })] }), lang: 'en', mutedUntil: null, startAtLogin: false, now: NOW });
    expect(t.image.path).toBe(path.join(ICONS, 'red-32.png'));
    expect(t.tooltip).toBe('FOGIS Monitor — unacknowledged error: boom');
    expect(tray.state()?.colour).toBe('red');
    // Every icon file exists: no warning about missing icons.
    expect(log.lines.filter((l) => l.includes('icon missing'))).toEqual([]);
  });

  it('does not touch the tray when nothing changed', () => {
    const { tray } = setup();
    const view = { snapshot: makeSnapshot(), lang: 'en' as const, mutedUntil: null, startAtLogin: false, now: NOW };
    tray.update(view);
    const t = lastTray();
    const before = { ...t.calls };
    tray.update(view);
    tray.update(view);
    expect(t.calls).toEqual(before);
  });

  it('has the full menu, in order, with the status line first', () => {
    const { tray, menu } = setup();
    tray.update({ snapshot: makeSnapshot(), lang: 'en', mutedUntil: null, startAtLogin: false, now: NOW });
    const items = menu().items;
    expect(items.map((i) => i.id ?? i.type)).toEqual(['status', 'separator', 'glance', 'open', 'sync', 'pause', 'restart', 'mute', 'start-at-login', 'separator', 'quit']);
    expect(items.map((i) => i.label).filter(Boolean)).toEqual([
      'FOGIS Monitor — subscribed · 0 matches · last message 16:58',
      'Status at a glance',
      'Open dashboard',
      'Sync now',
      'Pause',
      'Restart subscription',
      'Mute notifications',
      'Start at login',
      'Quit',
    ]);
    expect(menu().find('status')?.enabled).toBe(false);
    expect(menu().find('mute')?.submenu?.map((i) => i.label)).toEqual(['For 1 hour', 'Until tomorrow']);
  });

  it('is in Swedish when asked', () => {
    const { tray, menu } = setup();
    tray.update({ snapshot: makeSnapshot(), lang: 'sv', mutedUntil: null, startAtLogin: false, now: NOW });
    expect(menu().items.map((i) => i.label).filter(Boolean).slice(1)).toEqual([
      'Status i korthet',
      'Öppna översikten',
      'Synka nu',
      'Pausa',
      'Starta om prenumerationen',
      'Tysta aviseringar',
      'Starta vid inloggning',
      'Avsluta',
    ]);
  });

  it('runs every action from its menu item', () => {
    const { tray, menu, a } = setup();
    tray.update({ snapshot: makeSnapshot(), lang: 'en', mutedUntil: null, startAtLogin: false, now: NOW });
    menu().click('glance');
    menu().click('open');
    menu().click('sync');
    menu().click('pause');
    menu().click('restart');
    menu().click('mute-1h');
    menu().click('mute-tomorrow');
    menu().click('start-at-login');
    menu().click('quit');
    expect(a.toggleCompact).toHaveBeenCalledTimes(1);
    expect(a.openDashboard).toHaveBeenCalledTimes(1);
    expect(a.syncNow).toHaveBeenCalledTimes(1);
    expect(a.setPaused).toHaveBeenCalledWith(true);
    expect(a.restartSubscription).toHaveBeenCalledTimes(1);
    expect(a.mute).toHaveBeenNthCalledWith(1, NOW + ONE_HOUR_MS);
    expect(a.mute).toHaveBeenNthCalledWith(2, tomorrowMorning(NOW));
    expect(a.setStartAtLogin).toHaveBeenCalledWith(true);
    expect(a.quit).toHaveBeenCalledTimes(1);
  });

  it('offers Resume while paused, and grey icon', () => {
    const { tray, menu, a } = setup();
    tray.update({
      snapshot: makeSnapshot({ connection: { state: 'stopped', subscribed: false, connected: false, reason: 'paused' } }),
      lang: 'en',
      mutedUntil: null,
      startAtLogin: false,
      now: NOW,
    });
    expect(menu().find('pause')).toBeUndefined();
    menu().click('resume');
    expect(a.setPaused).toHaveBeenCalledWith(false);
    expect(lastTray().image.path).toBe(path.join(ICONS, 'grey-32.png'));
  });

  it('disables Pause when Redis is disabled in settings', () => {
    const { tray, menu } = setup();
    tray.update({
      snapshot: makeSnapshot({ config: { redis: { enabled: false } }, connection: { state: 'disabled', subscribed: false, connected: false } }),
      lang: 'en',
      mutedUntil: null,
      startAtLogin: false,
      now: NOW,
    });
    expect(menu().find('pause')?.enabled).toBe(false);
  });

  it('shows the mute state and offers unmute', () => {
    const { tray, menu, a } = setup();
    tray.update({ snapshot: makeSnapshot(), lang: 'en', mutedUntil: NOW + ONE_HOUR_MS, startAtLogin: false, now: NOW });
    expect(menu().find('mute')?.label).toBe('Muted until 18:00');
    menu().click('unmute');
    expect(a.mute).toHaveBeenCalledWith(null);
    // An expired mute is no mute.
    tray.update({ snapshot: makeSnapshot(), lang: 'en', mutedUntil: NOW - 1, startAtLogin: false, now: NOW });
    expect(menu().find('unmute')).toBeUndefined();
  });

  it('reflects and toggles start at login (off by default)', () => {
    const { tray, menu, a } = setup();
    tray.update({ snapshot: makeSnapshot(), lang: 'en', mutedUntil: null, startAtLogin: false, now: NOW });
    expect(menu().find('start-at-login')).toMatchObject({ type: 'checkbox', checked: false });
    tray.update({ snapshot: makeSnapshot(), lang: 'en', mutedUntil: null, startAtLogin: true, now: NOW });
    expect(menu().find('start-at-login')?.checked).toBe(true);
    menu().click('start-at-login');
    expect(a.setStartAtLogin).toHaveBeenCalledWith(false);
  });

  it('opens the compact window on a click on the icon (issue 14), the dashboard from the menu', () => {
    const { a } = setup();
    lastTray().emit('click');
    expect(a.toggleCompact).toHaveBeenCalledTimes(1);
    expect(a.openDashboard).not.toHaveBeenCalled();
  });

  it('uses a template image on macOS for the calm states, colour when it needs attention', () => {
    const { tray } = setup('darwin');
    const t = lastTray();
    expect(t.image.path).toBe(path.join(ICONS, 'trayTemplate.png'));
    expect(t.image.template).toBe(true);
    tray.update({ snapshot: makeSnapshot({ calendar: { failed: 1 } }), lang: 'en', mutedUntil: null, startAtLogin: false, now: NOW });
    expect(t.image.path).toBe(path.join(ICONS, 'amber.png'));
    expect(t.image.template).toBe(false);
  });

  it('destroys the tray on quit', () => {
    const { tray } = setup();
    tray.destroy();
    expect(lastTray().destroyed).toBe(true);
  });
});

describe('icon files per OS', () => {
  it('maps every colour on every OS', () => {
    expect(TRAY_COLOURS.map((c) => iconFileFor(c, 'win32'))).toEqual(['green.png', 'amber.png', 'red.png', 'grey.png']);
    expect(TRAY_COLOURS.map((c) => iconFileFor(c, 'linux'))).toEqual(['green-32.png', 'amber-32.png', 'red-32.png', 'grey-32.png']);
    expect(TRAY_COLOURS.map((c) => iconFileFor(c, 'darwin'))).toEqual(['trayTemplate.png', 'amber.png', 'red.png', 'trayTemplate.png']);
  });
});

describe('tomorrowMorning', () => {
  it('is 07:00 local time on the next calendar day', () => {
    const base = new Date(2026, 4, 10, 22, 15).getTime();
    const t = new Date(tomorrowMorning(base));
    expect([t.getFullYear(), t.getMonth(), t.getDate(), t.getHours(), t.getMinutes()]).toEqual([2026, 4, 11, 7, 0]);
    const early = new Date(2026, 4, 10, 2, 0).getTime();
    expect(new Date(tomorrowMorning(early)).getDate()).toBe(11);
  });
});
