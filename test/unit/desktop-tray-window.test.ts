import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../harness/fake-electron'));

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fake, lastTray, lastWindow, type BrowserWindow as FakeWindow } from '../harness/fake-electron';
import { createMemoryLogger } from '../../electron/core/log';
import { runDesktop, type DesktopApp } from '../../electron/desktop/app';
import { COMPACT_HEIGHT, COMPACT_WIDTH, REOPEN_GUARD_MS, TrayWindow, compactWindowBounds } from '../../electron/desktop/tray-window';
import { IPC } from '../../shared/api';
import { createFakeCore, type FakeCore } from '../harness/desktop-snapshot';

/** The tray's compact window (issue 14) with the recording fake of `electron`. */

const ROOT = path.resolve(__dirname, '../..');
const INDEX = path.join(ROOT, 'dist/renderer/index.html');
const SIZE = { width: COMPACT_WIDTH, height: COMPACT_HEIGHT };

describe('compactWindowBounds', () => {
  it('opens below a tray in a top bar, centred on the icon (macOS, GNOME)', () => {
    const r = compactWindowBounds({ x: 1500, y: 0, width: 24, height: 24 }, { x: 0, y: 25, width: 1920, height: 1055 }, SIZE);
    expect(r).toEqual({ x: 1312, y: 29, width: 400, height: 600 });
  });

  it('opens above a tray in a bottom taskbar (Windows)', () => {
    const r = compactWindowBounds({ x: 1700, y: 1045, width: 24, height: 30 }, { x: 0, y: 0, width: 1920, height: 1040 }, SIZE);
    // 1045 − 600 − 4 would cross the work area's bottom margin; it stops at 1040 − 600 − 4.
    expect(r).toEqual({ x: 1512, y: 436, width: 400, height: 600 });
  });

  it('stays inside the work area at the screen edge and on a second display', () => {
    expect(compactWindowBounds({ x: 1900, y: 1045, width: 20, height: 30 }, { x: 0, y: 0, width: 1920, height: 1040 }, SIZE).x).toBe(1516);
    const second = compactWindowBounds({ x: 1930, y: 0, width: 24, height: 24 }, { x: 1920, y: 24, width: 1280, height: 1000 }, SIZE);
    expect(second.x).toBe(1924);
    expect(second.y).toBe(28);
  });

  it('uses the pointer when the tray reports no bounds (many Linux trays)', () => {
    const r = compactWindowBounds({ x: 0, y: 0, width: 0, height: 0 }, { x: 0, y: 32, width: 1920, height: 1048 }, SIZE, { x: 1800, y: 10 });
    expect(r).toEqual({ x: 1516, y: 36, width: 400, height: 600 });
  });

  it('shrinks to a work area smaller than the window', () => {
    const r = compactWindowBounds({ x: 700, y: 0, width: 24, height: 24 }, { x: 0, y: 24, width: 800, height: 500 }, SIZE);
    expect(r.height).toBe(500);
    expect(r.y).toBeGreaterThanOrEqual(24);
  });
});

describe('TrayWindow', () => {
  beforeEach(() => fake.reset());

  function make(clock = { t: 1_000_000 }) {
    const opened: number[] = [];
    const tw = new TrayWindow({ preloadPath: '/p/preload.cjs', indexHtml: INDEX, devServerUrl: null, log: createMemoryLogger(), openDashboard: () => opened.push(1), now: () => clock.t });
    return { tw, opened, clock };
  }

  it('is a frameless, fixed, out-of-taskbar window with the sandboxed app page at #compact', () => {
    const { tw } = make();
    tw.toggle({ x: 1500, y: 0, width: 24, height: 24 });
    const w = lastWindow();
    expect(w.options).toMatchObject({ width: 400, height: 600, frame: false, resizable: false, skipTaskbar: true, alwaysOnTop: true, show: false });
    expect(w.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, preload: '/p/preload.cjs' });
    expect(w.loaded).toEqual({ url: 'app://renderer/index.html#compact' });
    expect(w.getBounds()).toEqual({ x: 1312, y: 28, width: 400, height: 600 });
    expect(w.visible).toBe(true);
    expect(w.focused).toBe(true);
  });

  it('loads the dev server at #compact when one is used', () => {
    const tw = new TrayWindow({ preloadPath: '/p', indexHtml: INDEX, devServerUrl: 'http://localhost:5173/', log: createMemoryLogger(), openDashboard: () => undefined });
    tw.toggle({ x: 1, y: 1, width: 24, height: 24 });
    expect(lastWindow().loaded).toEqual({ url: 'http://localhost:5173/#compact' });
  });

  it('hides on blur; the click that caused the blur does not reopen it, a later one does', () => {
    const { tw, clock } = make();
    const bounds = { x: 1500, y: 0, width: 24, height: 24 };
    tw.toggle(bounds);
    const w = lastWindow();
    w.userBlur();
    expect(w.visible).toBe(false);
    clock.t += 50;
    tw.toggle(bounds); // the same click on the icon
    expect(w.visible).toBe(false);
    clock.t += REOPEN_GUARD_MS;
    tw.toggle(bounds);
    expect(w.visible).toBe(true);
    // Open: a click on the icon closes it. One window is reused throughout.
    tw.toggle(bounds);
    expect(w.visible).toBe(false);
    expect(fake.BrowserWindow.instances).toHaveLength(1);
  });

  it('follows the display of the tray (work area from screen)', () => {
    fake.screen.displays.push({ id: 2, bounds: { x: 1920, y: 0, width: 1280, height: 1024 }, workArea: { x: 1920, y: 30, width: 1280, height: 994 } });
    const { tw } = make();
    tw.toggle({ x: 3100, y: 0, width: 24, height: 24 });
    expect(lastWindow().getBounds()).toEqual({ x: 2796, y: 34, width: 400, height: 600 });
  });

  it('"Open dashboard" (window.open of the app page) hides it and opens the dashboard; other URLs never open a window', () => {
    const { tw, opened } = make();
    tw.toggle({ x: 1500, y: 0, width: 24, height: 24 });
    const w = lastWindow();
    const open = (url: string) => w.webContents.windowOpenHandler?.({ url });
    expect(open(`file://${INDEX}#overview`)).toEqual({ action: 'deny' });
    expect(opened).toHaveLength(0);
    expect(open('app://renderer/index.html#overview')).toEqual({ action: 'deny' });
    expect(opened).toHaveLength(1);
    expect(w.visible).toBe(false);
    expect(open('https://example.org/help')).toEqual({ action: 'deny' });
    expect(fake.shell.opened).toEqual(['https://example.org/help']);
    expect(open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(opened).toHaveLength(1);
  });

  it('a close hides it until destroy', () => {
    const { tw } = make();
    tw.toggle({ x: 1500, y: 0, width: 24, height: 24 });
    const w = lastWindow();
    expect(w.userClose()).toBe(true);
    expect(w.visible).toBe(false);
    tw.destroy();
    expect(w.destroyed).toBe(true);
    tw.toggle({ x: 1500, y: 0, width: 24, height: 24 });
    expect(fake.BrowserWindow.instances).toHaveLength(1);
  });
});

