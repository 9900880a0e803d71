import path from 'node:path';
import { HISTORY_WINDOW_MS, historyFileSchema, type CycleEvent, type History, type HistoryFile, type Outage, type WatchEvent, type WatchState } from '../../../shared/history';
import type { TextRef } from '../../../shared/text-ref';
import type { Logger } from '../log';
import { DebouncedWriter, readJsonFile } from '../store/atomic-file';

/** history.json stays below this size: the oldest events go first. */
export const HISTORY_CAP_BYTES = 256 * 1024;

/** `JSON.stringify` of a file with both lists empty; each event adds its own text and a comma. */
const EMPTY_FILE_CHARS = JSON.stringify({ version: 1, watch: [], cycles: [] } satisfies HistoryFile).length;

/** What one event adds to the file's text: itself and the comma that separates it. */
function eventChars(e: WatchEvent | CycleEvent): number {
  return JSON.stringify(e).length + 1;
}

/**
 * eventChars of a cycle recorded here, without serialising it: its `at` is toISOString's
 * (nothing to escape), so only an error needs JSON. `{"at":"…","ok":true,"error":null}` is
 * 32 characters besides `at`, 33 with `false`; one more for the comma.
 */
function recordedCycleChars(e: CycleEvent): number {
  return e.error === null ? e.at.length + (e.ok ? 33 : 34) : eventChars(e);
}

