import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { MESSAGES_PAGE_DEFAULT, type MessagesQuery, type MessagesResponse } from '../../../shared/api';
import type { AppConfig } from '../../../shared/config';
import { maskConfig } from '../../../shared/config';
import type { FogisMatch, Generation, RejectReason } from '../../../shared/messages';
import { MESSAGE_TYPES, REJECT_REASONS } from '../../../shared/messages';
import type {
  Alert,
  ConnectionInfo,
  Counters,
  Cycle,
  MatchChange,
  MessageLogEntry,
  MonitorEvent,
  ProcessorInfo,
  RejectedEntry,
  Snapshot,
} from '../../../shared/state';
import { contained, type FaultArea } from '../containment';
import { errorText, type Logger } from '../log';
import { parseMessage, type Parsed } from '../messages/parse-message';
import { readJsonFile, DebouncedWriter } from '../store/atomic-file';
import type { SupervisorStatus } from '../redis/subscriber';
import type { AppAlertInput, CalendarSink, MatchListInput } from '../sync/calendar-sink';
import { computeStatus, type Status } from '../../../shared/status';
import { sayRef } from '../../../shared/i18n/say';
import type { TextRef } from '../../../shared/text-ref';
import { emptyContactsState, type ContactsState } from '../../../shared/contacts';
import { BoundedList, RecentIds } from './bounded-list';
import { WatchHistory } from './watch-history';
import type { History, WatchState } from '../../../shared/history';
import { diffMatches } from './match-diff';
import { EventDeltas } from './event-deltas';
import { persistedStateSchema, type PersistedState } from './persisted-state';

/**
 * The one orchestrator (DESIGN rule 2): it owns the state, turns raw messages into counters,
 * cycles, alerts and match changes, hands full lists to the calendar sink without waiting
 * for it (rule 3), persists what must survive a restart, and publishes typed events.
 * Tray, window, notifications and HTTP all read from here.
 */

export const APP_VERSION = '0.1.0';
const PREVIEW_CHARS = 4096;
/** Longest preview in a live-stream push (processing and alert messages fit whole). */
const LIVE_PREVIEW_CHARS = 1024;
/** What a push keeps of a longer preview: enough for the type and the first fields. */
const LIVE_HEAD_CHARS = 256;
/** Previews per page of `/api/messages`, roughly (a page has at least one entry). */
const PAGE_PREVIEW_BYTES = 256 * 1024;
/** The dashboard's rate chart window. */
const RATE_WINDOW_MS = 10 * 60_000;
/** Coalescing window for events: at most 10 pushes a second whatever the message rate. */
export const EVENT_INTERVAL_MS = 100;
/** At most one "internal error" alert per area in this window; the counter counts every one. */
export const INTERNAL_ALERT_INTERVAL_MS = 60_000;

type SnapshotKey = keyof Snapshot;
/** Pushed with every state event even when unchanged: the clock the dashboard shows. */
const ALWAYS_PUSHED: ReadonlySet<string> = new Set<SnapshotKey>(['now', 'uptimeSeconds']);

function emptyCounters(): Counters {
  return {
    messages_received: 0,
    messages_processed: 0,
    errors: 0,
    reconnect_count: 0,
    duplicates: 0,
    internal_errors: 0,
    by_type: Object.fromEntries([...MESSAGE_TYPES, 'unknown'].map((t) => [t, 0])) as Counters['by_type'],
    by_channel: {},
    by_generation: { g1: 0, g2: 0, g3: 0, enhanced_v2: 0, legacy_v1: 0 },
    rejected_by_reason: Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Counters['rejected_by_reason'],
    schema_version_stats: { v2_messages: 0, v1_messages: 0, unknown_messages: 0, preferred_schema: '2.0' },
    last_message_time: null,
    started_at: new Date().toISOString(),
  };
}

function cycleTime(c: Cycle): number {
  const t = Date.parse(c.at);
  return Number.isNaN(t) ? 0 : t;
}

export interface MonitorDeps {
  log: Logger;
  dataDir: string;
  sink: CalendarSink;
  /** The referee phonebook; it gets every accepted list, beside (not through) the calendar. */
  contacts?: ContactsPart;
  /** Settings fixed by environment variables (they never change while running). */
  envFixed?: Record<string, string>;
  /** Clock, for tests. */
  now?: () => Date;
  /** `npm run demo`: the status says so everywhere it shows. */
  demo?: boolean;
  /** history.json's size cap (tests). */
  historyCapBytes?: number;
}

