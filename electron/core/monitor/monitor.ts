import { randomUUID } from 'node:crypto';
import type { MessagesQuery, MessagesResponse } from '../../../shared/api';
import type { AppConfig } from '../../../shared/config';
import type { FogisMatch } from '../../../shared/messages';
import type { ConnectionInfo, Counters, MatchChange, MonitorEvent, Snapshot } from '../../../shared/state';
import type { Status } from '../../../shared/status';
import type { History } from '../../../shared/history';
import { contained, type FaultArea } from '../containment';
import { errorText, type Logger } from '../log';
import { IngestPipeline } from '../ingest/ingest-pipeline';
import type { IngestResult, IngestSettings } from '../ingest/ingest-protocol';
import type { SupervisorStatus } from '../redis/subscriber';
import type { AppAlertInput, CalendarSink, MatchListInput } from '../sync/calendar-sink';
import { englishText } from './alert-book';
import { countAccepted, countMatchList, countReceived, countRejected, restoredCounters } from './counters';
import type { SnapshotKey } from './event-batcher';
import { diffMatches } from './match-diff';
import type { MatchListMeta } from './match-list-state';
import type { ContactsPart, MonitorDeps } from './monitor-deps';
import { createMonitorParts, type MonitorParts } from './monitor-parts';

/**
 * The one orchestrator (DESIGN rule 2): it owns the state, turns raw messages into counters,
 * cycles, alerts and match changes, hands full lists to the calendar sink without waiting
 * for it (rule 3), persists what must survive a restart, and publishes typed events.
 * Tray, window, notifications and HTTP all read from here. Each job lives in its own file;
 * monitor-parts.ts builds them; this one runs each message through them in one straight line.
 */

function ingestSettings(config: AppConfig): IngestSettings {
  return { maxMessageBytes: config.redis.maxMessageBytes, timeZone: config.calendar.timeZone, duplicateWindow: config.limits.duplicateWindow };
}

export class Monitor {
  private config: AppConfig;
  private readonly log: Logger;
  private readonly sink: CalendarSink;
  private readonly contacts: ContactsPart | null;
  private readonly now: () => Date;
  private readonly p: MonitorParts;
  private readonly counters: Counters;
  /** Parse, validate, dedupe and diff: on the ingest worker thread, or inline (electron/core/ingest). */
  private readonly pipeline: IngestPipeline;
  private mutedUntil: string | null = null;

  constructor(config: AppConfig, deps: MonitorDeps) {
    this.config = config;
    this.log = deps.log;
    this.sink = deps.sink;
    this.contacts = deps.contacts ?? null;
    this.now = deps.now ?? (() => new Date());
    this.p = createMonitorParts(config, deps, this.now, {
      config: () => this.config,
      mutedUntil: () => this.mutedUntil,
      internalError: (area, err) => this.internalError(area, err),
      raiseAppAlert: (input) => this.raiseAppAlert(input),
    });
    this.counters = this.p.counters;
    this.pipeline = new IngestPipeline({
      settings: ingestSettings(config),
      log: this.log,
      inline: !deps.ingestWorker,
      onResult: (r) => contained((area, err) => this.internalError(area, err), 'redis', () => this.applyIngested(r), undefined),
      onWorkerFault: (err) => this.internalError('redis', err),
      onPressure: (paused) => deps.onIngestPressure?.(paused),
    });
  }

  private changed(key: SnapshotKey): void {
    this.p.changed(key);
  }

  /**
   * An exception escaped a handler (containment.ts): count it, log it, and raise an alert
   * "internal error in <area>" (alert-book.ts limits them to one per area a minute). Never throws.
   */
  internalError(area: FaultArea, err: unknown): void {
    this.counters.internal_errors++;
    const text = errorText(err).slice(0, 500);
    try {
      this.log.error('app', `internal error in ${area}: ${err instanceof Error && err.stack ? err.stack.split('\n').slice(0, 4).join(' | ') : text}`);
    } catch {
      // A broken logger must not turn a report into a crash.
    }
    this.p.alerts.internalError(area, text, this.counters.internal_errors);
    this.changed('counters');
  }

  // ---- persistence -------------------------------------------------------------------------

