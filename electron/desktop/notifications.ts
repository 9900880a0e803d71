import { Notification, type NativeImage } from 'electron';
import type { MonitorEvent, Snapshot } from '../../shared/state';
import { errorText, type Logger } from '../core/log';
import { NotificationPolicy, oneLine, type NotificationTarget, type PlannedNotification, type PolicyOptions } from './notification-policy';

export * from './notification-policy';

/**
 * Turns the policy's decisions into native notifications. Two traps handled here:
 * - A Notification that is garbage-collected before the user clicks it loses its click
 *   handler (electron/electron#24524), so every live one is kept until click/close.
 * - Showing a notification never touches the window: focus stealing made users quit a
 *   comparable monitor (querylab/kumatray#4). Only a click brings the window up.
 */

export interface DesktopNotifierOptions extends PolicyOptions {
  onClick: (target: NotificationTarget) => void;
  log: Logger;
  icon?: NativeImage | string;
  /** Current state for rules that depend on it (processor cycles, outages). */
  snapshot: () => Snapshot;
  /** Every notification shown, in order (RunDesktopOptions.onNotificationShown). */
  onShown?: (n: PlannedNotification) => void;
  /** @default process.platform */
  platform?: NodeJS.Platform;
}

/**
 * Linux notification servers render a markup subset in the body (Desktop Notifications
 * Specification, "Markup": b, i, u, a href, img), and Electron passes the text to libnotify
 * as it is, so a team name from Redis could bold, hide or link text (KDE makes links
 * clickable). The five XML specials are escaped, as Chromium's own Linux bridge does for
 * the body. The summary (title) is plain text by the same specification: escaping it would
 * show `&amp;` literally.
 */
export function escapeNotificationMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Linux notification daemons may never send `close`; bound the set so it cannot grow forever. */
const MAX_LIVE = 50;

export class DesktopNotifier {
  readonly policy: NotificationPolicy;
  private readonly live = new Set<Notification>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;

  constructor(private readonly opts: DesktopNotifierOptions) {
    this.policy = new NotificationPolicy(opts);
  }

  /** Feed every core event through here. */
  handle(event: MonitorEvent): void {
    if (this.disposed) return;
    let planned: PlannedNotification[] = [];
    switch (event.kind) {
      case 'alert':
        planned = this.policy.onAlert(event.alert);
        break;
      case 'changes':
        planned = this.policy.onChanges(event.changes, this.opts.snapshot());
        break;
      case 'snapshot':
        planned = this.policy.onSnapshot(event.snapshot);
        break;
      case 'state':
        planned = this.policy.onSnapshot(this.opts.snapshot());
        break;
      case 'messages':
        return;
    }
    this.showAll(planned);
  }

  /** Runs the time-based rules now (the periodic tray refresh calls this too). */
  tick(): void {
    if (this.disposed) return;
    this.showAll(this.policy.tick());
  }

  mute(until: number | null): void {
    this.policy.mute(until);
    this.reschedule();
  }

  liveCount(): number {
    return this.live.size;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.live.clear();
  }

  private showAll(planned: PlannedNotification[]): void {
    for (const n of planned) this.show(n);
    this.reschedule();
  }

  private reschedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const at = this.policy.nextWakeAt();
    if (at === null || this.disposed) return;
    const delay = Math.max(50, at - Date.now());
    this.timer = setTimeout(() => this.tick(), delay);
    this.timer.unref?.();
  }

  private show(n: PlannedNotification): void {
    this.opts.onShown?.(n);
    if (!Notification.isSupported()) {
      this.opts.log.info('desktop', `notification (not supported here): ${oneLine(n)}`);
      return;
    }
    try {
      const linux = (this.opts.platform ?? process.platform) === 'linux';
      const note = new Notification({
        title: n.title,
        body: linux ? escapeNotificationMarkup(n.body) : n.body,
        urgency: n.urgency,
        ...(this.opts.icon ? { icon: this.opts.icon } : {}),
      });
      const forget = (): void => {
        this.live.delete(note);
      };
      note.on('click', () => {
        forget();
        this.opts.onClick(n.target);
      });
      note.on('close', forget);
      note.on('failed', (_e, error) => {
        forget();
        this.opts.log.warn('desktop', `notification failed: ${error}`);
      });
      this.live.add(note);
      if (this.live.size > MAX_LIVE) {
        const oldest = this.live.values().next().value;
        if (oldest) this.live.delete(oldest);
      }
      note.show();
    } catch (err) {
      this.opts.log.warn('desktop', `cannot show notification: ${errorText(err)}`);
    }
  }
}
