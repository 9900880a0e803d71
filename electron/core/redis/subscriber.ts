import type { Redis } from 'ioredis';
import { maskRedisUrl } from '../../../shared/config';
import type { SubscriberState } from '../../../shared/state';
import { errorText, type Logger } from '../log';
import { connectionReason, type ConnectionReasonCode, type TextRef } from '../../../shared/text-ref';
import { reasonText, redisErrorReason } from './redis-errors';
import { backoffDelay } from '../retry';
import { channelList, createClient, withTimeout, type RedisSettings } from './redis-client';
import { waitForAnswer } from './answer-wait';

/**
 * The subscription supervisor. It owns one ioredis connection at a time and replaces it
 * whenever anything goes wrong, so there is no half-dead client to spin on (spec §3.4: the
 * Python subscriber loops forever on a closed pubsub after a >1 s outage).
 *
 * - ioredis' own reconnect is switched off (`retryStrategy: null`): the supervisor decides
 *   when to retry, with exponential backoff and jitter, forever, and tells the truth about it.
 * - Liveness is a PING on the subscriber connection every `pingIntervalMs`; `pingTimeoutMs` of
 *   silence (nothing read at all, counted in time the process could run) drops the connection. There is deliberately no read timeout on the idle
 *   subscription (spec §7, #126).
 * - `connected`/`subscribed` are derived from the live connection, not from object existence
 *   (spec §3.5).
 */

export interface SupervisorStatus {
  state: SubscriberState;
  stateSince: string;
  /** English, with its hint (logs, the seed routes). */
  reason: string | null;
  /** The same reason for the user's language (shared/text-ref.ts). */
  reasonCode: TextRef | null;
  connected: boolean;
  subscribed: boolean;
  channels: string[];
  attempt: number;
  nextRetryAt: string | null;
  lastPingMs: number | null;
  endpoint: string;
}

export interface SupervisorEvents {
  /** Raw payload as received; decoding and validation happen in the monitor. */
  onMessage(channel: string, payload: Buffer): void;
  onStatus(status: SupervisorStatus): void;
  /** A subscription that was up has been lost (the start of a gap). */
  onGap(at: Date, reason: TextRef): void;
}

/** A reason as the status carries it: English for logs and the seed routes, and as a catalogue key. */
function why(ref: TextRef): { reason: string; reasonCode: TextRef } {
  return { reason: reasonText(ref), reasonCode: ref };
}

export class SubscriberSupervisor {
  private settings: RedisSettings;
  private client: Redis | null = null;
  /** Incremented for every connection attempt; stale callbacks compare against it. */
  private generation = 0;
  private status: SupervisorStatus;
  private retryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private everSubscribed = false;
  private gapOpen = false;
  private lastError: TextRef | null = null;
  private running = false;
  private paused = false;
  /** Reading held back by the ingest pipeline's cap (setReadPaused). */
  private readPaused = false;
  private readPauses = 0;
  /** Messages received on the current connection (a PING answer queues behind them). */
  private messagesRead = 0;
  /** With Sentinel: the master this subscription is really on (host:port), once subscribed. */
  private currentMaster: string | null = null;

  constructor(
    settings: RedisSettings,
    private readonly events: SupervisorEvents,
    private readonly log: Logger,
    private readonly random: () => number = Math.random,
  ) {
    this.settings = settings;
    this.status = {
      state: settings.enabled ? 'stopped' : 'disabled',
      stateSince: new Date().toISOString(),
      ...why(connectionReason(settings.enabled ? 'not_started' : 'disabled')),
      connected: false,
      subscribed: false,
      channels: [],
      attempt: 0,
      nextRetryAt: null,
      lastPingMs: null,
      endpoint: this.endpoint(),
    };
  }

  getStatus(): SupervisorStatus {
    return { ...this.status, channels: [...this.status.channels] };
  }

