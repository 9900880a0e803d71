import { app, dialog } from 'electron';
import { createCore } from './core/index';
import { runDesktop, type DesktopApp } from './desktop/app';

/**
 * Electron entry (bundled to dist/electron/main.cjs). All behaviour lives in
 * electron/desktop/app.ts; this file only joins it to the real core.
 */

declare global {
  // Read by test/e2e/electron.e2e.test.ts through `electronApp.evaluate`; set only when the
  // e2e test asks for it, so a normal run exposes nothing extra in the main process.
  var __fogisDesktop: DesktopApp | undefined;
}

runDesktop({ createCore })
  .then((desktop) => {
    if (desktop && process.env.FOGIS_MONITOR_E2E === '1') globalThis.__fogisDesktop = desktop;
  })
  .catch((err: unknown) => {
    // A bad config file (ConfigError says which field) must reach the user, not just stderr:
    // a tray app started at login has no terminal.
    const message = err instanceof Error ? err.message : String(err);
    console.error('[desktop] failed to start:', err);
    if (app.isReady()) dialog.showErrorBox('FOGIS Monitor could not start', message);
    app.exit(1);
  });
