import { Menu, nativeImage, Tray, type MenuItemConstructorOptions, type NativeImage, type Rectangle } from 'electron';
import path from 'node:path';
import type { Snapshot } from '../../shared/state';
import type { Logger } from '../core/log';
import { formatClock, TEXT, type Lang } from './text';
import { trayState, type TrayColour, type TrayState } from './tray-state';

/**
 * The tray icon and its menu. The menu is complete on every OS because Linux trays
 * (AppIndicator/StatusNotifier) often swallow clicks on the icon itself
 * (electron/electron#6773, cozy-labs/cozy-desktop#1714): whatever a click does, the menu
 * can do too.
 */

export interface TrayActions {
  openDashboard(): void;
  /** The compact window at the icon (electron/desktop/tray-window.ts); closes it when open. */
  toggleCompact(): void;
  syncNow(): void;
  setPaused(paused: boolean): void;
  restartSubscription(): void;
  /** Epoch ms, or null to unmute. */
  mute(until: number | null): void;
  setStartAtLogin(on: boolean): void;
  quit(): void;
}

export interface TrayView {
  snapshot: Snapshot;
  lang: Lang;
  mutedUntil: number | null;
  startAtLogin: boolean;
  now?: number;
}

/** "Until tomorrow" means until 07:00 the next calendar day, local time: quiet overnight. */
export function tomorrowMorning(now: number): number {
  const d = new Date(now);
  d.setDate(d.getDate() + 1);
  d.setHours(7, 0, 0, 0);
  return d.getTime();
}

export const ONE_HOUR_MS = 3_600_000;

/** Icon file per state and OS (files made by scripts/make-icons.mjs). */
export function iconFileFor(colour: TrayColour, platform: NodeJS.Platform): string {
  if (platform === 'darwin') {
    // A template image follows the menu bar's light/dark look; colour is kept for the
    // states that need attention, where blending in would defeat the point.
    return colour === 'green' || colour === 'grey' ? 'trayTemplate.png' : `${colour}.png`;
  }
  // Linux panels draw tray icons at 22–24 px and scale down; start from 32.
  return platform === 'linux' ? `${colour}-32.png` : `${colour}.png`;
}

export function buildMenuTemplate(view: TrayView, state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  const t = TEXT[view.lang];
  const paused = view.snapshot.connection.state === 'stopped';
  const now = view.now ?? Date.now();
  const muted = view.mutedUntil !== null && view.mutedUntil > now;
  const muteItems: MenuItemConstructorOptions[] = [
    { id: 'mute-1h', label: t.menu.mute1h, click: () => actions.mute(now + ONE_HOUR_MS) },
    { id: 'mute-tomorrow', label: t.menu.muteTomorrow, click: () => actions.mute(tomorrowMorning(now)) },
  ];
  if (muted) muteItems.push({ type: 'separator' }, { id: 'unmute', label: t.menu.unmute, click: () => actions.mute(null) });
  return [
    // The status line, for desktops that never show tooltips (many Linux panels).
    { id: 'status', label: state.tooltip, enabled: false },
    { type: 'separator' },
    { id: 'glance', label: t.menu.glance, click: () => actions.toggleCompact() },
    { id: 'open', label: t.menu.open, click: () => actions.openDashboard() },
    { id: 'sync', label: t.menu.syncNow, click: () => actions.syncNow() },
    paused
      ? { id: 'resume', label: t.menu.resume, click: () => actions.setPaused(false) }
      : { id: 'pause', label: t.menu.pause, enabled: view.snapshot.connection.state !== 'disabled', click: () => actions.setPaused(true) },
    { id: 'restart', label: t.menu.restart, click: () => actions.restartSubscription() },
    {
      id: 'mute',
      label: muted && view.mutedUntil !== null ? t.menu.mutedUntil(formatClock(view.mutedUntil, view.lang, view.snapshot.config.calendar.timeZone)) : t.menu.mute,
      submenu: muteItems,
    },
    { id: 'start-at-login', label: t.menu.startAtLogin, type: 'checkbox', checked: view.startAtLogin, click: (item) => actions.setStartAtLogin(item.checked) },
    { type: 'separator' },
    { id: 'quit', label: t.menu.quit, click: () => actions.quit() },
  ];
}

export interface TrayControllerOptions {
  iconDir: string;
  actions: TrayActions;
  log: Logger;
  platform?: NodeJS.Platform;
}

export class TrayController {
  private readonly tray: Tray;
  private readonly platform: NodeJS.Platform;
  private readonly images = new Map<string, NativeImage>();
  private lastIcon = '';
  private lastTooltip = '';
  private lastMenuKey = '';
  private current: TrayState | null = null;

  constructor(private readonly opts: TrayControllerOptions) {
    this.platform = opts.platform ?? process.platform;
    this.tray = new Tray(this.image('grey'));
    this.lastIcon = iconFileFor('grey', this.platform);
    // Windows and macOS deliver clicks reliably; Linux gets the same action from the menu.
    // A click opens the compact window (issue 14); the menu's "Open dashboard" the full one.
    this.tray.on('click', () => opts.actions.toggleCompact());
  }

  state(): TrayState | null {
    return this.current;
  }

  tooltip(): string {
    return this.lastTooltip;
  }

  /** Where the icon is on screen; empty on many Linux trays. */
  bounds(): Rectangle {
    return this.tray.getBounds();
  }

  update(view: TrayView): TrayState {
    const state = trayState(view.snapshot, { lang: view.lang, ...(view.now !== undefined ? { now: view.now } : {}) });
    this.current = state;
    const file = iconFileFor(state.colour, this.platform);
    if (file !== this.lastIcon) {
      this.tray.setImage(this.image(state.colour));
      this.lastIcon = file;
    }
    if (state.tooltip !== this.lastTooltip) {
      this.tray.setToolTip(state.tooltip);
      this.lastTooltip = state.tooltip;
    }
    const template = buildMenuTemplate(view, state, this.opts.actions);
    // Rebuilding the menu on Linux re-registers it over D-Bus; only do it when it changed.
    const key = JSON.stringify(template.map((i) => [i.id, i.label, i.checked, i.enabled, i.submenu ? (i.submenu as MenuItemConstructorOptions[]).map((s) => s.id) : null]));
    if (key !== this.lastMenuKey) {
      this.tray.setContextMenu(Menu.buildFromTemplate(template));
      this.lastMenuKey = key;
    }
    return state;
  }

  destroy(): void {
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }

  private image(colour: TrayColour): NativeImage {
    const file = iconFileFor(colour, this.platform);
    let img = this.images.get(file);
    if (!img) {
      img = nativeImage.createFromPath(path.join(this.opts.iconDir, file));
      if (img.isEmpty()) this.opts.log.warn('desktop', `[tray] icon missing: ${path.join(this.opts.iconDir, file)}`);
      if (file.includes('Template')) img.setTemplateImage(true);
      this.images.set(file, img);
    }
    return img;
  }
}
