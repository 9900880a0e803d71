import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../harness/fake-electron'));

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fake, lastTray, lastWindow, Notification as FakeNotification } from '../harness/fake-electron';
import { createMemoryLogger } from '../../electron/core/log';
import { runDesktop, startDesktop, type DesktopApp } from '../../electron/desktop/app';
import { createCore } from '../../electron/core/index';
import { APP_INDEX_URL, CONTENT_SECURITY_POLICY } from '../../electron/desktop/renderer-files';
import { APP_ID } from '../../electron/desktop/app-id';
import type { Autostart } from '../../electron/desktop/autostart';
import { IPC } from '../../shared/api';
import type { CoreOptions } from '../../electron/core/core-api';
import { createFakeCore, makeAlert, makeSnapshot, type FakeCore } from '../harness/desktop-snapshot';
import { checkoutDesktopPaths } from '../harness/desktop-paths';

/** The Electron shell's lifecycle with a fake `electron` and a fake core. */

const ROOT = path.resolve(__dirname, '../..');

function memoryAutostart(): Autostart & { on: boolean; sets: boolean[] } {
  const a = {
    on: false,
    sets: [] as boolean[],
    location: 'memory',
    isEnabled: async () => a.on,
    setEnabled: async (v: boolean) => {
      a.on = v;
      a.sets.push(v);
    },
  };
  return a;
}

