import { randomUUID } from 'node:crypto';
import type { Alert } from '../../../shared/state';
import { sayRef } from '../../../shared/i18n/say';
import type { TextRef } from '../../../shared/text-ref';
import type { FaultArea } from '../containment';
import type { AppAlertInput } from '../sync/calendar-sink';
import { BoundedList } from './bounded-list';

/** At most one "internal error" alert per area in this window; the counter counts every one. */
export const INTERNAL_ALERT_INTERVAL_MS = 60_000;

/** A system_alert's payload (spec §2.6). */
export interface SystemAlertPayload {
  alert_type: string;
  severity: Alert['severity'];
  message: string;
  timestamp?: string | undefined;
  details?: Record<string, unknown> | undefined;
}

/** An app alert's English message from its catalogue text. */
export function englishText(ref: TextRef): string {
  return sayRef('en', ref, { time: (iso) => iso });
}

export interface AlertBookEvents {
  /** A new alert (pushed to listeners as an `alert` event). */
  added(alert: Alert): void;
  /** An alert took the place of the one with the same id (a processor failure merged with its system alert). */
  replaced(alert: Alert): void;
  /** Alerts were acknowledged or resolved in place. */
  changed(): void;
}

/**
 * Every alert the coordinator sees: the processor's failed cycles, MLP's system alerts and
 * the app's own (calendar guard, storage, internal errors), newest last, capped at
 * `limits.alertLog` with a total (DESIGN rule 6).
 */
export class AlertBook {
  private list: BoundedList<Alert>;
  private readonly internalAlertAt = new Map<FaultArea, number>();

  constructor(
    cap: number,
    private readonly events: AlertBookEvents,
    private readonly now: () => Date,
  ) {
    this.list = new BoundedList<Alert>(cap);
  }

  get total(): number {
    return this.list.total;
  }
  get cap(): number {
    return this.list.cap;
  }
  get length(): number {
    return this.list.length;
  }
  /** Oldest first. */
  toArray(): Alert[] {
    return this.list.toArray();
  }
  /** Newest first. */
  newest(n?: number): Alert[] {
    return this.list.newest(n);
  }

  restore(items: readonly Alert[], total: number): void {
    this.list = new BoundedList(this.list.cap, items, total);
  }

  resize(cap: number): void {
    this.list.resize(cap);
  }

  add(alert: Alert): void {
    this.list.push(alert);
    this.events.added(alert);
  }

  /** A system_alert message. `envelopeTs`: the message's timestamp, used when the payload has none. */
  systemAlert(payload: SystemAlertPayload, envelopeTs: string): void {
    const at = payload.timestamp ?? envelopeTs;
    // MLP publishes `failed` and then a system_alert for the same failure (spec §2.6 E):
    // one failure, one alert. The system alert's wording replaces the processor alert's.
    const [newest] = this.list.newest(1);
    const sameFailure =
      newest !== undefined &&
      newest.source === 'processor' &&
      newest.details.error_message !== undefined &&
      newest.details.error_message === payload.details?.error_message &&
      Math.abs(Date.parse(newest.at) - Date.parse(at)) <= 60_000;
    if (sameFailure) {
      const merged: Alert = { ...newest, source: 'system_alert', alertType: payload.alert_type, severity: payload.severity, message: payload.message, details: { ...newest.details, ...payload.details } };
      this.list.update((a) => (a.id === newest.id ? merged : a));
      this.events.replaced(merged);
      return;
    }
    this.add({
      id: randomUUID(),
      source: 'system_alert',
      alertType: payload.alert_type,
      severity: payload.severity,
      message: payload.message,
      at,
      details: payload.details ?? {},
      acknowledged: false,
    });
  }

  /** Alerts raised by the app itself (calendar guard, storage, state file). */
  raiseApp(input: AppAlertInput): void {
    this.add({
      id: randomUUID(),
      source: 'app',
      alertType: input.alertType,
      severity: input.severity,
      message: input.message,
      at: this.now().toISOString(),
      details: input.details ?? {},
      acknowledged: false,
      ...(input.text ? { text: input.text } : {}),
    });
  }

  /**
   * "internal error in <area>", at most one per area a minute, so a loop of failures cannot
   * flood the list. Uses the system clock: the injected one may be what failed.
   */
  internalError(area: FaultArea, text: string, count: number): void {
    const nowMs = Date.now();
    const last = this.internalAlertAt.get(area);
    if (last !== undefined && nowMs - last < INTERNAL_ALERT_INTERVAL_MS) return;
    this.internalAlertAt.set(area, nowMs);
    this.add({
      id: randomUUID(),
      source: 'app',
      alertType: 'internal_error',
      severity: 'error',
      message: `internal error in ${area}: ${text}. The app keeps running; the log has the details.`,
      at: new Date(nowMs).toISOString(),
      details: { area, count },
      acknowledged: false,
    });
  }

  /**
   * The cause of an app alert is gone (the calendar is back, sign-in works, the held
   * deletions were confirmed or withdrawn): its open alerts are marked resolved and
   * acknowledged, so nothing keeps asking for attention that needs none.
   */
  resolveApp(alertType: string): number {
    const at = this.now().toISOString();
    return this.updateOpen((a) => a.source === 'app' && a.alertType === alertType, (a) => ({ ...a, acknowledged: true, details: { ...a.details, resolvedAt: at } }));
  }

  acknowledge(ids: readonly string[] | 'all'): number {
    const wanted = ids === 'all' ? null : new Set(ids);
    return this.updateOpen((a) => !wanted || wanted.has(a.id), (a) => ({ ...a, acknowledged: true }));
  }

  private updateOpen(match: (a: Alert) => boolean, fn: (a: Alert) => Alert): number {
    let n = 0;
    this.list.update((a) => {
      if (a.acknowledged || !match(a)) return a;
      n++;
      return fn(a);
    });
    if (n > 0) this.events.changed();
    return n;
  }
}
