import { screen, type BrowserWindow, type Rectangle } from 'electron';
import { createCompactWindow, type MainWindowOptions } from './window';

/**
 * The tray window (issue 14): a small frameless window under (or above) the tray icon with
 * the renderer's compact view (`#compact`): the status line, the next match, unacknowledged
 * alerts, Sync now and "Open dashboard". It behaves like a menu-bar popover (menubar's
 * model): it opens at the icon, hides when it loses focus, and never shows in the taskbar.
 */

export const COMPACT_WIDTH = 400;
export const COMPACT_HEIGHT = 600;
/** Space between the icon and the window, and between the window and the screen edge. */
const GAP = 4;
/**
 * Clicking the icon while the window is open first blurs (hides) the window, then
 * delivers the click; a click this soon after a blur-hide means "close", not "open again".
 */
export const REOPEN_GUARD_MS = 300;

export interface Size {
  width: number;
  height: number;
}

const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(v, Math.max(lo, hi)));

/**
 * Where the window goes: centred on the icon, below it when the tray is in the top half
 * of the screen (macOS menu bar, GNOME top bar), above it otherwise (Windows taskbar),
 * always inside the display's work area. Linux trays often report empty bounds; then the
 * window opens at `fallback` (the mouse pointer, which has just clicked the icon).
 */
export function compactWindowBounds(tray: Rectangle, workArea: Rectangle, size: Size = { width: COMPACT_WIDTH, height: COMPACT_HEIGHT }, fallback?: { x: number; y: number }): Rectangle {
  const known = tray.width > 0 && tray.height > 0;
  const anchor = known ? tray : { x: fallback?.x ?? workArea.x + workArea.width, y: fallback?.y ?? workArea.y, width: 0, height: 0 };
  const width = Math.min(size.width, workArea.width);
  const height = Math.min(size.height, workArea.height);
  const centreX = anchor.x + anchor.width / 2;
  const topHalf = anchor.y + anchor.height / 2 < workArea.y + workArea.height / 2;
  const x = clamp(Math.round(centreX - width / 2), workArea.x + GAP, workArea.x + workArea.width - width - GAP);
  const wantY = topHalf ? anchor.y + anchor.height + GAP : anchor.y - height - GAP;
  const y = clamp(Math.round(wantY), workArea.y + GAP, workArea.y + workArea.height - height - GAP);
  return { x, y, width, height };
}

export interface TrayWindowOptions extends Pick<MainWindowOptions, 'preloadPath' | 'indexHtml' | 'devServerUrl' | 'log'> {
  /** "Open dashboard" in the compact view. */
  openDashboard(): void;
  now?: () => number;
}

export class TrayWindow {
  private win: BrowserWindow | null = null;
  private hiddenByBlurAt = Number.NEGATIVE_INFINITY;
  private closing = false;
  private readonly now: () => number;

  constructor(private readonly opts: TrayWindowOptions) {
    this.now = opts.now ?? Date.now;
  }

  window(): BrowserWindow | null {
    return this.win && !this.win.isDestroyed() ? this.win : null;
  }

  isVisible(): boolean {
    return this.window()?.isVisible() ?? false;
  }

  /** The tray icon's click: open at the icon, or close when it is open. */
  toggle(trayBounds: Rectangle): void {
    if (this.isVisible()) {
      this.hide();
      return;
    }
    if (this.now() - this.hiddenByBlurAt < REOPEN_GUARD_MS) return;
    this.show(trayBounds);
  }

  show(trayBounds: Rectangle): void {
    if (this.closing) return;
    const win = this.ensure();
    const cursor = screen.getCursorScreenPoint();
    const probe = trayBounds.width > 0 && trayBounds.height > 0 ? { x: trayBounds.x, y: trayBounds.y } : cursor;
    const { workArea } = screen.getDisplayNearestPoint(probe);
    win.setBounds(compactWindowBounds(trayBounds, workArea, { width: COMPACT_WIDTH, height: COMPACT_HEIGHT }, cursor));
    win.show();
    win.focus();
  }

  hide(): void {
    const win = this.window();
    if (win?.isVisible()) win.hide();
  }

  destroy(): void {
    this.closing = true;
    const win = this.window();
    if (win) win.destroy();
    this.win = null;
  }

  private ensure(): BrowserWindow {
    const existing = this.window();
    if (existing) return existing;
    const win = createCompactWindow({
      ...this.opts,
      width: COMPACT_WIDTH,
      height: COMPACT_HEIGHT,
      onOpenAppPage: () => {
        this.hide();
        this.opts.openDashboard();
      },
    });
    win.on('blur', () => {
      if (!win.isVisible()) return;
      this.hiddenByBlurAt = this.now();
      win.hide();
    });
    win.on('close', (event) => {
      // Alt+F4 and the like hide it; quitting destroys it.
      if (!this.closing) {
        event.preventDefault();
        win.hide();
      }
    });
    win.on('closed', () => {
      if (this.win === win) this.win = null;
    });
    this.win = win;
    return win;
  }
}