  private endpoint(): string {
    if (this.settings.sentinels.length > 0) {
      const at = this.currentMaster ? ` at ${this.currentMaster}` : '';
      return `sentinel ${this.settings.sentinelMasterName}${at} via ${this.settings.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
    }
    return maskRedisUrl(this.settings.url);
  }

  private setStatus(patch: Partial<SupervisorStatus>): void {
    const stateChanged = patch.state !== undefined && patch.state !== this.status.state;
    this.status = {
      ...this.status,
      ...patch,
      ...(stateChanged ? { stateSince: new Date().toISOString() } : {}),
      endpoint: this.endpoint(),
    };
    this.events.onStatus(this.getStatus());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (!this.settings.enabled) {
      this.setStatus({ state: 'disabled', ...why(connectionReason('disabled')), connected: false, subscribed: false });
      return;
    }
    if (this.paused) {
      this.setStatus({ state: 'stopped', ...why(connectionReason('paused')), connected: false, subscribed: false });
      return;
    }
    this.attempt = 0;
    void this.connect('connecting');
  }

  async stop(reason: ConnectionReasonCode = 'stopped'): Promise<void> {
    // Whatever stops a live subscription (a pause, a restart, a settings change) is a gap:
    // what is published meanwhile is lost to us (issue 14.3). Quitting is not: the saved
    // state is marked stale at the next start instead.
    if (this.status.subscribed && reason !== 'app_stopping') this.openGap(connectionReason(reason));
    this.running = false;
    this.clearTimers();
    await this.dropClient();
    const disabled = !this.settings.enabled;
    this.setStatus({
      state: disabled ? 'disabled' : 'stopped',
      ...why(connectionReason(disabled ? 'disabled' : reason)),
      connected: false,
      subscribed: false,
      nextRetryAt: null,
    });
  }

  /** `/redis-restart`: a fresh connection now, keeping counters (they live in the monitor). */
  async restart(): Promise<void> {
    await this.stop('restarting');
    this.start();
  }

  async setPaused(paused: boolean): Promise<void> {
    if (paused === this.paused) return;
    this.paused = paused;
    if (paused) await this.stop('paused');
    else this.start();
  }

  /** Applies new settings live: reconnect when the address changed, resubscribe when only channels did. */
  async updateSettings(next: RedisSettings): Promise<void> {
    const prev = this.settings;
    this.settings = next;
    const connectionChanged =
      prev.url !== next.url ||
      prev.enabled !== next.enabled ||
      prev.tlsCaFile !== next.tlsCaFile ||
      prev.sentinelMasterName !== next.sentinelMasterName ||
      JSON.stringify(prev.sentinels) !== JSON.stringify(next.sentinels) ||
      prev.connectTimeoutMs !== next.connectTimeoutMs;
    const channelsChanged = channelList(prev).join('\n') !== channelList(next).join('\n');
    if (connectionChanged) {
      this.log.info('redis', `settings changed; reconnecting to ${this.endpoint()}`);
      if (this.running) {
        await this.stop('settings_changed');
        this.start();
      } else this.setStatus({ endpoint: this.endpoint() });
      return;
    }
    if (channelsChanged && this.client && this.status.subscribed) {
      const client = this.client;
      const oldCh = channelList(prev);
      const newCh = channelList(next);
      const removed = oldCh.filter((c) => !newCh.includes(c));
      const added = newCh.filter((c) => !oldCh.includes(c));
      try {
        if (removed.length) await withTimeout(client.unsubscribe(...removed), next.connectTimeoutMs, 'UNSUBSCRIBE');
        if (added.length) await withTimeout(client.subscribe(...added), next.connectTimeoutMs, 'SUBSCRIBE');
        this.log.info('redis', `channels now ${newCh.join(', ')}`);
        this.setStatus({ channels: newCh });
      } catch (err) {
        this.handleFailure(this.generation, connectionReason('channels_failed', { detail: errorText(err) }));
      }
    }
  }

  /**
   * Stops (true) or resumes reading the socket: the ingest pipeline has more waiting than its
   * cap. The backlog then waits in the kernel and in Redis, as it did when the main thread
   * itself was busy with a message; nothing is dropped here.
   */
  setReadPaused(paused: boolean): void {
    if (paused && !this.readPaused) this.readPauses++;
    this.readPaused = paused;
    const stream = this.client?.stream;
    if (!stream) return;
    if (paused) stream.pause();
    else stream.resume();
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
  }

  private async dropClient(): Promise<void> {
    const c = this.client;
    this.client = null;
    this.currentMaster = null;
    this.generation++;
    if (!c) return;
    c.removeAllListeners('messageBuffer');
    // Keep a no-op error listener: a late socket error on a dropped client must not crash us.
    c.on('error', () => undefined);
    c.disconnect(false);
  }

  private openGap(reason: TextRef): void {
    if (this.gapOpen) return;
    this.gapOpen = true;
    this.events.onGap(new Date(), reason);
  }

  private async connect(state: 'connecting' | 'reconnecting'): Promise<void> {
    if (!this.running || this.paused) return;
    await this.dropClient();
    const gen = this.generation;
    const channels = channelList(this.settings);
    this.setStatus({ state, connected: false, subscribed: false, attempt: this.attempt, nextRetryAt: null, channels: [] });
    let client: Redis;
    try {
      client = createClient(this.settings);
    } catch (err) {
      this.handleFailure(gen, connectionReason('invalid_settings', { detail: errorText(err) }));
      return;
    }
    this.client = client;
    client.on('error', (err: Error) => {
      if (gen !== this.generation) return;
      this.lastError = redisErrorReason(err);
    });
    client.on('close', () => {
      if (gen !== this.generation) return;
      this.handleFailure(gen, this.lastError ?? connectionReason('closed_by_server'));
    });
    // Messages come on a few channels: the name's text is made once per change of channel, not
    // per message (and the one string is then a fast key for the per-channel counters, issue 12).
    let lastChannel: Buffer | null = null;
    let lastChannelText = '';
    client.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      if (gen !== this.generation) return;
      this.messagesRead++;
      if (lastChannel === null || !channel.equals(lastChannel)) {
        lastChannel = Buffer.from(channel);
        lastChannelText = channel.toString('utf8');
      }
      this.events.onMessage(lastChannelText, message);
    });
    try {
      await withTimeout(client.connect(), this.settings.connectTimeoutMs, 'connect');
      if (gen !== this.generation) return;
      this.setStatus({ connected: true });
      await withTimeout(client.subscribe(...channels), this.settings.connectTimeoutMs, 'SUBSCRIBE');
      if (gen !== this.generation) return;
    } catch (err) {
      if (gen !== this.generation) return;
      this.handleFailure(gen, this.lastError ?? redisErrorReason(err));
      return;
    }
    if (this.settings.sentinels.length > 0) {
      const sock = client.stream;
      this.currentMaster = sock?.remoteAddress ? `${sock.remoteAddress.includes(':') ? `[${sock.remoteAddress}]` : sock.remoteAddress}:${sock.remotePort ?? ''}` : null;
    }
    this.everSubscribed = true;
    this.gapOpen = false;
    this.attempt = 0;
    this.lastError = null;
    this.log.info('redis', `subscribed to ${channels.join(', ')} on ${this.endpoint()}`);
    this.setStatus({ state: 'subscribed', reason: null, reasonCode: null, connected: true, subscribed: true, channels, attempt: 0 });
    if (this.readPaused) client.stream?.pause();
    this.schedulePing(gen);
  }

  private schedulePing(gen: number): void {
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => void this.ping(gen), this.settings.pingIntervalMs);
    this.pingTimer.unref?.();
  }

  private async ping(gen: number): Promise<void> {
    const client = this.client;
    if (gen !== this.generation || !client) return;
    // While we hold reading back (the ingest pipeline's cap), the answer waits behind the
    // backlog we asked the kernel to keep: silence then says nothing about the connection.
    if (this.readPaused) {
      this.schedulePing(gen);
      return;
    }
    const t0 = performance.now();
    try {
      // Anything read meanwhile (messages, or the bytes of one still arriving) is life: the
      // answer is queued behind it (answer-wait.ts).
      const outcome = await waitForAnswer(client.ping(), {
        budgetMs: this.settings.pingTimeoutMs,
        progress: () => this.messagesRead + this.readPauses + (client.stream?.bytesRead ?? 0),
        held: () => this.readPaused,
      });
      if (gen !== this.generation) return;
      if (!outcome.answered) {
        this.handleFailure(gen, connectionReason('ping_timeout', { ms: this.settings.pingTimeoutMs }));
        return;
      }
    } catch (err) {
      if (gen !== this.generation) return;
      this.handleFailure(gen, redisErrorReason(err));
      return;
    }
    if (gen !== this.generation) return;
    this.setStatus({ lastPingMs: Math.round((performance.now() - t0) * 100) / 100, connected: true });
    this.schedulePing(gen);
  }

  /** Any failure of the current connection: drop it and schedule the next attempt. */
  private handleFailure(gen: number, why_: TextRef): void {
    const reason = reasonText(why_);
    if (gen !== this.generation || !this.running) return;
    const wasSubscribed = this.status.subscribed;
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = null;
    void this.dropClient();
    if (wasSubscribed) {
      this.log.warn('redis', `subscription lost: ${reason}`);
      this.openGap(why_);
    } else if (this.attempt === 0 || this.attempt % 10 === 0) {
      // Log the first failure and then every tenth, so a long outage does not flood the log.
      this.log.warn('redis', `cannot subscribe (${this.endpoint()}): ${reason}; retrying`);
    }
    const delay = this.nextDelay();
    this.attempt++;
    const nextRetryAt = new Date(Date.now() + delay).toISOString();
    this.setStatus({ state: this.everSubscribed ? 'reconnecting' : 'connecting', reason, reasonCode: why_, connected: false, subscribed: false, attempt: this.attempt, nextRetryAt });
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect(this.everSubscribed ? 'reconnecting' : 'connecting');
    }, delay);
  }

  /** Exponential backoff with jitter in [50 %, 100 %] of the step, capped. */
  nextDelay(): number {
    return Math.max(50, backoffDelay(this.attempt + 1, { baseDelayMs: this.settings.backoffInitialMs, maxDelayMs: this.settings.backoffMaxMs }, this.random));
  }
}