  /** Restores the last saved state; a corrupt file is moved aside and we start clean. */
  async restore(dataDir: string): Promise<void> {
    await this.p.watchHistory.restore();
    const loaded = await this.p.store.load(dataDir);
    if (loaded.status === 'corrupt') {
      const text = { key: 'appAlert.stateFileCorrupt', params: { error: loaded.error } };
      this.raiseAppAlert({ alertType: 'state_file_corrupt', severity: 'warning', message: englishText(text), text });
      return;
    }
    if (loaded.status !== 'ok') return;
    const s = loaded.value;
    this.p.matches.restore(s);
    this.pipeline.seed(this.p.matches.list);
    this.p.alerts.restore(s.alerts, s.alertsTotal);
    if (s.counters) {
      Object.assign(this.counters, restoredCounters(s.counters, this.counters.started_at));
      this.p.messageLog.restoreTotal(this.counters.messages_received - this.counters.duplicates);
    }
    // Whatever was published while we were not running is lost (pub/sub, spec §8.1).
    if (this.p.matches.hasList) this.p.connection.markStale(s.savedAt);
    this.log.info('store', `restored ${this.p.matches.list.length} matches, ${this.p.alerts.length} alerts`);
  }

  /** Writes the state now (shutdown): everything, whether or not it changed. */
  async flush(): Promise<void> {
    await Promise.all([this.p.store.flush(), this.p.watchHistory.flush()]);
  }

  /** `GET /api/history`: the whole timeline of the last 7 days. */
  watchTimeline(): History {
    return this.p.watchHistory.timeline();
  }

  updateConfig(config: AppConfig): void {
    this.config = config;
    this.p.alerts.resize(config.limits.alertLog);
    this.p.messageLog.resize(config.limits);
    this.p.matches.resize(config.limits.changeHistory);
    this.pipeline.updateSettings(ingestSettings(config));
    this.changed('config');
  }

  // ---- connection --------------------------------------------------------------------------

  setConnection(status: SupervisorStatus): void {
    const state = this.p.connection.set(status);
    this.changed('connection');
    if (state) {
      this.p.watchHistory.recordState(state, state === 'up' ? null : status.reasonCode);
      this.changed('history');
    }
  }

  /** The subscription was lost: what is published now is lost to us (spec §3.4, §8.1). */
  onGap(at: Date): void {
    this.counters.reconnect_count++;
    this.p.connection.markStale(at.toISOString());
    this.changed('counters');
    this.changed('connection');
  }

  // ---- messages ----------------------------------------------------------------------------

  /**
   * The hot path: called by the subscriber for every pub/sub message. Never throws. The bytes
   * go to the ingest pipeline (parse/validate, dedupe, diff: electron/core/ingest), whose
   * results come back in arrival order to `applyIngested`. With the worker that is later;
   * inline (tests, tools) it is before this returns. The pipeline takes over a buffer that
   * owns its memory.
   */
  ingest(channel: string, raw: Buffer | string): void {
    this.pipeline.push(channel, typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw, this.now());
  }

  /** Resolves when the ingest worker can take messages (bounded wait; at once inline). */
  ingestReady(): Promise<void> {
    return this.pipeline.ready();
  }

  /** Resolves when every message handed to `ingest` so far has been applied. */
  ingestIdle(): Promise<void> {
    return this.pipeline.idle();
  }

  /** One message's result, in arrival order: counted, logged and handed to the part it is for. */
  private applyIngested(r: IngestResult): void {
    const c = this.counters;
    const { channel, at } = r;
    countReceived(c, channel, at);
    this.changed('counters');
    switch (r.kind) {
      case 'rejected': {
        countRejected(c, r.reason);
        this.p.messageLog.reject({ at, channel, reason: r.reason, error: r.error, head: r.head, bytes: r.bytes });
        this.changed('rejected');
        // Count every rejection, but log the reason only now and then so a flood stays readable.
        const n = this.p.messageLog.rejected.total;
        if (n <= 10 || n % 1000 === 0) this.log.warn('monitor', `rejected a message on ${channel} (${r.reason}): ${r.error.slice(0, 300)}${n > 10 ? ` [${n} rejected so far]` : ''}`);
        this.logMessage(channel, at, 'rejected', r.messageId, r.bytes, r.head);
        return;
      }
      case 'duplicate':
        c.duplicates++;
        return;
      case 'fault':
        // A bug while handling it (or its worker died): listed and counted, never silently gone.
        c.errors++;
        this.logMessage(channel, at, 'internal_error', null, r.bytes, '');
        this.internalError('redis', new Error(r.error));
        return;
    }
    countAccepted(c, r.kind);
    this.logMessage(channel, at, r.kind, r.kind === 'match_updates' ? r.messageId : r.message.message_id, r.bytes, r.preview);
    try {
      if (r.kind === 'match_updates') {
        countMatchList(c, r.generation, r.schemaVersion);
        if (r.delta === null || r.matches === null) {
          // §2.3: processed matches carry no matchid/tid, so they cannot be synced or diffed.
          this.log.info('monitor', `received a ${r.generation} match list (${r.otherMatches} matches): shown, not synced`);
        } else {
          this.applyMatchList(r.matches, r.delta.changes, { receivedAt: at, messageId: r.messageId, generation: r.generation }, r.delta.quiet);
        }
      } else if (r.kind === 'processing_status') {
        const outcome = this.p.cycles.record(r.message.payload, r.message.message_id, r.message.timestamp);
        if (outcome.finished) {
          this.p.watchHistory.recordCycle(outcome.cycle.at, outcome.finished.ok, outcome.finished.error);
          this.changed('history');
        }
        if (outcome.alert) this.p.alerts.add(outcome.alert);
        this.changed('processor');
      } else {
        this.p.alerts.systemAlert(r.message.payload, r.message.timestamp);
      }
      c.messages_processed++;
    } catch (err) {
      c.errors++;
      this.internalError('redis', err);
    }
  }

