import { createCore } from './core/index';
import { startDesktop, type DesktopApp } from './desktop/app';

/**
 * Electron entry (bundled to dist/electron/main.cjs). All behaviour lives in
 * electron/desktop/app.ts; this file only joins it to the real core. A start that fails
 * (a bad config.json names its fields) shows a dialog and exits inside startDesktop.
 */

declare global {
  // Read by test/e2e/electron.e2e.test.ts through `electronApp.evaluate`; set only when the
  // e2e test asks for it, so a normal run exposes nothing extra in the main process.
  var __fogisDesktop: DesktopApp | undefined;
}

void startDesktop({ createCore }).then((desktop) => {
  if (desktop && process.env.FOGIS_MONITOR_E2E === '1') globalThis.__fogisDesktop = desktop;
});