describe('the tray window in the running shell', () => {
  let dataDir: string;
  let core: FakeCore;
  let desktop: DesktopApp | null = null;

  beforeEach(() => {
    fake.reset();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'fogis-traywin-'));
    core = createFakeCore();
  });
  afterEach(async () => {
    await desktop?.quit();
    desktop = null;
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<DesktopApp> {
    desktop = await runDesktop({
      createCore: async () => core,
      log: createMemoryLogger(),
      argv: ['app', '--hidden'],
      env: { FOGIS_MONITOR_DATA_DIR: dataDir },
      platform: 'win32',
      autostart: { location: 'memory', isEnabled: async () => false, setEnabled: async () => undefined },
      paths: { preload: path.join(ROOT, 'dist/electron/preload.cjs'), indexHtml: INDEX, trayIcons: path.join(ROOT, 'build/tray'), appIcon: path.join(ROOT, 'build/icon.png') },
    });
    if (!desktop) throw new Error('the shell did not start');
    return desktop;
  }

  const compactWindow = (): FakeWindow => {
    const w = fake.BrowserWindow.instances.find((b) => b.options.skipTaskbar === true);
    if (!w) throw new Error('no compact window');
    return w;
  };

  it('a click on the icon opens it at the icon; "Open dashboard" shows the full window', async () => {
    await start();
    const dashboard = lastWindow();
    expect(dashboard.visible).toBe(false);
    lastTray().bounds = { x: 1700, y: 1045, width: 24, height: 30 };
    lastTray().emit('click');
    const w = compactWindow();
    expect(w.visible).toBe(true);
    expect(w.getBounds()).toEqual({ x: 1512, y: 436, width: 400, height: 600 });
    w.webContents.windowOpenHandler?.({ url: 'app://renderer/index.html#overview' });
    expect(w.visible).toBe(false);
    expect(dashboard.visible).toBe(true);
  });

  it('is in the tray menu too (Linux trays often swallow clicks), and gets the core events', async () => {
    await start();
    fake.screen.cursor = { x: 1800, y: 5 };
    lastTray().menu?.click('glance');
    const w = compactWindow();
    expect(w.visible).toBe(true);
    expect(w.getBounds().y).toBeLessThan(100);
    core.emit({ kind: 'messages', entries: [], total: 9 });
    expect(w.webContents.sent).toEqual([{ channel: IPC.event, args: [{ kind: 'messages', entries: [], total: 9 }] }]);
  });

  it('its page may call the IPC channels (the hash is not part of the trusted page)', async () => {
    await start();
    const handler = fake.ipcMain.handlers.get(IPC.getSnapshot);
    const url = 'app://renderer/index.html#compact';
    await expect(handler?.({ senderFrame: { url, parent: null } })).resolves.toMatchObject({ connection: expect.any(Object) });
  });

  it('is destroyed on quit', async () => {
    await start();
    lastTray().emit('click');
    const w = compactWindow();
    await desktop?.quit();
    desktop = null;
    expect(w.destroyed).toBe(true);
  });
});
