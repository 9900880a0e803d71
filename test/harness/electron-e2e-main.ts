import { createCore } from '../../electron/core/index';
import { startDesktop, type DesktopApp } from '../../electron/desktop/app';
import type { PlannedNotification } from '../../electron/desktop/notifications';
import { checkoutDesktopPaths } from './desktop-paths';

/**
 * The Electron entry of test/e2e/electron.e2e.test.ts: the desktop app as electron/main.ts
 * starts it, with the paths and a notification recorder passed as options, and the running
 * app left where `electronApp.evaluate` can read it. The production entry exposes nothing.
 * The test bundles this file beside its own ingest worker, outside dist/, and names the
 * repository in FOGIS_E2E_ROOT.
 */

export interface E2eHandle {
  desktop: DesktopApp | null;
  shown: PlannedNotification[];
}

declare global {
  var __fogisE2e: E2eHandle | undefined;
}

const root = process.env.FOGIS_E2E_ROOT ?? process.cwd();
const handle: E2eHandle = { desktop: null, shown: [] };
globalThis.__fogisE2e = handle;

void startDesktop({
  createCore,
  onNotificationShown: (n) => handle.shown.push(n),
  paths: checkoutDesktopPaths(root),
}).then((desktop) => {
  handle.desktop = desktop;
});
