import type { Alert, MatchChange, MessageLogEntry, MonitorEvent, Snapshot } from '../../../shared/state';
import { contained, type FaultReporter } from '../containment';
import { EventDeltas } from './event-deltas';

/** Coalescing window for events: at most 10 pushes a second whatever the message rate. */
export const EVENT_INTERVAL_MS = 100;
/** Longest preview in a live-stream push (processing and alert messages fit whole). */
const LIVE_PREVIEW_CHARS = 1024;
/** What a push keeps of a longer preview: enough for the type and the first fields. */
const LIVE_HEAD_CHARS = 256;
/** Between flushes only what a client could show is kept; the totals say how many there were. */
const PENDING_MESSAGES = 500;
const PENDING_ALERTS = 50;

export type SnapshotKey = keyof Snapshot;
/** Pushed with every state event even when unchanged: the clock the dashboard shows. */
const ALWAYS_PUSHED: ReadonlySet<string> = new Set<SnapshotKey>(['now', 'uptimeSeconds']);

/** What the batcher reads when it flushes: the current snapshot parts. */
export interface EventSource {
  part<K extends SnapshotKey>(key: K): Snapshot[K];
  messagesTotal(): number;
}

/**
 * The monitor's typed event stream: marks which snapshot parts changed and collects new
 * messages, alerts and match changes, and pushes them at most once per EVENT_INTERVAL_MS.
 * With nobody listening it collects nothing.
 */
export class EventBatcher {
  private readonly listeners = new Set<(e: MonitorEvent) => void>();
  private readonly dirtyKeys = new Set<SnapshotKey>();
  private readonly deltas = new EventDeltas();
  private pendingMessages: MessageLogEntry[] = [];
  private pendingAlerts: Alert[] = [];
  private pendingChanges: MatchChange[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = 0;

  constructor(
    private readonly source: EventSource,
    /** The last line of defence for a throwing listener or flush (containment.ts). */
    private readonly fault: FaultReporter,
  ) {}

  get listening(): boolean {
    return this.listeners.size > 0;
  }

  onEvent(listener: (e: MonitorEvent) => void): () => void {
    // Nobody listened, so nothing was pushed: a new listener starts from a snapshot of now.
    if (this.listeners.size === 0) {
      const calendar = this.source.part('calendar');
      this.deltas.reset({ list: this.source.part('matches').list, alerts: this.source.part('alerts').items, rejectedTotal: this.source.part('rejected').total, calendar });
      this.dirtyKeys.clear();
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dirty(key: SnapshotKey): void {
    this.dirtyKeys.add(key);
    if (this.listening) this.schedule();
  }

  message(entry: MessageLogEntry): void {
    if (!this.listening) return;
    // Pushes stay small: a long preview (a match list) goes out as its head only; the page
    // API has it whole. Status and alert messages are shorter and go out whole.
    this.pendingMessages.push(entry.preview.length > LIVE_PREVIEW_CHARS ? { ...entry, preview: entry.preview.slice(0, LIVE_HEAD_CHARS), cut: true } : entry);
    if (this.pendingMessages.length > PENDING_MESSAGES) this.pendingMessages.splice(0, this.pendingMessages.length - PENDING_MESSAGES);
    this.schedule();
  }

  alert(alert: Alert): void {
    if (!this.listening) return;
    this.pendingAlerts.push(alert);
    if (this.pendingAlerts.length > PENDING_ALERTS) this.pendingAlerts.splice(0, this.pendingAlerts.length - PENDING_ALERTS);
    this.schedule();
  }

  /** An alert that replaced the one with its id: a waiting push of the old one carries the new. */
  alertReplaced(alert: Alert): void {
    if (!this.listening) return;
    this.pendingAlerts = this.pendingAlerts.filter((a) => a.id !== alert.id);
    this.pendingAlerts.push(alert);
    this.schedule();
  }

  changes(changes: readonly MatchChange[]): void {
    if (!this.listening || changes.length === 0) return;
    this.pendingChanges.push(...changes);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlush + EVENT_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      contained(this.fault, 'timer', () => this.flushEvents(), undefined);
    }, wait);
    this.timer.unref?.();
  }

  /** One push per interval: the changed snapshot parts, new messages, alerts and changes. */
  private flushEvents(): void {
    this.lastFlush = Date.now();
    if (this.listeners.size === 0) {
      this.dirtyKeys.clear();
      this.pendingMessages = [];
      this.pendingAlerts = [];
      this.pendingChanges = [];
      return;
    }
    const events: MonitorEvent[] = [];
    // After `changes`, so a client's history total ends at the absolute one of `matches`.
    const deltas: MonitorEvent[] = [];
    const dirty = this.dirtyKeys;
    if (dirty.size > 0) {
      dirty.add('now');
      dirty.add('uptimeSeconds');
      if (dirty.has('counters')) dirty.add('connection');
      // Every change can change the one status; it is small, so it goes with every push.
      dirty.add('status');
      const patch: Partial<Snapshot> = {};
      for (const key of dirty) {
        // The long collections go out as changes (event-deltas.ts), the rest as a patch.
        if (key === 'matches') deltas.push(this.deltas.matchesEvent(this.source.part('matches')));
        else if (key === 'alerts') {
          const a = this.source.part('alerts');
          const e = this.deltas.alertsEvent(a.items, a.total, a.cap, new Set(this.pendingAlerts));
          if (e) deltas.push(e);
        } else if (key === 'rejected') {
          const r = this.source.part('rejected');
          const e = this.deltas.rejectedEvent(r.items, r.total, r.cap);
          if (e) deltas.push(e);
        } else if (key === 'calendar') deltas.push(this.deltas.calendarEvent(this.source.part('calendar')));
        else (patch as Record<string, unknown>)[key] = this.source.part(key);
      }
      dirty.clear();
      events.push({ kind: 'state', patch: this.deltas.changedParts(patch, ALWAYS_PUSHED) });
    }
    if (this.pendingMessages.length > 0) {
      events.push({ kind: 'messages', entries: this.pendingMessages, total: this.source.messagesTotal() });
      this.pendingMessages = [];
    }
    for (const alert of this.pendingAlerts) events.push({ kind: 'alert', alert });
    this.pendingAlerts = [];
    if (this.pendingChanges.length > 0) {
      events.push({ kind: 'changes', changes: this.pendingChanges });
      this.pendingChanges = [];
    }
    events.push(...deltas);
    for (const listener of this.listeners) {
      for (const e of events) {
        try {
          listener(e);
        } catch (err) {
          this.fault('listener', err);
        }
      }
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }
}