/** An app alert's English message from its catalogue text. */
export function englishText(ref: TextRef): string {
  return sayRef('en', ref, { time: (iso) => iso });
}

/** What the monitor needs of the phonebook (electron/core/contacts). */
export interface ContactsPart {
  onMatchList(input: MatchListInput): void;
  getState(): ContactsState;
  onStateChange(listener: () => void): () => void;
}

export class Monitor {
  private config: AppConfig;
  private readonly log: Logger;
  private readonly sink: CalendarSink;
  private readonly contacts: ContactsPart | null;
  private readonly envFixed: Record<string, string>;
  private readonly now: () => Date;
  private readonly startedAt: Date;

  private counters: Counters = emptyCounters();
  private processor: ProcessorInfo = { lastStarted: null, lastCompleted: null, lastFailed: null, last: null, lastDurationMs: null, cycles: 0 };
  private alerts: BoundedList<Alert>;
  private rejected: BoundedList<RejectedEntry>;
  private messageLog: BoundedList<MessageLogEntry>;
  private history: BoundedList<MatchChange>;
  private recentIds: RecentIds;
  private matchList: FogisMatch[] = [];
  private matchMeta: { receivedAt: string | null; messageId: string | null; generation: Generation | null } = { receivedAt: null, messageId: null, generation: null };
  private connection: SupervisorStatus | null = null;
  private stale: { since: string } | null = null;
  private storageError: string | null = null;
  private stateError: string | null = null;
  private historyError: string | null = null;
  private mutedUntil: string | null = null;
  private seq = 0;
  private readonly internalAlertAt = new Map<FaultArea, number>();

