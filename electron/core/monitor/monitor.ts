import { randomUUID } from 'node:crypto';
import type { MessagesQuery, MessagesResponse } from '../../../shared/api';
import type { AppConfig } from '../../../shared/config';
import type { FogisMatch } from '../../../shared/messages';
import type { ConnectionInfo, Counters, MatchChange, MonitorEvent, Snapshot } from '../../../shared/state';
import type { Status } from '../../../shared/status';
import type { History } from '../../../shared/history';
import type { FaultArea } from '../containment';
import { errorText, type Logger } from '../log';
import { parseMessage, type Parsed } from '../messages/parse-message';
import type { SupervisorStatus } from '../redis/subscriber';
import type { AppAlertInput, CalendarSink, MatchListInput } from '../sync/calendar-sink';
import { englishText } from './alert-book';
import { countAccepted, countMatchList, countReceived, countRejected, restoredCounters } from './counters';
import type { SnapshotKey } from './event-batcher';
import { diffMatches, diffMatchList } from './match-diff';
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

export class Monitor {
  private config: AppConfig;
  private readonly log: Logger;
  private readonly sink: CalendarSink;
  private readonly contacts: ContactsPart | null;
  private readonly now: () => Date;
  private readonly p: MonitorParts;
  private readonly counters: Counters;
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
   * The hot path: called by the subscriber for every pub/sub message. Never throws.
   * receive (count) → parse/validate (parse-message.ts) → accept (dedupe, log, dispatch).
   */
  ingest(channel: string, raw: Buffer | string): void {
    const receivedAt = this.now();
    const at = receivedAt.toISOString();
    countReceived(this.counters, channel, at);
    let parsed: Parsed;
    try {
      parsed = parseMessage(raw, this.config.redis.maxMessageBytes, receivedAt.getTime(), this.config.calendar.timeZone);
    } catch (err) {
      // parseMessage is written not to throw; this is the last line of defence.
      parsed = { ok: false, reason: 'schema', error: `unexpected parser failure: ${(err as Error).message}`, head: '', bytes: 0, messageId: null };
    }
    this.changed('counters');
    this.accept(channel, at, raw, parsed);
  }

  /** A parsed message: counted, logged and handed to the part it is for. */
  private accept(channel: string, at: string, raw: Buffer | string, parsed: Parsed): void {
    const c = this.counters;
    if (!parsed.ok) {
      countRejected(c, parsed.reason);
      this.p.messageLog.reject({ at, channel, reason: parsed.reason, error: parsed.error, head: parsed.head, bytes: parsed.bytes });
      this.changed('rejected');
      // Count every rejection, but log the reason only now and then so a flood stays readable.
      const n = this.p.messageLog.rejected.total;
      if (n <= 10 || n % 1000 === 0) this.log.warn('monitor', `rejected a message on ${channel} (${parsed.reason}): ${parsed.error.slice(0, 300)}${n > 10 ? ` [${n} rejected so far]` : ''}`);
      this.p.events.message(this.p.messageLog.log(channel, at, 'rejected', parsed.messageId, parsed.bytes, parsed.head));
      return;
    }
    const msg = parsed.message;
    if (this.p.recentIds.seen(msg.message_id)) {
      c.duplicates++;
      return;
    }
    countAccepted(c, parsed.type);
    this.p.events.message(this.p.messageLog.log(channel, at, parsed.type, msg.message_id, parsed.bytes, typeof raw === 'string' ? raw : null, raw));
    try {
      if (parsed.type === 'match_updates') {
        countMatchList(c, parsed.generation, parsed.schemaVersion);
        if (parsed.generation === 'enhanced_v2' || parsed.generation === 'legacy_v1') {
          // §2.3: processed matches carry no matchid/tid, so they cannot be synced or diffed.
          this.log.info('monitor', `received a ${parsed.generation} match list (${parsed.otherMatches} matches): shown, not synced`);
        } else {
          const list = parsed.fogisMatches;
          const { changes, quiet } = diffMatchList(this.p.matches.list, list, at, msg.message_id);
          this.applyMatchList(list, changes, { receivedAt: at, messageId: msg.message_id, generation: parsed.generation }, quiet);
        }
      } else if (parsed.type === 'processing_status') {
        const outcome = this.p.cycles.record(parsed.message.payload, msg.message_id, msg.timestamp);
        if (outcome.finished) {
          this.p.watchHistory.recordCycle(outcome.cycle.at, outcome.finished.ok, outcome.finished.error);
          this.changed('history');
        }
        if (outcome.alert) this.p.alerts.add(outcome.alert);
        this.changed('processor');
      } else {
        this.p.alerts.systemAlert(parsed.message.payload, msg.timestamp);
      }
      c.messages_processed++;
    } catch (err) {
      c.errors++;
      this.internalError('redis', err);
    }
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

  onEvent(listener: (e: MonitorEvent) => void): () => void {
    return this.p.events.onEvent(listener);
  }

  dispose(): void {
    this.p.store.dispose();
    this.p.view.dispose();
    this.p.watchHistory.dispose();
    this.p.events.dispose();
  }
}
