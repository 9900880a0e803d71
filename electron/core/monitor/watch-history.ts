import path from 'node:path';
import { HISTORY_WINDOW_MS, historyFileSchema, type CycleEvent, type History, type HistoryFile, type Outage, type WatchEvent, type WatchState } from '../../../shared/history';
import type { TextRef } from '../../../shared/text-ref';
import type { Logger } from '../log';
import { DebouncedWriter, readJsonFile } from '../store/atomic-file';

/** history.json stays below this size: the oldest events go first. */
export const HISTORY_CAP_BYTES = 256 * 1024;

export interface WatchHistoryOptions {
  dataDir: string;
  log: Logger;
  now?: () => Date;
  capBytes?: number;
  onError?: (error: string | null) => void;
}

/**
 * The history of the watch: state changes of the subscription and finished processor cycles
 * of the last 7 days, saved in the data directory (0600: reasons can name hosts) and capped
 * in size, so a Redis that flaps all week cannot fill the disk.
 */
export class WatchHistory {
  private watch: WatchEvent[] = [];
  private cycles: CycleEvent[] = [];
  private readonly now: () => Date;
  private readonly cap: number;
  /** Length of the serialised history as kept up to date per event; -1 when unknown. */
  private approxChars = -1;
  private readonly writer: DebouncedWriter;
  private lastBytes = 0;

  constructor(private readonly opts: WatchHistoryOptions) {
    this.now = opts.now ?? (() => new Date());
    this.cap = opts.capBytes ?? HISTORY_CAP_BYTES;
    this.writer = new DebouncedWriter(path.join(opts.dataDir, 'history.json'), () => this.serialise(), 1000, (e) => opts.onError?.(e), 0o600);
  }

  /** Loads the saved history; the time the app was not running counts as "off". */
  async restore(): Promise<void> {
    const loaded = await readJsonFile(path.join(this.opts.dataDir, 'history.json'), historyFileSchema, this.opts.log);
    if (loaded.status !== 'ok') return;
    this.watch = loaded.value.watch;
    this.cycles = loaded.value.cycles;
    const last = this.watch[this.watch.length - 1];
    // The app stopped without saying so (a crash): from its last event on, nobody watched.
    if (last && last.state !== 'off') this.watch.push({ at: last.at, state: 'off', reason: { key: 'reason.app_stopping', params: {} } });
    this.prune();
  }

  /** A state of the subscription; only changes are kept. */
  recordState(state: WatchState, reason: TextRef | null): void {
    const last = this.watch[this.watch.length - 1];
    if (last && last.state === state) {
      // Keep the first real reason of an outage ("not started" is not one).
      if (state === 'down' && reason && (!last.reason || last.reason.key === 'reason.not_started')) last.reason = reason;
      else return;
    } else {
      const entry = { at: this.now().toISOString(), state, reason };
      this.watch.push(entry);
      this.approxChars += JSON.stringify(entry).length + 1;
    }
    this.changed();
  }

  recordCycle(at: string, ok: boolean, error: string | null): void {
    const t = Date.parse(at);
    const entry = { at: Number.isFinite(t) ? new Date(t).toISOString() : this.now().toISOString(), ok, error: error === null ? null : error.slice(0, 500) };
    this.cycles.push(entry);
    this.approxChars += JSON.stringify(entry).length + 1;
    this.changed();
  }

  private changed(): void {
    this.prune();
    this.writer.schedule();
  }

  private serialise(): string {
    const file: HistoryFile = { version: 1, watch: this.watch, cycles: this.cycles };
    let text = JSON.stringify(file);
    // The cap: drop the oldest events, half of the surplus at a time, until it fits.
    while (text.length > this.cap && this.watch.length + this.cycles.length > 1) {
      const dropW = Math.max(this.watch.length > 1 ? 1 : 0, Math.floor(this.watch.length / 8));
      const dropC = Math.max(this.cycles.length > 0 ? 1 : 0, Math.floor(this.cycles.length / 8));
      this.watch.splice(0, Math.min(dropW, this.watch.length - 1));
      this.cycles.splice(0, dropC);
      text = JSON.stringify({ version: 1, watch: this.watch, cycles: this.cycles } satisfies HistoryFile);
    }
    this.lastBytes = Buffer.byteLength(text);
    this.approxChars = text.length;
    return text;
  }

  /** Forgets what is older than 7 days, keeping the state that was current at the window's start. */
  private prune(): void {
    const from = this.now().getTime() - HISTORY_WINDOW_MS;
    // Events are in time order: look further only when the oldest ones left the window, so a
    // message costs no scan of the whole history (a burst of processor cycles made it O(n²)).
    const second = this.watch[1];
    if (second && Date.parse(second.at) < from) {
      let firstInside = this.watch.findIndex((e) => Date.parse(e.at) >= from);
      if (firstInside === -1) firstInside = this.watch.length;
      this.watch.splice(0, firstInside - 1);
      this.approxChars = -1;
    }
    const oldest = this.cycles[0];
    if (oldest && Date.parse(oldest.at) < from) {
      const c = this.cycles.findIndex((e) => Date.parse(e.at) >= from);
      if (c === -1) this.cycles = [];
      else this.cycles.splice(0, c);
      this.approxChars = -1;
    }
    // The cap also holds in memory, not only in the file; measured exactly only when the running
    // estimate says it may be reached (or after pruning made the estimate unknown).
    if (this.watch.length + this.cycles.length > 0 && (this.approxChars < 0 || this.approxChars > this.cap)) this.serialise();
  }

  /** The timeline of the last 7 days. `limit` bounds the lists (the snapshot's copy). */
  timeline(limit = Number.POSITIVE_INFINITY): History {
    this.prune();
    const now = this.now().getTime();
    const from = now - HISTORY_WINDOW_MS;
    let upMs = 0;
    let watchedMs = 0;
    const outages: Outage[] = [];
    for (const [i, e] of this.watch.entries()) {
      const start = Math.max(from, Date.parse(e.at));
      const next = this.watch[i + 1];
      const end = next ? Date.parse(next.at) : now;
      const span = Math.max(0, end - start);
      if (e.state !== 'off') watchedMs += span;
      if (e.state === 'up') upMs += span;
      if (e.state === 'down') outages.push({ start: new Date(start).toISOString(), end: next ? next.at : null, reason: e.reason });
    }
    const failed = this.cycles.filter((c) => !c.ok);
    return {
      from: new Date(from).toISOString(),
      to: new Date(now).toISOString(),
      uptimePercent: watchedMs > 0 ? Math.round((upMs / watchedMs) * 10_000) / 100 : null,
      watchedMs,
      outages: outages.reverse().slice(0, limit),
      outagesTotal: outages.length,
      failedCycles: failed.reverse().slice(0, limit),
      cycles: { completed: this.cycles.length - failed.length, failed: failed.length },
      bytes: this.lastBytes,
      capBytes: this.cap,
    };
  }

  async flush(): Promise<void> {
    this.writer.schedule();
    await this.writer.flush();
  }

  dispose(): void {
    this.writer.cancelRetry();
  }
}
