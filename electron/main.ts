import { createCore } from './core/index';
import { startDesktop } from './desktop/app';

/**
 * Electron entry (bundled to dist/electron/main.cjs). All behaviour lives in
 * electron/desktop/app.ts; this file only joins it to the real core. A start that fails
 * (a bad config.json names its fields) shows a dialog and exits inside startDesktop.
 */
void startDesktop({ createCore });
