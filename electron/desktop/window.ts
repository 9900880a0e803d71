import { BrowserWindow, session, shell, type Session, type WebContents, type WebPreferences } from 'electron';
import type { Logger } from '../core/log';
import type { NotificationTarget } from './notification-policy';
import { APP_INDEX_URL, APP_SCHEME, CONTENT_SECURITY_POLICY } from './renderer-files';

/**
 * The dashboard window (security checklist, anchors §3.1). The renderer reaches the app
 * only through the preload's `window.fogis`; everything else is shut.
 */

/**
 * One policy for every page the windows show: app:// responses carry it as a header
 * (renderer-files.ts), and the header route below covers the dev server.
 */
export { CONTENT_SECURITY_POLICY };

/**
 * The one hardening every window gets (security checklist, anchors §3.1): the renderer is
 * sandboxed, isolated from the preload's world and has no Node. Written once, so a second
 * window cannot drift from the first (test/unit/desktop-static-security.test.ts checks this
 * literal and that every BrowserWindow uses it).
 */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  spellcheck: false,
} as const satisfies WebPreferences;

/** The hardening plus the window's preload (the only bridge to the app, `window.fogis`). */
export function webPreferencesFor(preloadPath: string): WebPreferences {
  return { ...SECURE_WEB_PREFERENCES, preload: preloadPath };
}

export interface MainWindowOptions {
  preloadPath: string;
  /** dist/renderer/index.html; served as app://renderer/index.html (app-protocol.ts). */
  indexHtml: string;
  /** Load this instead of the file (vite dev server); same-origin rules follow it. */
  devServerUrl?: string | null;
  log: Logger;
  icon?: string;
  show?: boolean;
}

export function appUrlFor(opts: Pick<MainWindowOptions, 'devServerUrl'>): string {
  return opts.devServerUrl ? new URL(opts.devServerUrl).href : APP_INDEX_URL;
}

/** Only plain https links leave the app, and only to the system browser. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** True when `target` is the app page itself (ignoring the hash the router uses). */
export function isSameAppPage(target: string, appUrl: string): boolean {
  try {
    const a = new URL(target);
    const b = new URL(appUrl);
    // Node gives a custom scheme the origin "null", so the app page is compared by its parts.
    if (b.protocol === `${APP_SCHEME}:`) return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;
    return a.origin === b.origin && a.origin !== 'null';
  } catch {
    return false;
  }
}

/** The renderer's hash route (renderer/src/App.tsx `parseHash`): `#matches/6400101`. */
export function hashFor(target: NotificationTarget): string {
  return target.id ? `${target.page}/${encodeURIComponent(target.id)}` : target.page;
}

/** Adds the CSP header to every response of the session, once per session. */
const hardened = new WeakSet<Session>();
export function applyContentSecurityPolicy(ses: Session): void {
  if (hardened.has(ses)) return;
  hardened.add(ses);
  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-security-policy') delete headers[k];
    headers['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
    callback({ responseHeaders: headers });
  });
}

/**
 * Keeps a window on the app page: navigation elsewhere is blocked (https goes to the
 * system browser), webviews are refused, and new windows are denied. `onOpenAppPage`
 * lets a window turn `window.open(<app page>)` into an action (the tray window's
 * "Open dashboard").
 */
export function guardContents(wc: WebContents, appUrl: string, log: Logger, onOpenAppPage?: (url: string) => void): void {
  wc.on('will-navigate', (event, url) => {
    if (isSameAppPage(url, appUrl)) return;
    event.preventDefault();
    log.warn('desktop', `[window] blocked navigation to ${url}`);
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
  });
  wc.on('will-redirect', (event, url) => {
    if (isSameAppPage(url, appUrl)) return;
    event.preventDefault();
    log.warn('desktop', `[window] blocked redirect to ${url}`);
  });
  wc.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
  wc.setWindowOpenHandler(({ url }) => {
    if (onOpenAppPage && isSameAppPage(url, appUrl)) onOpenAppPage(url);
    else if (isSafeExternalUrl(url)) void shell.openExternal(url);
    else log.warn('desktop', `[window] refused to open ${url}`);
    return { action: 'deny' };
  });
}

/**
 * Loads the app page, optionally at a hash route (`compact` for the tray window). Never
 * file://: with the grantFileProtocolExtraPrivileges fuse off, a file:// page inside the
 * asar cannot run its module script, and it would carry only the meta-tag policy.
 */
export function loadAppPage(win: BrowserWindow, opts: Pick<MainWindowOptions, 'devServerUrl'>, hash?: string): void {
  const url = new URL(appUrlFor(opts));
  if (hash) url.hash = hash;
  void win.loadURL(url.href);
}

export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const appUrl = appUrlFor(opts);
  applyContentSecurityPolicy(session.defaultSession);

  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    show: opts.show ?? false,
    title: 'FOGIS Monitor',
    autoHideMenuBar: true,
    ...(opts.icon ? { icon: opts.icon } : {}),
    webPreferences: webPreferencesFor(opts.preloadPath),
  });

  guardContents(win.webContents, appUrl, opts.log);
  loadAppPage(win, opts);
  win.once('ready-to-show', () => {
    if (opts.show) win.show();
  });
  return win;
}

export interface CompactWindowOptions extends Pick<MainWindowOptions, 'preloadPath' | 'indexHtml' | 'devServerUrl' | 'log'> {
  width: number;
  height: number;
  /** `window.open(<app page>)` from the compact view ("Open dashboard"). */
  onOpenAppPage: () => void;
}

/**
 * The tray's compact window (issue 14; behaviour in tray-window.ts): frameless, fixed size,
 * out of the taskbar, on top like a menu; the same page at `#compact`, the same sandbox.
 */
export function createCompactWindow(opts: CompactWindowOptions): BrowserWindow {
  applyContentSecurityPolicy(session.defaultSession);
  const win = new BrowserWindow({
    width: opts.width,
    height: opts.height,
    show: false,
    frame: false,
    resizable: false,
    movable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    skipTaskbar: true,
    alwaysOnTop: true,
    title: 'FOGIS Monitor',
    webPreferences: webPreferencesFor(opts.preloadPath),
  });
  guardContents(win.webContents, appUrlFor(opts), opts.log, () => opts.onOpenAppPage());
  loadAppPage(win, opts, 'compact');
  return win;
}

/** Brings the window up at a page; only ever called for a user action (click, menu). */
export function revealAt(win: BrowserWindow, target: NotificationTarget | null): void {
  if (win.isDestroyed()) return;
  if (target) {
    const hash = hashFor(target);
    // Setting the hash from main keeps the renderer's state; a reload would lose it.
    void win.webContents.executeJavaScript(`location.hash = ${JSON.stringify(hash)}`).catch(() => undefined);
  }
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
