import { app, dialog, session, shell, type BrowserWindow } from 'electron';
import path from 'node:path';
import { IPC } from '../../shared/contract-channels';
import { ConfigError, defaultDataDir } from '../core/config/load-config';
import { installProcessGuards } from '../core/containment';
import type { AppConfig } from '../../shared/config';
import type { MonitorEvent } from '../../shared/state';
import type { Core, CoreOptions } from '../core/core-api';
import { createConsoleLogger, errorText, type Logger } from '../core/log';
import { APP_ID } from './app-id';
import { handleAppScheme, registerAppSchemePrivileges } from './app-protocol';
import { createAutostart, startedHidden, type Autostart } from './autostart';
import { registerIpc } from './ipc';
import { DesktopNotifier, type PlannedNotification } from './notifications';
import { createSafeStorageSecretStore } from './secret-store';
import { resolveLang, TEXT, type Lang } from './text';
import { TrayController } from './tray';
import { TrayWindow } from './tray-window';
import { appUrlFor, createMainWindow, isSafeExternalUrl, revealAt } from './window';

/**
 * The Electron shell's lifecycle, kept out of main.ts so tests can drive it with a fake
 * `electron` module and a fake core. main.ts only supplies the real `createCore`.
 */

export interface DesktopPaths {
  preload: string;
  indexHtml: string;
  trayIcons: string;
  appIcon: string;
}

export interface RunDesktopOptions {
  createCore: (opts: CoreOptions) => Promise<Core>;
  log?: Logger;
  paths?: Partial<DesktopPaths>;
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  autostart?: Autostart;
  /** How often time-based state (outage grace, storm summaries) is re-evaluated. */
  refreshMs?: number;
  /** Called with every notification the app shows, in order (a test harness records them). */
  onNotificationShown?: (n: PlannedNotification) => void;
}

export interface DesktopApp {
  core: Core;
  tray: TrayController;
  notifier: DesktopNotifier;
  window(): BrowserWindow | null;
  /** The tray's compact window (created on first use). */
  compact: TrayWindow;
  quit(): Promise<void>;
}

export function defaultPaths(mainDir: string): DesktopPaths {
  const root = app.getAppPath();
  return {
    preload: path.join(mainDir, 'preload.cjs'),
    indexHtml: path.join(root, 'dist', 'renderer', 'index.html'),
    // Tray icons ship as extraResources (electron-builder.yml): outside the asar, where
    // the tray implementations of every OS can read them.
    trayIcons: app.isPackaged ? path.join(process.resourcesPath, 'tray') : path.join(root, 'build', 'tray'),
    appIcon: app.isPackaged ? path.join(process.resourcesPath, 'icon.png') : path.join(root, 'build', 'icon.png'),
  };
}