  /** Into the message log, and to the live stream when someone listens. */
  private logMessage(channel: string, at: string, type: string, messageId: string | null, bytes: number, preview: string): void {
    if (this.p.events.listening) this.p.events.message(this.p.messageLog.log(channel, at, type, messageId, bytes, preview));
    else this.p.messageLog.add(channel, at, type, messageId, bytes, preview);
  }

  /**
   * The ingest entry point of one validated full match list and its changes against the list
   * in force (diffMatchList): state → calendar plan (sink) → phonebook → events. Each step runs
   * once; nothing here calls back into the monitor. `quiet`: the matches that changed only in
   * fields nobody shows; without it the calendar compares every match (correct, slower).
   */
  applyMatchList(list: FogisMatch[], changes: MatchChange[], meta: MatchListMeta, quiet?: string[]): void {
    // The calendar plans only what changed when it knows which list the changes are against.
    const diffed = quiet ? { quiet, basis: this.p.matches.basis } : {};
    this.p.matches.replace(list, changes, meta);
    if (this.p.connection.fresh()) this.changed('connection');
    const input: MatchListInput = { matches: list, changes, ...diffed, messageId: meta.messageId, receivedAt: meta.receivedAt };
    try {
      this.sink.onMatchList(input);
    } catch (err) {
      this.counters.errors++;
      this.internalError('sync', err);
    }
    try {
      this.contacts?.onMatchList(input);
    } catch (err) {
      this.counters.errors++;
      this.log.error('contacts', `the phonebook did not accept the list: ${errorText(err)}`);
    }
    this.p.events.changes(changes);
    this.changed('matches');
  }

  /** `/manual-sync`: the given matches are validated by the caller, diffed here and synced. */
  manualMatches(list: FogisMatch[]): MatchChange[] {
    const ids = new Set(list.map((m) => String(m.matchid)));
    const changes = diffMatches(this.p.matches.known(ids), list, this.now().toISOString(), `manual-${randomUUID()}`);
    this.p.matches.record(changes);
    this.p.events.changes(changes);
    return changes;
  }

  // ---- alerts ------------------------------------------------------------------------------

  /** Alerts raised by the app itself (calendar guard, storage, state file). */
  raiseAppAlert(input: AppAlertInput): void {
    this.log.warn('monitor', `alert: ${input.message}`);
    this.p.alerts.raiseApp(input);
  }

  resolveAppAlerts(alertType: string): number {
    const n = this.p.alerts.resolveApp(alertType);
    if (n > 0) this.log.info('monitor', `${n} ${alertType} alert(s) resolved`);
    return n;
  }

  acknowledgeAlerts(ids: readonly string[] | 'all'): number {
    return this.p.alerts.acknowledge(ids);
  }

  setMutedUntil(until: string | null): void {
    this.mutedUntil = until;
    this.changed('mutedUntil');
  }

  // ---- reading -----------------------------------------------------------------------------

  /** One page of the message log (message-log.ts). */
  messages(query: MessagesQuery = {}): MessagesResponse {
    return this.p.messageLog.page(query, this.now().getTime());
  }

  getCounters(): Counters {
    return this.counters;
  }

  connectionInfo(): ConnectionInfo {
    return this.p.view.connectionInfo();
  }

  /** The one honest status (shared/status.ts) of this moment. */
  status(): Status {
    return this.p.view.status();
  }

  snapshot(): Snapshot {
    return this.p.view.snapshot();
  }

  /** Without building a snapshot: `/redis-stats` and `/health` are polled (a whole snapshot costs ~10 ms with 1000 matches). */
  uptimeSeconds(): number {
    return this.p.view.part('uptimeSeconds');
  }

  onEvent(listener: (e: MonitorEvent) => void): () => void {
    return this.p.events.onEvent(listener);
  }

  dispose(): void {
    void this.pipeline.close();
    this.p.store.dispose();
    this.p.view.dispose();
    this.p.watchHistory.dispose();
    this.p.events.dispose();
  }
}
