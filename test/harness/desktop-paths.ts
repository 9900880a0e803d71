import path from 'node:path';
import type { DesktopPaths } from '../../electron/desktop/app';

/** The desktop app's files in a built checkout (`npm run build`), for tests that start it unpackaged. */
export function checkoutDesktopPaths(root: string): DesktopPaths {
  return {
    preload: path.join(root, 'dist/electron/preload.cjs'),
    indexHtml: path.join(root, 'dist/renderer/index.html'),
    trayIcons: path.join(root, 'build/tray'),
    appIcon: path.join(root, 'build/icon.png'),
  };
}