/** Resolves null when another instance already runs (it gets focused instead). */
export async function runDesktop(opts: RunDesktopOptions): Promise<DesktopApp | null> {
  const log = opts.log ?? createConsoleLogger();
  const env = opts.env ?? process.env;
  const argv = opts.argv ?? process.argv;
  const platform = opts.platform ?? process.platform;

  if (!app.requestSingleInstanceLock()) {
    log.info('desktop', 'another instance is running; handing over to it');
    app.quit();
    return null;
  }
  // Must equal electron-builder's appId, or Windows drops notification clicks.
  app.setAppUserModelId(APP_ID);

  let win: BrowserWindow | null = null;
  let quitting = false;
  let stopped = false;
  const reveal: (target: Parameters<typeof revealAt>[1]) => void = (target) => {
    const w = ensureWindow(true);
    if (w) revealAt(w, target);
  };

  app.on('second-instance', () => reveal(null));
  // A tray app keeps running with no window; the listener alone stops the default quit.
  app.on('window-all-closed', () => undefined);
  app.on('activate', () => reveal(null));
  // Privileged schemes can only be declared before `ready`.
  registerAppSchemePrivileges();
  app.on('web-contents-created', (_event, contents) => {
    // Defence in depth for any webContents we did not create ourselves.
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });

  await app.whenReady();

  // Electron grants every permission by default (checklist item 5); the page needs none.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  const paths: DesktopPaths = { ...defaultPaths(__dirname), ...opts.paths };
  handleAppScheme(path.dirname(paths.indexHtml), log);
  // The same folder as the headless app (FOGIS_MONITOR_DATA_DIR or the per-OS default), so
  // settings, state and the calendar carry over between the two.
  const dataDir = defaultDataDir(env);
  const secretStore = await createSafeStorageSecretStore({ dir: path.join(dataDir, 'secrets'), log, platform });
  const core = await opts.createCore({
    dataDir,
    env,
    log,
    secretStore,
    http: true,
    staticDir: null,
    openExternal: (url) => {
      if (isSafeExternalUrl(url)) void shell.openExternal(url);
      else log.warn('desktop', `refused to open a non-https URL: ${url}`);
    },
  });

  const config = (): AppConfig => core.snapshot().config;
  const lang = (): Lang => resolveLang(config().ui.language, app.getPreferredSystemLanguages());
  const devServerUrl = !app.isPackaged && env.FOGIS_MONITOR_DEV_SERVER_URL ? env.FOGIS_MONITOR_DEV_SERVER_URL : null;
  const appUrl = appUrlFor({ devServerUrl });

  function ensureWindow(show: boolean): BrowserWindow | null {
    if (quitting) return null;
    if (win && !win.isDestroyed()) return win;
    const w = createMainWindow({ preloadPath: paths.preload, indexHtml: paths.indexHtml, devServerUrl, log, icon: paths.appIcon, show });
    w.on('close', (event) => {
      // Closing hides to the tray; Quit in the tray menu really quits.
      if (!quitting) {
        event.preventDefault();
        w.hide();
      }
    });
    w.on('closed', () => {
      if (win === w) win = null;
    });
    win = w;
    return w;
  }

  const compact = new TrayWindow({ preloadPath: paths.preload, indexHtml: paths.indexHtml, devServerUrl, log, openDashboard: () => reveal(null) });

  const notifier = new DesktopNotifier({
    lang,
    minSeverity: () => config().ui.notifyMinSeverity,
    timeZone: () => config().calendar.timeZone,
    snapshot: () => core.snapshot(),
    onClick: (target) => reveal(target),
    log,
    icon: paths.appIcon,
    platform,
    onShown: opts.onNotificationShown,
  });

  const autostart = opts.autostart ?? createAutostart(platform, env);
  let startAtLoginApplied: boolean | null = null;
  async function applyStartAtLogin(on: boolean): Promise<void> {
    if (startAtLoginApplied === on) return;
    try {
      await autostart.setEnabled(on);
      startAtLoginApplied = on;
      log.info('desktop', `start at login ${on ? 'on' : 'off'} (${autostart.location})`);
    } catch (err) {
      log.warn('desktop', `cannot change start at login: ${errorText(err)}`);
    }
  }

  const run = (what: string, p: Promise<unknown>): void => {
    p.catch((err) => log.warn('desktop', `${what} failed: ${errorText(err)}`));
  };

  const tray = new TrayController({
    iconDir: paths.trayIcons,
    log,
    platform,
    actions: {
      openDashboard: () => reveal(null),
      toggleCompact: () => compact.toggle(tray.bounds()),
      syncNow: () => run('sync now', core.handlers.syncNow().then(() => refresh())),
      setPaused: (paused) => run(paused ? 'pause' : 'resume', core.handlers.setPaused(paused).then(() => refresh())),
      restartSubscription: () => run('restart subscription', core.handlers.restartSubscription()),
      mute: (until) => {
        notifier.mute(until);
        run('mute', core.handlers.muteNotifications(until === null ? null : new Date(until).toISOString()));
        refresh();
      },
      setStartAtLogin: (on) => {
        run('start at login', applyStartAtLogin(on).then(() => core.handlers.updateConfig({ ui: { startAtLogin: on } })));
        refresh();
      },
      quit: () => {
        void shutdown();
      },
    },
  });

  function refresh(): void {
    if (stopped) return;
    try {
      tray.update({ snapshot: core.snapshot(), lang: lang(), mutedUntil: notifier.policy.mutedUntilMs(), startAtLogin: config().ui.startAtLogin });
    } catch (err) {
      log.warn('desktop', `tray update failed: ${errorText(err)}`);
    }
  }

  const disposeIpc = registerIpc({
    handlers: core.handlers,
    appUrl,
    log,
    after: {
      muteNotifications: ([body], result) => {
        if ((result as { success?: boolean } | null)?.success === false) return;
        notifier.mute(body.until === null ? null : Date.parse(body.until));
        refresh();
      },
      updateConfig: async () => {
        await applyStartAtLogin(config().ui.startAtLogin);
        refresh();
      },
    },
  });

  const offEvents = core.onEvent((event: MonitorEvent) => {
    if (win && !win.isDestroyed()) win.webContents.send(IPC.event, event);
    compact.window()?.webContents.send(IPC.event, event);
    notifier.handle(event);
    if (event.kind !== 'messages') refresh();
  });

  await core.start();
  await applyStartAtLogin(config().ui.startAtLogin);
  notifier.handle({ kind: 'snapshot', snapshot: core.snapshot() });
  refresh();
  const timer = setInterval(() => {
    notifier.tick();
    refresh();
  }, opts.refreshMs ?? 5_000);

  ensureWindow(!startedHidden(argv, platform));

  async function shutdown(): Promise<void> {
    if (stopped) return;
    quitting = true;
    stopped = true;
    clearInterval(timer);
    offEvents();
    disposeIpc();
    notifier.dispose();
    try {
      // The core promises to finish within 2 s; never hang the quit on it.
      let giveUp: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([core.stop(), new Promise((resolve) => (giveUp = setTimeout(resolve, 3_000)))]);
      clearTimeout(giveUp);
    } catch (err) {
      log.warn('desktop', `core stop failed: ${errorText(err)}`);
    }
    compact.destroy();
    tray.destroy();
    app.quit();
  }

  app.on('before-quit', (event) => {
    if (stopped) return;
    // OS-initiated quit (logout, Cmd+Q): stop the core first, then quit for real.
    event.preventDefault();
    void shutdown();
  });

  return { core, tray, notifier, window: () => win, compact, quit: shutdown };
}