  private readonly listeners = new Set<(e: MonitorEvent) => void>();
  private dirty = new Set<SnapshotKey>();
  private readonly deltas = new EventDeltas();
  private pendingMessages: MessageLogEntry[] = [];
  private pendingAlerts: Alert[] = [];
  private pendingChanges: MatchChange[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private lastFlush = 0;
  private readonly writer: DebouncedWriter;
  private readonly demo: boolean;
  /** Pushes the status again when it changes by itself (the end of the connection grace period). */
  private recheckTimer: NodeJS.Timeout | null = null;
  private recheckAt: string | null = null;
  private readonly watchHistory: WatchHistory;

  constructor(config: AppConfig, deps: MonitorDeps) {
    this.config = config;
    this.log = deps.log;
    this.sink = deps.sink;
    this.contacts = deps.contacts ?? null;
    this.envFixed = { ...(deps.envFixed ?? {}) };
    this.now = deps.now ?? (() => new Date());
    this.demo = deps.demo ?? false;
    this.startedAt = this.now();
    this.counters.started_at = this.startedAt.toISOString();
    const l = config.limits;
    this.alerts = new BoundedList<Alert>(l.alertLog);
    this.rejected = new BoundedList<RejectedEntry>(l.rejectedLog);
    this.messageLog = new BoundedList<MessageLogEntry>(l.messageLog);
    this.history = new BoundedList<MatchChange>(l.changeHistory);
    this.recentIds = new RecentIds(l.duplicateWindow);
    this.writer = new DebouncedWriter(
      path.join(deps.dataDir, 'state.json'),
      () => {
        try {
          return JSON.stringify(this.persisted());
        } catch (err) {
          this.internalError('timer', err);
          throw err;
        }
      },
      1000,
      (error) => {
        this.stateError = error;
        this.setStorageError(error ?? this.historyError);
      },
    );
    this.sink.onStateChange(() => this.markDirty('calendar'));
    this.watchHistory = new WatchHistory({
      dataDir: deps.dataDir,
      log: this.log,
      now: this.now,
      ...(deps.historyCapBytes !== undefined ? { capBytes: deps.historyCapBytes } : {}),
      // Its own error slot: a failing history.json must neither hide nor clear state.json's.
      onError: (error) => {
        this.historyError = error;
        this.setStorageError(this.stateError ?? error);
      },
    });
    this.contacts?.onStateChange(() => this.markDirty('contacts'));
  }

  // ---- the last line of defence ------------------------------------------------------------

  /**
   * An exception escaped a handler (containment.ts): count it, log it, and raise an alert
   * "internal error in <area>" (one per area a minute, so a loop of failures cannot flood
   * the alert list). Never throws, and does not trust the injected clock, which may be what
   * failed.
   */
  internalError(area: FaultArea, err: unknown): void {
    this.counters.internal_errors++;
    const text = errorText(err).slice(0, 500);
    try {
      this.log.error('app', `internal error in ${area}: ${err instanceof Error && err.stack ? err.stack.split('\n').slice(0, 4).join(' | ') : text}`);
    } catch {
      // A broken logger must not turn a report into a crash.
    }
    const nowMs = Date.now();
    const last = this.internalAlertAt.get(area);
    if (last === undefined || nowMs - last >= INTERNAL_ALERT_INTERVAL_MS) {
      this.internalAlertAt.set(area, nowMs);
      this.addAlert({
        id: randomUUID(),
        source: 'app',
        alertType: 'internal_error',
        severity: 'error',
        message: `internal error in ${area}: ${text}. The app keeps running; the log has the details.`,
        at: new Date(nowMs).toISOString(),
        details: { area, count: this.counters.internal_errors },
        acknowledged: false,
      });
    }
    this.markDirty('counters');
  }

  // ---- persistence -------------------------------------------------------------------------

  /** Restores the last saved state; a corrupt file is moved aside and we start clean. */
  async restore(dataDir: string): Promise<void> {
    await this.watchHistory.restore();
    const loaded = await readJsonFile(path.join(dataDir, 'state.json'), persistedStateSchema, this.log);
    if (loaded.status === 'corrupt') {
      const text = { key: 'appAlert.stateFileCorrupt', params: { error: loaded.error } };
      this.raiseAppAlert({ alertType: 'state_file_corrupt', severity: 'warning', message: englishText(text), text });
      return;
    }
    if (loaded.status !== 'ok') return;
    const s = loaded.value;
    this.matchList = s.matches.list;
    this.matchMeta = { receivedAt: s.matches.receivedAt, messageId: s.matches.messageId, generation: s.matches.generation };
    this.history = new BoundedList(this.config.limits.changeHistory, [...s.history].reverse(), s.historyTotal);
    this.alerts = new BoundedList(this.config.limits.alertLog, s.alerts, s.alertsTotal);
    if (s.counters) {
      const base = emptyCounters();
      this.counters = { ...base, ...s.counters, started_at: base.started_at, by_type: { ...base.by_type, ...s.counters.by_type }, rejected_by_reason: { ...base.rejected_by_reason, ...s.counters.rejected_by_reason }, by_generation: { ...base.by_generation, ...s.counters.by_generation } };
      // The messages themselves are not kept across a restart, but their count is: the
      // inspector's total agrees with the Overview's (every message received but duplicates
      // is logged), instead of starting again at 0 (issue 14.9).
      this.messageLog = new BoundedList<MessageLogEntry>(this.config.limits.messageLog, [], Math.max(0, this.counters.messages_received - this.counters.duplicates));
    }
    if (this.matchList.length > 0 || this.matchMeta.receivedAt) {
      // Whatever was published while we were not running is lost (pub/sub, spec §8.1).
      this.stale = { since: s.savedAt };
    }
    this.log.info('store', `restored ${this.matchList.length} matches, ${this.alerts.length} alerts`);
  }

  private persisted(): PersistedState {
    return {
      version: 1,
      savedAt: this.now().toISOString(),
      counters: this.counters,
      matches: { list: this.matchList, ...this.matchMeta },
      history: this.history.newest(),
      historyTotal: this.history.total,
      alerts: this.alerts.toArray(),
      alertsTotal: this.alerts.total,
    };
  }

  private setStorageError(error: string | null): void {
    if (error === this.storageError) return;
    const began = error !== null && this.storageError === null;
    if (error) this.log.error('store', `${error}; retrying`);
    else if (this.storageError) this.log.info('store', 'saving works again');
    this.storageError = error;
    this.markDirty('storageError');
    // One alert when saving starts failing (not one per retry): the tray and notifications show it.
    if (began) {
      const text = { key: 'appAlert.storage', params: { error } };
      this.raiseAppAlert({ alertType: 'storage', severity: 'error', message: englishText(text), text });
    }
  }

  /** Writes the state now (shutdown): everything, whether or not it changed. */
  async flush(): Promise<void> {
    this.writer.schedule();
    await Promise.all([this.writer.flush(), this.watchHistory.flush()]);
  }

  /** `GET /api/history`: the whole timeline of the last 7 days. */
  watchTimeline(): History {
    return this.watchHistory.timeline();
  }

  // ---- configuration -----------------------------------------------------------------------

  updateConfig(config: AppConfig): void {
    this.config = config;
    this.alerts.resize(config.limits.alertLog);
    this.rejected.resize(config.limits.rejectedLog);
    this.messageLog.resize(config.limits.messageLog);
    this.history.resize(config.limits.changeHistory);
    this.markDirty('config');
  }

  // ---- connection --------------------------------------------------------------------------

  setConnection(status: SupervisorStatus): void {
    this.connection = status;
    this.markDirty('connection');
    // Moments of passage (starting, a restart, a settings change) are neither up nor down:
    // the history keeps the state before them until the connection succeeds or fails.
    const passing = !status.subscribed && ['reason.not_started', 'reason.restarting', 'reason.settings_changed'].includes(status.reasonCode?.key ?? 'reason.not_started');
    if (!passing) {
      const state: WatchState = status.subscribed ? 'up' : status.state === 'disabled' || status.state === 'stopped' ? 'off' : 'down';
      this.watchHistory.recordState(state, state === 'up' ? null : status.reasonCode);
      this.markDirty('history');
    }
  }

  /** The subscription was lost: what is published now is lost to us (spec §3.4, §8.1). */
  onGap(at: Date): void {
    this.counters.reconnect_count++;
    this.stale ??= { since: at.toISOString() };
    this.markDirty('counters');
    this.markDirty('connection');
  }

  // ---- messages ----------------------------------------------------------------------------

  /** The hot path: called by the subscriber for every pub/sub message. Never throws. */
  ingest(channel: string, raw: Buffer | string): void {
    const receivedAt = this.now();
    const at = receivedAt.toISOString();
    const c = this.counters;
    c.messages_received++;
    c.by_channel[channel] = (c.by_channel[channel] ?? 0) + 1;
    c.last_message_time = at;
    let parsed: Parsed;
    try {
      parsed = parseMessage(raw, this.config.redis.maxMessageBytes, receivedAt.getTime(), this.config.calendar.timeZone);
    } catch (err) {
      // parseMessage is written not to throw; this is the last line of defence.
      parsed = { ok: false, reason: 'schema', error: `unexpected parser failure: ${(err as Error).message}`, head: '', bytes: 0, messageId: null };
    }
    this.markDirty('counters');
    if (!parsed.ok) {
      this.reject(channel, at, parsed.reason, parsed.error, parsed.head, parsed.bytes);
      this.logMessage(channel, at, 'rejected', parsed.messageId, parsed.bytes, parsed.head);
      return;
    }
    const msg = parsed.message;
    if (this.recentIds.seen(msg.message_id)) {
      c.duplicates++;
      return;
    }
    c.by_type[parsed.type]++;
    this.logMessage(channel, at, parsed.type, msg.message_id, parsed.bytes, typeof raw === 'string' ? raw : null, raw);
    try {
      switch (parsed.type) {
        case 'match_updates':
          this.onMatchUpdates(parsed, at);
          break;
        case 'processing_status':
          this.onProcessingStatus(parsed.message.payload, msg.message_id, msg.timestamp);
          break;
        case 'system_alert':
          this.onSystemAlert(parsed.message.payload, msg.timestamp);
          break;
      }
      c.messages_processed++;
    } catch (err) {
      c.errors++;
      this.internalError('redis', err);
    }
  }

  private reject(channel: string, at: string, reason: RejectReason, error: string, head: string, bytes: number): void {
    const c = this.counters;
    c.errors++;
    c.by_type.unknown++;
    c.rejected_by_reason[reason]++;
    this.rejected.push({ at, channel, reason, error, head, bytes });
    this.markDirty('rejected');
    // Count every rejection, but log the reason only now and then so a flood stays readable.
    const n = this.rejected.total;
    if (n <= 10 || n % 1000 === 0) this.log.warn('monitor', `rejected a message on ${channel} (${reason}): ${error.slice(0, 300)}${n > 10 ? ` [${n} rejected so far]` : ''}`);
  }

  private logMessage(channel: string, at: string, type: string, messageId: string | null, bytes: number, text: string | null, raw?: Buffer | string): void {
    let preview = text;
    if (preview === null) preview = raw === undefined ? '' : typeof raw === 'string' ? raw : raw.subarray(0, PREVIEW_CHARS * 2).toString('utf8');
    if (preview.length > PREVIEW_CHARS) preview = preview.slice(0, PREVIEW_CHARS);
    const entry: MessageLogEntry = { seq: ++this.seq, at, channel, type, messageId, bytes, preview };
    this.messageLog.push(entry);
    if (this.listeners.size > 0) {
      // Pushes stay small: a long preview (a match list) goes out as its head only; the page
      // API has it whole. Status and alert messages are shorter and go out whole.
      this.pendingMessages.push(preview.length > LIVE_PREVIEW_CHARS ? { ...entry, preview: preview.slice(0, LIVE_HEAD_CHARS), cut: true } : entry);
      // Between flushes keep only what a client could show; the total says how many there were.
      if (this.pendingMessages.length > 500) this.pendingMessages.splice(0, this.pendingMessages.length - 500);
      this.scheduleFlush();
    }
  }

  private onMatchUpdates(p: Extract<Parsed, { ok: true; type: 'match_updates' }>, at: string): void {
    const c = this.counters;
    c.by_generation[p.generation]++;
    const sv = p.schemaVersion ?? '1.0';
    if (sv === '2.0') c.schema_version_stats.v2_messages++;
    else if (sv === '1.0' || sv === '1.5') c.schema_version_stats.v1_messages++;
    else c.schema_version_stats.unknown_messages++;

    if (p.generation === 'enhanced_v2' || p.generation === 'legacy_v1') {
      // §2.3: processed matches carry no matchid/tid, so they cannot be synced or diffed.
      this.log.info('monitor', `received a ${p.generation} match list (${p.otherMatches} matches): shown, not synced`);
      return;
    }
    this.applyFullList(p.fogisMatches, p.message.message_id, at, p.generation, 'redis');
  }

  private applyFullList(list: FogisMatch[], messageId: string, at: string, generation: Generation, source: 'redis' | 'manual'): void {
    const changes = diffMatches(this.matchList, list, at, messageId);
    this.matchList = list;
    this.matchMeta = { receivedAt: at, messageId, generation };
    if (this.stale) {
      this.stale = null;
      this.markDirty('connection');
    }
    this.recordChanges(changes);
    this.markDirty('matches');
    this.writer.schedule();
    try {
      this.sink.onMatchList({ matches: list, changes, messageId, receivedAt: at, source });
    } catch (err) {
      this.counters.errors++;
      this.internalError('sync', err);
    }
    try {
      this.contacts?.onMatchList({ matches: list, changes, messageId, receivedAt: at, source });
    } catch (err) {
      this.counters.errors++;
      this.log.error('contacts', `the phonebook did not accept the list: ${(err as Error).message}`);
    }
  }

  private recordChanges(changes: MatchChange[]): void {
    if (changes.length === 0) return;
    for (const ch of changes) this.history.push(ch);
    if (this.listeners.size > 0) {
      this.pendingChanges.push(...changes);
      this.scheduleFlush();
    }
  }

  private onProcessingStatus(payload: { status: 'started' | 'completed' | 'failed'; timestamp?: string | undefined; details?: Record<string, unknown> | undefined }, messageId: string, envelopeTs: string): void {
    const cycle: Cycle = { status: payload.status, at: payload.timestamp ?? envelopeTs, details: payload.details ?? {}, messageId };
    const p = this.processor;
    p.last = cycle;
    if (cycle.status === 'started') {
      p.lastStarted = cycle;
      p.cycles++;
    } else if (cycle.status === 'completed') {
      p.lastCompleted = cycle;
      this.watchHistory.recordCycle(cycle.at, true, null);
      this.markDirty('history');
      p.lastDurationMs = p.lastStarted ? Math.max(0, cycleTime(cycle) - cycleTime(p.lastStarted)) : null;
    } else {
      p.lastFailed = cycle;
      const d = cycle.details;
      const text = typeof d.error_message === 'string' ? d.error_message : 'unknown error';
      this.watchHistory.recordCycle(cycle.at, false, text);
      this.markDirty('history');
      this.addAlert({
        id: randomUUID(),
        source: 'processor',
        alertType: typeof d.error_type === 'string' ? d.error_type : 'processing_failed',
        severity: 'error',
        message: `Processing cycle failed: ${text}`,
        at: cycle.at,
        details: d,
        acknowledged: false,
      });
    }
    this.markDirty('processor');
  }

  private onSystemAlert(payload: { alert_type: string; severity: Alert['severity']; message: string; timestamp?: string | undefined; details?: Record<string, unknown> | undefined }, envelopeTs: string): void {
    const at = payload.timestamp ?? envelopeTs;
    // MLP publishes `failed` and then a system_alert for the same failure (spec §2.6 E):
    // one failure, one alert. The system alert's wording replaces the processor alert's.
    const [newest] = this.alerts.newest(1);
    const sameFailure =
      newest !== undefined &&
      newest.source === 'processor' &&
      newest.details.error_message !== undefined &&
      newest.details.error_message === payload.details?.error_message &&
      Math.abs(Date.parse(newest.at) - Date.parse(at)) <= 60_000;
    if (sameFailure) {
      const merged: Alert = { ...newest, source: 'system_alert', alertType: payload.alert_type, severity: payload.severity, message: payload.message, details: { ...newest.details, ...payload.details } };
      this.alerts.update((a) => (a.id === newest.id ? merged : a));
      this.markDirty('alerts');
      if (this.listeners.size > 0) {
        this.pendingAlerts = this.pendingAlerts.filter((a) => a.id !== newest.id);
        this.pendingAlerts.push(merged);
        this.scheduleFlush();
      }
      return;
    }
    this.addAlert({
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

  private addAlert(alert: Alert): void {
    this.alerts.push(alert);
    this.markDirty('alerts');
    this.writer.schedule();
    if (this.listeners.size > 0) {
      this.pendingAlerts.push(alert);
      if (this.pendingAlerts.length > 50) this.pendingAlerts.splice(0, this.pendingAlerts.length - 50);
      this.scheduleFlush();
    }
  }

  /** Alerts raised by the app itself (calendar guard, storage, state file). */
  raiseAppAlert(input: AppAlertInput): void {
    this.log.warn('monitor', `alert: ${input.message}`);
    this.addAlert({
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
   * The cause of an app alert is gone (the calendar is back, sign-in works, the held
   * deletions were confirmed or withdrawn): its open alerts are marked resolved and
   * acknowledged, so nothing keeps asking for attention that needs none.
   */
  resolveAppAlerts(alertType: string): number {
    const at = this.now().toISOString();
    let n = 0;
    this.alerts.update((a) => {
      if (a.acknowledged || a.source !== 'app' || a.alertType !== alertType) return a;
      n++;
      return { ...a, acknowledged: true, details: { ...a.details, resolvedAt: at } };
    });
    if (n > 0) {
      this.log.info('monitor', `${n} ${alertType} alert(s) resolved`);
      this.markDirty('alerts');
      this.writer.schedule();
    }
    return n;
  }

  acknowledgeAlerts(ids: readonly string[] | 'all'): number {
    const wanted = ids === 'all' ? null : new Set(ids);
    let n = 0;
    this.alerts.update((a) => {
      if (a.acknowledged || (wanted && !wanted.has(a.id))) return a;
      n++;
      return { ...a, acknowledged: true };
    });
    if (n > 0) {
      this.markDirty('alerts');
      this.writer.schedule();
    }
    return n;
  }

  /** `/manual-sync`: the given matches are validated by the caller, diffed here and synced. */
  manualMatches(list: FogisMatch[]): MatchChange[] {
    const at = this.now().toISOString();
    const ids = new Set(list.map((m) => String(m.matchid)));
    const known = this.matchList.filter((m) => ids.has(String(m.matchid)));
    const changes = diffMatches(known, list, at, `manual-${randomUUID()}`);
    this.recordChanges(changes);
    return changes;
  }

  setMutedUntil(until: string | null): void {
    this.mutedUntil = until;
    this.markDirty('mutedUntil');
  }

  clearMessages(): void {
    this.messageLog.clear();
  }

  // ---- reading -----------------------------------------------------------------------------

  currentMatches(): FogisMatch[] {
    return this.matchList;
  }

  /**
   * One page of the message log (oldest first within the page), at most `limit` entries and
   * about PAGE_PREVIEW_BYTES of previews, so opening a dashboard stays small (issue 12).
   */
  messages(query: MessagesQuery = {}): MessagesResponse {
    const limit = query.limit ?? MESSAGES_PAGE_DEFAULT;
    const all = this.messageLog.toArray();
    let end = all.length;
    if (query.before !== undefined) {
      const before = query.before;
      while (end > 0 && all[end - 1]!.seq >= before) end--;
    }
    let start = end;
    let bytes = 0;
    while (start > 0 && end - start < limit) {
      const size = all[start - 1]!.preview.length;
      if (end - start > 0 && bytes + size > PAGE_PREVIEW_BYTES) break;
      bytes += size;
      start--;
    }
    const entries = all.slice(start, end);
    const page: MessagesResponse = { entries, total: this.messageLog.total, cap: this.messageLog.cap, next: start > 0 ? (entries[0]?.seq ?? null) : null };
    if (query.before === undefined) {
      const from = this.now().getTime() - RATE_WINDOW_MS;
      page.arrivals = all.map((e) => Date.parse(e.at)).filter((t) => t >= from);
    }
    return page;
  }

  getCounters(): Counters {
    return this.counters;
  }

  connectionInfo(): ConnectionInfo {
    const s = this.connection;
    return {
      state: s?.state ?? 'stopped',
      stateSince: s?.stateSince ?? this.startedAt.toISOString(),
      reason: s?.reason ?? null,
      reasonCode: s?.reasonCode ?? null,
      connected: s?.connected ?? false,
      subscribed: s?.subscribed ?? false,
      channels: s?.channels ?? [],
      reconnectCount: this.counters.reconnect_count,
      attempt: s?.attempt ?? 0,
      nextRetryAt: s?.nextRetryAt ?? null,
      lastPingMs: s?.lastPingMs ?? null,
      possiblyStale: this.stale !== null,
      staleSince: this.stale?.since ?? null,
      endpoint: s?.endpoint ?? '',
    };
  }

  /**
   * The one honest status (shared/status.ts) of this moment. When it will change by itself
   * (the grace period of an outage ends), a push is scheduled for then, so the header and the
   * tray turn red without waiting for another event.
   */
  status(): Status {
    const now = this.now();
    const st = computeStatus(
      {
        now: now.toISOString(),
        connection: this.connectionInfo(),
        counters: this.counters,
        processor: this.processor,
        alerts: { items: this.alerts.toArray() },
        matches: { receivedAt: this.matchMeta.receivedAt, list: this.matchList },
        calendar: this.sink.getState(),
        storageError: this.storageError,
        config: this.config,
      },
      { demo: this.demo },
    );
    if (st.recheckAt !== this.recheckAt) {
      this.recheckAt = st.recheckAt;
      if (this.recheckTimer) clearTimeout(this.recheckTimer);
      this.recheckTimer = null;
      if (st.recheckAt) {
        this.recheckTimer = setTimeout(() => {
          this.recheckTimer = null;
          this.recheckAt = null;
          this.markDirty('status');
        }, Math.max(0, Date.parse(st.recheckAt) - now.getTime()));
        this.recheckTimer.unref?.();
      }
    }
    return st;
  }

  private part<K extends SnapshotKey>(key: K): Snapshot[K] {
    const parts: { [P in SnapshotKey]: () => Snapshot[P] } = {
      version: () => APP_VERSION,
      now: () => this.now().toISOString(),
      uptimeSeconds: () => Math.round((this.now().getTime() - this.startedAt.getTime()) / 1000),
      connection: () => this.connectionInfo(),
      counters: () => structuredClone(this.counters),
      processor: () => structuredClone(this.processor),
      alerts: () => ({ items: this.alerts.newest(), total: this.alerts.total, cap: this.alerts.cap }),
      matches: () => ({ list: this.matchList, ...this.matchMeta, history: this.history.newest(), historyTotal: this.history.total }),
      rejected: () => ({ items: this.rejected.newest(), total: this.rejected.total, cap: this.rejected.cap }),
      calendar: () => this.sink.getState(),
      contacts: () => this.contacts?.getState() ?? emptyContactsState(),
      config: () => maskConfig(this.config),
      envFixed: () => ({ ...this.envFixed }),
      storageError: () => this.storageError,
      mutedUntil: () => (this.mutedUntil && Date.parse(this.mutedUntil) > this.now().getTime() ? this.mutedUntil : null),
      status: () => this.status(),
      history: () => this.watchHistory.timeline(20),
    };
    return parts[key]();
  }

  snapshot(): Snapshot {
    const keys: SnapshotKey[] = ['version', 'now', 'uptimeSeconds', 'connection', 'counters', 'processor', 'alerts', 'matches', 'rejected', 'calendar', 'contacts', 'config', 'envFixed', 'storageError', 'mutedUntil', 'status', 'history'];
    return Object.fromEntries(keys.map((k) => [k, this.part(k)])) as Snapshot;
  }

  // ---- events ------------------------------------------------------------------------------

  onEvent(listener: (e: MonitorEvent) => void): () => void {
    // Nobody listened, so nothing was pushed: a new listener starts from a snapshot of now.
    if (this.listeners.size === 0) {
      this.deltas.reset({ list: this.matchList, alerts: this.alerts.toArray(), rejectedTotal: this.rejected.total, calendar: this.sink.getState() });
      this.dirty.clear();
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private markDirty(key: SnapshotKey): void {
    this.dirty.add(key);
    if (key === 'matches' || key === 'alerts' || key === 'counters') this.writer.schedule();
    if (this.listeners.size > 0) this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    const wait = Math.max(0, this.lastFlush + EVENT_INTERVAL_MS - Date.now());
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      contained((a, e) => this.internalError(a, e), 'timer', () => this.flushEvents(), undefined);
    }, wait);
    this.flushTimer.unref?.();
  }

  /** One push per interval: the changed snapshot parts, new messages, alerts and changes. */
  private flushEvents(): void {
    this.flushTimer = null;
    this.lastFlush = Date.now();
    if (this.listeners.size === 0) {
      this.dirty.clear();
      this.pendingMessages = [];
      this.pendingAlerts = [];
      this.pendingChanges = [];
      return;
    }
    const events: MonitorEvent[] = [];
    // After `changes`, so a client's history total ends at the absolute one of `matches`.
    const deltas: MonitorEvent[] = [];
    if (this.dirty.size > 0) {
      this.dirty.add('now');
      this.dirty.add('uptimeSeconds');
      if (this.dirty.has('counters')) this.dirty.add('connection');
      // Every change can change the one status; it is small, so it goes with every push.
      this.dirty.add('status');
      const patch: Partial<Snapshot> = {};
      for (const key of this.dirty) {
        // The long collections go out as changes (event-deltas.ts), the rest as a patch.
        if (key === 'matches') deltas.push(this.deltas.matchesEvent(this.part('matches')));
        else if (key === 'alerts') {
          const e = this.deltas.alertsEvent(this.alerts.newest(), this.alerts.total, this.alerts.cap, new Set(this.pendingAlerts));
          if (e) deltas.push(e);
        } else if (key === 'rejected') {
          const e = this.deltas.rejectedEvent(this.rejected.newest(), this.rejected.total, this.rejected.cap);
          if (e) deltas.push(e);
        } else if (key === 'calendar') deltas.push(this.deltas.calendarEvent(this.sink.getState()));
        else (patch as Record<string, unknown>)[key] = this.part(key);
      }
      this.dirty.clear();
      events.push({ kind: 'state', patch: this.deltas.changedParts(patch, ALWAYS_PUSHED) });
    }
    if (this.pendingMessages.length > 0) {
      events.push({ kind: 'messages', entries: this.pendingMessages, total: this.messageLog.total });
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
          this.internalError('listener', err);
        }
      }
    }
  }

  dispose(): void {
    this.writer.cancelRetry();
    if (this.recheckTimer) clearTimeout(this.recheckTimer);
    this.recheckTimer = null;
    this.watchHistory.dispose();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.listeners.clear();
  }
}