describe('runDesktop', () => {
  let dataDir: string;
  let core: FakeCore;
  let desktop: DesktopApp | null = null;
  let coreOpts: CoreOptions | null = null;
  let shown: string[] = [];
  const log = createMemoryLogger();

  beforeEach(() => {
    fake.reset();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'fogis-desktop-'));
    core = createFakeCore();
    coreOpts = null;
    shown = [];
  });
  afterEach(async () => {
    await desktop?.quit();
    desktop = null;
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(o: { argv?: string[]; autostart?: Autostart } = {}) {
    desktop = await runDesktop({
      createCore: async (opts) => {
        coreOpts = opts;
        return core;
      },
      log,
      argv: o.argv ?? ['electron', '.'],
      env: { FOGIS_MONITOR_DATA_DIR: dataDir },
      platform: 'linux',
      autostart: o.autostart ?? memoryAutostart(),
      onNotificationShown: (n) => shown.push(n.body),
      paths: checkoutDesktopPaths(ROOT),
    });
    return desktop;
  }

  it('hands over to the running instance when the lock is taken', async () => {
    fake.app.gotLock = false;
    expect(await start()).toBeNull();
    expect(fake.app.quitCalls).toBe(1);
    expect(core.started).toBe(false);
    expect(fake.BrowserWindow.instances).toHaveLength(0);
  });

  it('starts the core with safeStorage secrets and the HTTP server, and sets the AppUserModelID', async () => {
    const d = await start();
    expect(d).not.toBeNull();
    expect(fake.app.appUserModelId).toBe(APP_ID);
    expect(core.started).toBe(true);
    expect(coreOpts).toMatchObject({ http: true, dataDir, staticDir: null });
    expect(coreOpts?.secretStore?.kind).toBe('safeStorage');
    coreOpts?.openExternal?.('https://accounts.google.com/o/oauth2/auth');
    coreOpts?.openExternal?.('file:///etc/passwd');
    expect(fake.shell.opened).toEqual(['https://accounts.google.com/o/oauth2/auth']);
  });

  it('denies every permission request and check', async () => {
    await start();
    const ses = fake.session.defaultSession;
    const answers: boolean[] = [];
    for (const p of ['notifications', 'media', 'geolocation', 'clipboard-read', 'openExternal']) ses.permissionRequestHandler?.({}, p, (g) => answers.push(g));
    expect(answers).toEqual([false, false, false, false, false]);
    expect(ses.permissionCheckHandler?.({}, 'notifications')).toBe(false);
  });

  it('opens the window unless started hidden (login item)', async () => {
    await start();
    expect(lastWindow().options.show).toBe(true);
    await desktop?.quit();
    fake.reset();
    await start({ argv: ['app', '--hidden'] });
    expect(lastWindow().options.show).toBe(false);
  });

  it('hides to the tray on close, and a second launch brings the window back', async () => {
    await start();
    const win = lastWindow();
    expect(win.userClose()).toBe(true);
    expect(win.visible).toBe(false);
    expect(win.destroyed).toBe(false);
    fake.app.emit('second-instance');
    expect(win.visible).toBe(true);
    expect(win.focused).toBe(true);
  });

  it('keeps running when every window is closed', async () => {
    await start();
    expect(fake.app.listenerCount('window-all-closed')).toBe(1);
  });

  it('quits from the tray menu: stops the core, closes for real', async () => {
    await start();
    const menu = lastTray().menu;
    menu?.click('quit');
    await vi.waitFor(() => expect(fake.app.quitCalls).toBe(1));
    expect(core.stopped).toBe(true);
    expect(lastTray().destroyed).toBe(true);
    expect(fake.ipcMain.handlers.size).toBe(0);
    // Now a close is not turned into a hide.
    expect(lastWindow().userClose()).toBe(false);
  });

  it('stops the core before an OS-initiated quit', async () => {
    await start();
    const ev = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    fake.app.emit('before-quit', ev);
    expect(ev.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(fake.app.quitCalls).toBe(1));
    expect(core.stopped).toBe(true);
    // The second before-quit (from our own app.quit) is let through.
    const again = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    fake.app.emit('before-quit', again);
    expect(again.defaultPrevented).toBe(false);
  });

  it('registers the IPC channels and forwards core events to the window', async () => {
    await start();
    expect(fake.ipcMain.handlers.size).toBe(Object.keys(IPC).length - 1);
    core.emit({ kind: 'messages', entries: [], total: 4 });
    expect(lastWindow().webContents.sent).toEqual([{ channel: IPC.event, args: [{ kind: 'messages', entries: [], total: 4 }] }]);
  });

  it('keeps the tray in step with the core', async () => {
    await start();
    expect(lastTray().tooltip).toContain('subscribed');
    core.current = makeSnapshot({ calendar: { failed: 2 } });
    core.emit({ kind: 'state', patch: { calendar: core.current.calendar } });
    expect(lastTray().tooltip).toBe('FOGIS Monitor — 2 calendar writes failed');
    expect(lastTray().image.path).toMatch(/amber-32\.png$/);
  });

  it('raises a notification for an alert, and a click opens the dashboard at it', async () => {
    await start({ argv: ['app', '--hidden'] });
    const alert = makeAlert({ id: 'al-7', severity: 'error', message: 'FOGIS login failed' });
    core.current = makeSnapshot({ alerts: [alert] });
    core.emit({ kind: 'alert', alert });
    expect(FakeNotification.instances).toHaveLength(1);
    expect(shown).toEqual(['FOGIS login failed']);
    expect(lastTray().tooltip).toBe('FOGIS Monitor — unacknowledged error: FOGIS login failed');
    const win = lastWindow();
    expect(win.visible).toBe(false);
    FakeNotification.instances[0]?.emit('click');
    expect(win.visible).toBe(true);
    expect(win.webContents.executed).toEqual(['location.hash = "alerts/al-7"']);
  });

  it('mutes notifications from the tray and tells the core', async () => {
    await start();
    lastTray().menu?.click('mute-1h');
    expect(core.calls.find((c) => c.method === 'muteNotifications')?.args[0]).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    core.emit({ kind: 'alert', alert: makeAlert({ severity: 'critical' }) });
    expect(FakeNotification.instances).toHaveLength(0);
    expect(lastTray().menu?.find('mute')?.label).toMatch(/^Muted until/);
  });

  it('applies mute sent by the renderer over IPC', async () => {
    await start();
    const handler = fake.ipcMain.handlers.get(IPC.muteNotifications);
    await handler?.({ senderFrame: { url: `${APP_INDEX_URL}#overview`, parent: null } }, { until: new Date(Date.now() + 60_000).toISOString() });
    core.emit({ kind: 'alert', alert: makeAlert({ severity: 'critical' }) });
    expect(FakeNotification.instances).toHaveLength(0);
  });

  it('mirrors config.ui.startAtLogin into the OS, off by default', async () => {
    const auto = memoryAutostart();
    await start({ autostart: auto });
    expect(auto.sets).toEqual([false]);
    lastTray().menu?.click('start-at-login');
    await vi.waitFor(() => expect(auto.on).toBe(true));
    await vi.waitFor(() => expect(core.calls.some((c) => c.method === 'updateConfig')).toBe(true));
    expect(core.calls.find((c) => c.method === 'updateConfig')?.args).toEqual([{ ui: { startAtLogin: true } }]);
  });

  it('runs tray actions against the core', async () => {
    await start();
    const menu = lastTray().menu;
    menu?.click('sync');
    menu?.click('pause');
    menu?.click('restart');
    await vi.waitFor(() => expect(core.calls.map((c) => c.method)).toEqual(expect.arrayContaining(['syncNow', 'setPaused', 'restartSubscription'])));
    expect(core.calls.find((c) => c.method === 'setPaused')?.args).toEqual([true]);
  });

  it('serves the window from app:// (privileged before ready), never file://', async () => {
    const renderer = path.join(dataDir, 'renderer');
    mkdirSync(path.join(renderer, 'assets'), { recursive: true });
    writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><script type="module" src="./assets/a.js"></script>');
    writeFileSync(path.join(renderer, 'assets', 'a.js'), 'export {}');
    writeFileSync(path.join(dataDir, 'outside.txt'), 'private');
    desktop = await runDesktop({
      createCore: async () => core,
      log,
      argv: ['electron', '.'],
      env: { FOGIS_MONITOR_DATA_DIR: dataDir },
      platform: 'linux',
      autostart: memoryAutostart(),
      paths: { preload: '/x/preload.cjs', indexHtml: path.join(renderer, 'index.html'), trayIcons: path.join(ROOT, 'build/tray'), appIcon: path.join(ROOT, 'build/icon.png') },
    });
    expect(fake.protocol.privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(lastWindow().loaded).toEqual({ url: APP_INDEX_URL });
    const page = await fake.protocol.fetch(APP_INDEX_URL);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // The relative module script resolves against app://renderer/ and is served with a JS type.
    const script = await fake.protocol.fetch(new URL('./assets/a.js', APP_INDEX_URL).href);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('export {}');
    const escape = await fake.protocol.fetch('app://renderer/..%2foutside.txt');
    expect(escape.status).toBe(404);
    expect(await escape.text()).not.toContain('private');
    expect((await fake.protocol.fetch('app://renderer/index.html', 'HEAD')).status).toBe(200);
  });

  it('starts hidden on macOS when the login item opened it (args never arrive there)', async () => {
    fake.app.wasOpenedAtLogin = true;
    desktop = await runDesktop({
      createCore: async () => core,
      log,
      argv: ['/Applications/FOGIS Monitor.app/Contents/MacOS/FOGIS Monitor'],
      env: { FOGIS_MONITOR_DATA_DIR: dataDir },
      platform: 'darwin',
      autostart: memoryAutostart(),
      paths: { preload: '/x/preload.cjs', indexHtml: path.join(ROOT, 'dist/renderer/index.html'), trayIcons: path.join(ROOT, 'build/tray'), appIcon: path.join(ROOT, 'build/icon.png') },
    });
    expect(lastWindow().options.show).toBe(false);
    await desktop?.quit();
    fake.reset();
    fake.app.wasOpenedAtLogin = false;
    desktop = await runDesktop({
      createCore: async () => core,
      log,
      argv: ['/Applications/FOGIS Monitor.app/Contents/MacOS/FOGIS Monitor'],
      env: { FOGIS_MONITOR_DATA_DIR: dataDir },
      platform: 'darwin',
      autostart: memoryAutostart(),
      paths: { preload: '/x/preload.cjs', indexHtml: path.join(ROOT, 'dist/renderer/index.html'), trayIcons: path.join(ROOT, 'build/tray'), appIcon: path.join(ROOT, 'build/icon.png') },
    });
    expect(lastWindow().options.show).toBe(true);
  });
});

describe('startDesktop: the process-level last line of defence', () => {
  let dataDir: string;
  beforeEach(() => {
    fake.reset();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'fogis-desktop-guard-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('turns an uncaught exception or unhandled rejection into the core internal error and keeps running; removed on quit', async () => {
    const core = createFakeCore();
    const reported: Array<{ area: string; message: string }> = [];
    core.internalError = (area, err) => {
      reported.push({ area, message: err instanceof Error ? err.message : String(err) });
    };
    const before = { ex: process.listeners('uncaughtException'), rej: process.listeners('unhandledRejection') };
    const log = createMemoryLogger();
    const d = await startDesktop({ createCore: async () => core, log, argv: ['electron', '.'], env: { FOGIS_MONITOR_DATA_DIR: dataDir }, platform: 'linux', autostart: memoryAutostart() });
    expect(d).not.toBeNull();
    const onException = process.listeners('uncaughtException').find((l) => !before.ex.includes(l));
    const onRejection = process.listeners('unhandledRejection').find((l) => !before.rej.includes(l));
    expect(onException).toBeDefined();
    expect(onRejection).toBeDefined();
    // Called as Node would; the vitest process's own handlers are not involved.
    onException?.(new Error('tray listener threw'), 'uncaughtException');
    onRejection?.(new Error('a promise nobody awaited'), Promise.resolve());
    expect(reported).toEqual([
      { area: 'process', message: 'tray listener threw' },
      { area: 'process', message: 'a promise nobody awaited' },
    ]);
    expect(fake.app.exitCode).toBeNull();
    expect(fake.dialog.errorBoxes).toHaveLength(0);
    expect(log.lines.some((l) => l.includes('uncaught exception (the app keeps running)'))).toBe(true);
    await d?.quit();
    expect(process.listeners('uncaughtException')).toEqual(before.ex);
    expect(process.listeners('unhandledRejection')).toEqual(before.rej);
  });

  it('removes its handlers when the start fails', async () => {
    const before = process.listeners('uncaughtException').length;
    writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ http: { port: -1 } }));
    await startDesktop({ createCore, log: createMemoryLogger(), argv: ['electron', '.'], env: { FOGIS_MONITOR_DATA_DIR: dataDir }, platform: 'linux', autostart: memoryAutostart() });
    expect(process.listeners('uncaughtException')).toHaveLength(before);
    expect(fake.app.exitCode).toBe(2);
  });
});