/**
 * The text of the start-failure dialog: each invalid setting on its own line (ConfigError
 * carries them), in the OS language, since the configuration that names one was not read.
 */
export function startFailureText(err: unknown, lang: Lang): { title: string; content: string } {
  const t = TEXT[lang].startFailure;
  if (err instanceof ConfigError && err.errors.length > 0) {
    const lines = err.errors.map((e) => `• ${e.path || t.wholeConfig}: ${e.message}`);
    return { title: t.title, content: [t.configIntro, '', ...lines, '', t.configFix].join('\n') };
  }
  return { title: t.title, content: [t.other, '', errorText(err)].join('\n') };
}

/**
 * runDesktop, and when it cannot start, a dialog and a clean exit. Started at login the app
 * has no terminal, so stderr alone would say nothing; and it exits (code 2 for a bad
 * configuration, as headless does) instead of throwing, so nothing restarts it into the same
 * error over and over.
 */
export async function startDesktop(opts: RunDesktopOptions): Promise<DesktopApp | null> {
  const log = opts.log ?? createConsoleLogger();
  const explainAndExit = (err: unknown, code: number): void => {
    const lang = resolveLang('auto', safeLanguages());
    const { title, content } = startFailureText(err, lang);
    try {
      // The dialog needs `ready`; a failure before it (rare) still exits, with the log line.
      if (app.isReady()) dialog.showErrorBox(title, content);
    } catch (dialogErr) {
      log.error('desktop', `cannot show the error dialog: ${errorText(dialogErr)}`);
    }
    app.exit(code);
  };
  // The last line of defence (electron/core/containment.ts), as in headless: once running, an
  // uncaught exception or unhandled rejection becomes the core's internal error (counted,
  // alerted) and the tray app keeps running; during start-up it ends the start with a dialog.
  let running: DesktopApp | null = null;
  let starting = true;
  const removeGuards = installProcessGuards({
    log,
    starting: () => starting,
    report: (area, err) => (running ? running.core.internalError(area, err) : log.error('desktop', `${area}: ${errorText(err)}`)),
    exit: (code) => explainAndExit(new Error('an unexpected error stopped the start; the log says where'), code),
  });
  try {
    running = await runDesktop({ ...opts, log });
    starting = false;
  } catch (err) {
    removeGuards();
    log.error('desktop', `cannot start: ${errorText(err)}`);
    explainAndExit(err, err instanceof ConfigError ? 2 : 1);
    return null;
  }
  if (!running) {
    // Another instance runs; this one is quitting.
    removeGuards();
    return null;
  }
  const quit = running.quit;
  running.quit = async () => {
    await quit();
    removeGuards();
  };
  return running;
}

function safeLanguages(): string[] {
  try {
    return app.getPreferredSystemLanguages();
  } catch {
    return [];
  }
}
