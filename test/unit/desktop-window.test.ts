import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../harness/fake-electron'));

import { pathToFileURL } from 'node:url';
import { APP_INDEX_URL } from '../../electron/desktop/renderer-files';
import { fake, fakeEvent, lastWindow } from '../harness/fake-electron';
import { createMemoryLogger } from '../../electron/core/log';
import { CONTENT_SECURITY_POLICY, createMainWindow, hashFor, isSafeExternalUrl, isSameAppPage, revealAt } from '../../electron/desktop/window';
import type { BrowserWindow as ElectronWindow } from 'electron';

const INDEX = '/opt/fogis/dist/renderer/index.html';
const APP_URL = APP_INDEX_URL;

function open(opts: { show?: boolean; devServerUrl?: string } = {}) {
  const log = createMemoryLogger();
  createMainWindow({ preloadPath: '/opt/fogis/dist/electron/preload.cjs', indexHtml: INDEX, log, ...opts });
  return { win: lastWindow(), log };
}

describe('main window', () => {
  beforeEach(() => fake.reset());

  it('is created with secure web preferences and the bundled preload', () => {
    const { win } = open();
    expect(win.options.webPreferences).toMatchObject({
      preload: '/opt/fogis/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
    // Never file://: with the grantFileProtocolExtraPrivileges fuse off, a file:// page in the
    // asar cannot run its module script (app-protocol.ts serves app://).
    expect(win.loaded).toEqual({ url: 'app://renderer/index.html' });
    expect(win.visible).toBe(false);
  });

  it('shows itself once ready unless started hidden', () => {
    const shown = open({ show: true }).win;
    shown.visible = false;
    shown.emit('ready-to-show');
    expect(shown.visible).toBe(true);
    const hidden = open({ show: false }).win;
    hidden.emit('ready-to-show');
    expect(hidden.visible).toBe(false);
  });

  it('sets a strict CSP header on every response', () => {
    open();
    const [listener] = fake.session.defaultSession.headersListeners;
    expect(listener).toBeDefined();
    let headers: Record<string, string[]> = {};
    listener?.({ url: 'http://localhost:5173/', responseHeaders: { 'content-security-policy': ["default-src *"], 'X-Other': ['1'] } }, (r) => {
      headers = r.responseHeaders;
    });
    expect(headers).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY], 'X-Other': ['1'] });
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
    // One listener per session, however many windows.
    open();
    expect(fake.session.defaultSession.headersListeners).toHaveLength(1);
  });

  it('blocks navigation away from the app, opening https links in the browser', () => {
    const { win, log } = open();
    const nav = (url: string) => {
      const ev = fakeEvent();
      win.webContents.emit('will-navigate', ev, url);
      return ev.defaultPrevented;
    };
    expect(nav(`${APP_URL}#matches`)).toBe(false);
    expect(nav('https://www.svenskfotboll.se/')).toBe(true);
    expect(nav('http://evil.example/')).toBe(true);
    expect(nav('file:///etc/passwd')).toBe(true);
    expect(nav(pathToFileURL(INDEX).href)).toBe(true);
    expect(nav('app://renderer/other.html')).toBe(true);
    expect(nav('app://evil/index.html')).toBe(true);
    expect(fake.shell.opened).toEqual(['https://www.svenskfotboll.se/']);
    expect(log.lines.filter((l) => l.includes('blocked navigation'))).toHaveLength(6);
    const ev = fakeEvent();
    win.webContents.emit('will-redirect', ev, 'https://elsewhere.example/');
    expect(ev.defaultPrevented).toBe(true);
    const wv = fakeEvent();
    win.webContents.emit('will-attach-webview', wv);
    expect(wv.defaultPrevented).toBe(true);
  });

  it('denies every new window; only https goes to the system browser', () => {
    const { win } = open();
    const h = win.webContents.windowOpenHandler;
    expect(h).not.toBeNull();
    for (const url of ['https://accounts.google.com/o/oauth2/v2/auth?x=1', 'http://example.com/', 'javascript:alert(1)', 'file:///etc/passwd', 'https://user:pw@example.com/']) {
      expect(h?.({ url })).toEqual({ action: 'deny' });
    }
    expect(fake.shell.opened).toEqual(['https://accounts.google.com/o/oauth2/v2/auth?x=1']);
  });

  it('loads a dev server URL when given, and treats its origin as the app', () => {
    const { win } = open({ devServerUrl: 'http://localhost:5173' });
    expect(win.loaded).toEqual({ url: 'http://localhost:5173/' });
    const ev = fakeEvent();
    win.webContents.emit('will-navigate', ev, 'http://localhost:5173/#alerts');
    expect(ev.defaultPrevented).toBe(false);
  });

  it('reveals at a notification target through the renderer hash route', () => {
    const { win } = open();
    win.minimized = true;
    revealAt(win as unknown as ElectronWindow, { page: 'matches', id: '6400101' });
    expect(win.webContents.executed).toEqual(['location.hash = "matches/6400101"']);
    expect(win.visible).toBe(true);
    expect(win.focused).toBe(true);
    expect(win.minimized).toBe(false);
    revealAt(win as unknown as ElectronWindow, null);
    expect(win.webContents.executed).toHaveLength(1);
  });
});

describe('URL rules', () => {
  it('hashFor matches the renderer parseHash format', () => {
    expect(hashFor({ page: 'alerts', id: 'a 1/2' })).toBe('alerts/a%201%2F2');
    expect(hashFor({ page: 'overview', id: null })).toBe('overview');
  });
  it('isSafeExternalUrl accepts only plain https', () => {
    expect(isSafeExternalUrl('https://example.com/x')).toBe(true);
    expect(isSafeExternalUrl('http://example.com/')).toBe(false);
    expect(isSafeExternalUrl('smb://host/share')).toBe(false);
    expect(isSafeExternalUrl('https://a:b@example.com/')).toBe(false);
    expect(isSafeExternalUrl('nonsense')).toBe(false);
  });
  it('isSameAppPage compares host and path for app:// and origin for http', () => {
    expect(isSameAppPage(`${APP_URL}#x`, APP_URL)).toBe(true);
    expect(isSameAppPage('app://renderer/index.html?x=1#matches', APP_URL)).toBe(true);
    expect(isSameAppPage('app://renderer/other.html', APP_URL)).toBe(false);
    expect(isSameAppPage('app://other/index.html', APP_URL)).toBe(false);
    expect(isSameAppPage(pathToFileURL('/opt/fogis/dist/renderer/index.html').href, APP_URL)).toBe(false);
    expect(isSameAppPage('data:text/html,x', 'data:text/html,x')).toBe(false);
    expect(isSameAppPage('http://localhost:5173/a', 'http://localhost:5173/')).toBe(true);
    expect(isSameAppPage('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
  });
});