describe('startDesktop with a configuration that cannot be used', () => {
  let dataDir: string;
  beforeEach(() => {
    fake.reset();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'fogis-desktop-bad-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('shows one dialog naming each bad field and exits with code 2, starting nothing', async () => {
    writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ ui: { language: 'de' }, http: { port: 70000 } }));
    const log = createMemoryLogger();
    const result = await startDesktop({
      createCore,
      log,
      argv: ['electron', '.'],
      env: { FOGIS_MONITOR_DATA_DIR: dataDir },
      platform: 'linux',
      autostart: memoryAutostart(),
    });
    expect(result).toBeNull();
    expect(fake.dialog.errorBoxes).toHaveLength(1);
    const box = fake.dialog.errorBoxes[0];
    expect(box?.title).toBe('FOGIS Monitor could not start');
    expect(box?.content).toMatch(/^• ui\.language: /m);
    expect(box?.content).toMatch(/^• http\.port: /m);
    expect(box?.content).toContain('config.json');
    expect(fake.app.exitCode).toBe(2);
    expect(fake.BrowserWindow.instances).toHaveLength(0);
    expect(fake.Tray.instances).toHaveLength(0);
    expect(fake.ipcMain.handlers.size).toBe(0);
    expect(log.lines.some((l) => l.includes('cannot start'))).toBe(true);
  });

  it('says it in Swedish on a Swedish system', async () => {
    fake.app.languages = ['sv-SE'];
    writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({ http: { port: -1 } }));
    await startDesktop({ createCore, log: createMemoryLogger(), argv: ['electron', '.'], env: { FOGIS_MONITOR_DATA_DIR: dataDir }, platform: 'linux', autostart: memoryAutostart() });
    expect(fake.dialog.errorBoxes[0]?.title).toBe('FOGIS Monitor kunde inte starta');
    expect(fake.dialog.errorBoxes[0]?.content).toMatch(/^• http\.port: /m);
    expect(fake.app.exitCode).toBe(2);
  });

  it('reports any other start failure the same way, with exit code 1', async () => {
    await startDesktop({
      createCore: async () => {
        throw new Error('EACCES: permission denied, mkdir');
      },
      log: createMemoryLogger(),
      argv: ['electron', '.'],
      env: { FOGIS_MONITOR_DATA_DIR: dataDir },
      platform: 'linux',
      autostart: memoryAutostart(),
    });
    expect(fake.dialog.errorBoxes[0]?.content).toContain('EACCES: permission denied');
    expect(fake.app.exitCode).toBe(1);
  });
});