function sumChars(events: ReadonlyArray<WatchEvent | CycleEvent>, from = 0, to = events.length): number {
  let n = 0;
  for (let i = from; i < to; i++) n += eventChars(events[i]!);
  return n;
}

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
  /**
   * What each list adds to the serialised file (eventChars summed), kept exact per event, so
   * the cap is enforced without serialising the whole history: at its cap every processor
   * cycle used to cost a 256 KB JSON.stringify (issue 12, small messages).
   */
  private watchChars = 0;
  private cycleChars = 0;
  /** Before this time nothing can have left the 7-day window (see prune); -Infinity: look. */
  private windowCheckAt = Number.NEGATIVE_INFINITY;
  private readonly writer: DebouncedWriter;
  private lastBytes = 0;
  /**
   * The first `restoredCycles` cycles came from the file (their text is measured by
   * serialising them); the others were recorded here and are measured without (recordedCycleChars).
   */
  private restoredCycles = 0;
  /** recordCycle's last readable `at` and the time it wrote for it. */
  private lastCycleAt: string | null = null;
  private lastCycleIso: string | null = null;

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
    this.watchChars = sumChars(this.watch);
    this.cycleChars = sumChars(this.cycles);
    this.restoredCycles = this.cycles.length;
    this.windowCheckAt = Number.NEGATIVE_INFINITY;
    this.prune();
  }

  /** A state of the subscription; only changes are kept. */
  recordState(state: WatchState, reason: TextRef | null): void {
    const last = this.watch[this.watch.length - 1];
    if (last && last.state === state) {
      // Keep the first real reason of an outage ("not started" is not one).
      if (state === 'down' && reason && (!last.reason || last.reason.key === 'reason.not_started')) {
        this.watchChars -= eventChars(last);
        last.reason = reason;
        this.watchChars += eventChars(last);
      } else return;
    } else {
      const entry = { at: this.now().toISOString(), state, reason };
      this.watch.push(entry);
      this.watchChars += eventChars(entry);
      if (this.watch.length <= 2) this.windowCheckAt = Number.NEGATIVE_INFINITY;
    }
    this.changed();
  }

  recordCycle(at: string, ok: boolean, error: string | null): void {
    // A burst of cycles often repeats a time: it is read and written once (issue 12).
    let iso: string;
    if (at === this.lastCycleAt && this.lastCycleIso !== null) iso = this.lastCycleIso;
    else {
      const t = Date.parse(at);
      iso = Number.isFinite(t) ? new Date(t).toISOString() : this.now().toISOString();
      this.lastCycleAt = Number.isFinite(t) ? at : null;
      this.lastCycleIso = iso;
    }
    const entry = { at: iso, ok, error: error === null ? null : error.slice(0, 500) };
    this.cycles.push(entry);
    this.cycleChars += recordedCycleChars(entry);
    if (this.cycles.length === 1) this.windowCheckAt = Number.NEGATIVE_INFINITY;
    this.changed();
  }

  private changed(): void {
    this.prune();
    this.writer.schedule();
  }

  /** Length of `serialise()`'s text, from the per-event sums (no serialisation). */
  private fileChars(): number {
    const commas = (this.watch.length > 0 ? 1 : 0) + (this.cycles.length > 0 ? 1 : 0);
    return EMPTY_FILE_CHARS + this.watchChars + this.cycleChars - commas;
  }

  private serialise(): string {
    this.enforceCap();
    const text = JSON.stringify({ version: 1, watch: this.watch, cycles: this.cycles } satisfies HistoryFile);
    this.lastBytes = Buffer.byteLength(text);
    return text;
  }

  /** The cap: drop the oldest events, an eighth of each list at a time, until the file fits. */
  private enforceCap(): void {
    while (this.fileChars() > this.cap && this.watch.length + this.cycles.length > 1) {
      const dropW = Math.min(Math.max(this.watch.length > 1 ? 1 : 0, Math.floor(this.watch.length / 8)), this.watch.length - 1);
      const dropC = Math.max(this.cycles.length > 0 ? 1 : 0, Math.floor(this.cycles.length / 8));
      this.dropWatch(dropW);
      this.dropCycles(dropC);
    }
  }

  private dropWatch(n: number): void {
    if (n <= 0) return;
    this.windowCheckAt = Number.NEGATIVE_INFINITY;
    this.watchChars -= sumChars(this.watch, 0, n);
    this.watch.splice(0, n);
  }

  private dropCycles(n: number): void {
    if (n <= 0) return;
    this.windowCheckAt = Number.NEGATIVE_INFINITY;
    const restored = Math.min(n, this.restoredCycles);
    this.cycleChars -= sumChars(this.cycles, 0, restored);
    for (let i = restored; i < n; i++) this.cycleChars -= recordedCycleChars(this.cycles[i]!);
    this.restoredCycles -= restored;
    this.cycles.splice(0, n);
  }

  /** Forgets what is older than 7 days, keeping the state that was current at the window's start. */
  private prune(): void {
    const nowMs = this.now().getTime();
    // Events are in time order: only the oldest ones (the second state, which ends the first,
    // and the first cycle) can leave the window, and until `windowCheckAt` none of them has.
    // A message then costs no date parsing and no scan (a burst of cycles made it O(n²)).
    if (nowMs >= this.windowCheckAt) {
      const from = nowMs - HISTORY_WINDOW_MS;
      const second = this.watch[1];
      if (second && Date.parse(second.at) < from) {
        let firstInside = this.watch.findIndex((e) => Date.parse(e.at) >= from);
        if (firstInside === -1) firstInside = this.watch.length;
        this.dropWatch(firstInside - 1);
      }
      const oldest = this.cycles[0];
      if (oldest && Date.parse(oldest.at) < from) {
        const c = this.cycles.findIndex((e) => Date.parse(e.at) >= from);
        this.dropCycles(c === -1 ? this.cycles.length : c);
      }
      const w = this.watch[1];
      const c = this.cycles[0];
      // NaN (an unparsable time) compares false: such an event is looked at every time, as before.
      const next = Math.min(w ? Date.parse(w.at) : Number.POSITIVE_INFINITY, c ? Date.parse(c.at) : Number.POSITIVE_INFINITY) + HISTORY_WINDOW_MS;
      this.windowCheckAt = Number.isNaN(next) ? Number.NEGATIVE_INFINITY : next;
    }
    // The cap also holds in memory, not only in the file.
    this.enforceCap();
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
