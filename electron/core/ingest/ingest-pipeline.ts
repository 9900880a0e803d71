import type { Worker } from 'node:worker_threads';
import type { FogisMatch } from '../../../shared/messages';
import { errorText, type Logger } from '../log';
import { ListMirror } from './list-mirror';
import { IngestProcessor } from './ingest-processor';
import { LOCAL_MAX_BYTES, LocalGate } from './local-gate';
import { OutgoingBatch } from './outgoing-batch';
import { publishApplied, publishStarted } from './pipeline-channels';
import { defaultWorkerSpec, spawnWorker, type WorkerSpec } from './worker-spawn';
import type { FromWorker, IngestOutcome, IngestResult, IngestSettings, ToWorker, WireMessage } from './ingest-protocol';

export type { WorkerSpec } from './worker-spawn';

/**
 * The message path off the main thread (issue 12). The main thread receives the bytes, numbers
 * each message and hands it to ONE ingest worker (ingest-worker.ts: gate, duplicate filter,
 * diff); the worker answers in order with a small outcome (only the new and changed matches),
 * and this class rebuilds the whole list from its own copy and hands each result on, in the
 * order the messages arrived. Nothing is dropped: every message gets exactly one result.
 * Small status and alert messages are gated on this thread while nothing waits for the worker
 * (local-gate.ts: cheaper than the round trip, one duplicate filter still decides).
 *
 * - Bounded: at most `maxInFlightBytes` / `maxInFlightMessages` wait for the worker. Above
 *   that `onPressure(true)` asks the receiver to stop reading its socket (the subscriber pauses
 *   the stream), which is today's behaviour when the main thread itself was busy: the backlog
 *   waits in the kernel and in Redis, never in our heap. `onPressure(false)` at half the cap.
 * - Contained: a worker that dies is replaced and seeded with the list in force here; each
 *   message it had not answered becomes a `fault` result (an internal error with an alert,
 *   never a silent drop). After `MAX_RESTARTS` deaths in a minute the pipeline handles messages
 *   on the main thread (correct, only slower) and says so in the log.
 */

export interface IngestPipelineOptions {
  settings: IngestSettings;
  log: Logger;
  /** Every message's result, in arrival order. Must not throw (the caller contains it). */
  onResult(result: IngestResult): void;
  /** The worker died or could not start (containment.ts reports it as an internal error). */
  onWorkerFault(err: unknown): void;
  /** true: stop reading the source; false: read again. */
  onPressure?(paused: boolean): void;
  /** Caps of what may wait for the worker. */
  maxInFlightBytes?: number;
  maxInFlightMessages?: number;
  /** The worker's script; defaults to ingest-worker beside this module (or its bundle). */
  worker?: WorkerSpec;
  /** Handle every message on the calling thread (no worker). */
  inline?: boolean;
}

export { PIPELINE_STARTED_CHANNEL, RESULT_APPLIED_CHANNEL } from './pipeline-channels';

/**
 * What may wait for the worker: 16 MB is eight 2 MB lists (the worker keeps up with far more
 * than the processor sends); beyond it the backlog waits in the kernel and in Redis, not in
 * our memory (issue 12: peak RSS while draining 100 lists).
 */
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_IN_FLIGHT_MESSAGES = 20_000;
const MAX_RESTARTS = 5;
/** What a handed-on queue entry becomes (holds nothing). */
const DONE: Pending = { seq: 0, channel: '', at: '', bytes: 0, local: null };
const RESTART_WINDOW_MS = 60_000;

interface Pending {
  seq: number;
  channel: string;
  at: string;
  bytes: number;
  /** The result when this thread gated the message itself (local-gate.ts); null: the worker's. */
  local: IngestOutcome | null;
}

export interface IngestStats {
  received: number;
  results: number;
  workerRestarts: number;
  faults: number;
  /** Times the source was asked to stop reading (the cap was reached). */
  pauses: number;
  /** Most messages waiting for the worker at once. */
  maxInFlight: number;
}

export class IngestPipeline {
  private settings: IngestSettings;
  private readonly opts: IngestPipelineOptions;
  private worker: Worker | null = null;
  private inline: IngestProcessor | null = null;
  /** Small messages gated on this thread (local-gate.ts); null inline, where all are. */
  private local: LocalGate | null = null;
  private seq = 0;
  /** The last reception time and its ISO text. */
  private atMs = Number.NaN;
  private atIso = '';
  /** Posted to the worker (or about to be), not yet answered, oldest first. */
  private inFlight: Pending[] = [];
  private inFlightHead = 0;
  private inFlightBytes = 0;
  /** Messages not yet posted to the worker. */
  private outgoing = new OutgoingBatch();
  private flushScheduled = false;
  private paused = false;
  private closed = false;
  private restarts: number[] = [];
  private idleWaiters: Array<() => void> = [];
  private readyWaiters: Array<() => void> = [];
  private workerReady = false;
  private readonly maxBytes: number;
  private readonly maxMessages: number;
  /** The list in force, as the worker last reported it (rebuilt from the changes). */
  private readonly mirror = new ListMirror();
  private readonly stats: IngestStats = { received: 0, results: 0, workerRestarts: 0, faults: 0, pauses: 0, maxInFlight: 0 };

  constructor(opts: IngestPipelineOptions) {
    this.opts = opts;
    this.settings = opts.settings;
    this.maxBytes = opts.maxInFlightBytes ?? DEFAULT_MAX_IN_FLIGHT_BYTES;
    this.maxMessages = opts.maxInFlightMessages ?? DEFAULT_MAX_IN_FLIGHT_MESSAGES;
    // The worker starts with the first message it is needed for (a list, or any message over
    // LOCAL_MAX_BYTES), not here: until then its isolate (~12–25 MB) is not (issue 12, idle
    // RSS). What it must know is kept here and sent on start (startWorker).
    if (opts.inline) this.inline = new IngestProcessor(this.settings);
    else this.local = new LocalGate(this.settings);
    publishStarted(!opts.inline);
  }

  /** The list in force (restored at start): the next list is diffed against it. */
  seed(matches: FogisMatch[]): void {
    this.mirror.set(matches);
    this.inline?.seed(matches);
    this.post({ kind: 'seed', matches });
  }

  updateSettings(settings: IngestSettings): void {
    this.settings = settings;
    this.inline?.updateSettings(settings);
    this.local?.updateSettings(settings);
    this.post({ kind: 'settings', settings });
  }

  /** One message as received. `raw` may be a view into a buffer its owner reuses: it is copied unless it owns its memory. */
  push(channel: string, raw: Buffer | Uint8Array, receivedAt: Date): void {
    if (this.closed) throw new Error('ingest pipeline is closed');
    const seq = ++this.seq;
    this.stats.received++;
    const receivedMs = receivedAt.getTime();
    // Many messages of a burst share a millisecond: format its time once.
    if (receivedMs !== this.atMs) {
      this.atMs = receivedMs;
      this.atIso = receivedAt.toISOString();
    }
    const at = this.atIso;
    // Only while nothing waits for the worker: then every earlier id is in this thread's filter.
    if (this.local && !this.inline && raw.byteLength <= LOCAL_MAX_BYTES && this.pending() === 0) {
      // Read before this returns: no copy is needed.
      const local = this.local.gate({ seq, channel, receivedMs, at, bytes: raw }, this.worker !== null);
      if (local) {
        // Nothing waits, so it is handed on at once: no queue entry (each one kept its result
        // alive until the queue was compacted, long enough for the young generation to copy
        // and promote it: most of the main thread's GC on small messages, issue 12).
        if (this.stats.maxInFlight === 0) this.stats.maxInFlight = 1;
        this.stats.results++;
        if (local.kind === 'fault') this.stats.faults++;
        this.opts.onResult(this.resultOf(local));
        publishApplied(local);
        return;
      }
    }
    if (!this.worker && !this.inline) this.startWorker();
    const notes = this.local?.takeNotes();
    if (notes) this.post(notes);
    // Inline, the bytes are read before this returns: no copy is needed.
    const bytes = this.inline ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) : this.outgoing.bytesFor(raw);
    const msg: WireMessage = { seq, channel, receivedMs, at, bytes };
    const waiting = this.track({ seq, channel, at, bytes: bytes.byteLength, local: null });
    if (this.inline) {
      this.deliver([this.processInline(msg)]);
      return;
    }
    this.outgoing.add(msg);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // All messages of one socket read arrive in one synchronous run: they go over together.
      queueMicrotask(() => this.flush());
    }
    if (!this.paused && (this.inFlightBytes > this.maxBytes || waiting > this.maxMessages)) {
      this.paused = true;
      this.stats.pauses++;
      this.opts.onPressure?.(true);
    }
  }

  /** Adds a message to those awaiting their result, in arrival order; returns how many wait. */
  private track(p: Pending): number {
    this.inFlight.push(p);
    this.inFlightBytes += p.bytes;
    const waiting = this.inFlight.length - this.inFlightHead;
    if (waiting > this.stats.maxInFlight) this.stats.maxInFlight = waiting;
    return waiting;
  }

  /** Messages handed in and not yet answered. */
  pending(): number {
    return this.inFlight.length - this.inFlightHead;
  }

  /** `workerRunning`: a worker thread exists now (none before the first message); `batchBuffersMade`: outgoing-batch.ts. */
  getStats(): IngestStats & { inFlight: number; inFlightBytes: number; paused: boolean; onWorker: boolean; workerRunning: boolean; batchBuffersMade: number } {
    return { ...this.stats, inFlight: this.pending(), inFlightBytes: this.inFlightBytes, paused: this.paused, onWorker: this.inline === null, workerRunning: this.worker !== null, batchBuffersMade: this.outgoing.packsMade };
  }

  /**
   * Resolves when a started worker has compiled its validators (at once inline, or while no
   * message has started one yet), or after `timeoutMs` whatever happened.
   */
  ready(timeoutMs = 10_000): Promise<void> {
    if (this.workerReady || this.inline || !this.worker) return Promise.resolve();
    return new Promise((resolve) => {
      // Not unref'd: while the app waits for its worker, nothing else may hold the process open.
      const timer = setTimeout(resolve, timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Resolves when every message handed in so far has its result. */
  idle(): Promise<void> {
    if (this.pending() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    if (w) {
      w.removeAllListeners();
      w.on('error', () => undefined);
      await w.terminate();
    }
    for (const f of this.idleWaiters.splice(0)) f();
    for (const f of this.readyWaiters.splice(0)) f();
  }

  // ---- worker ------------------------------------------------------------------------------

  private startWorker(): void {
    const spec = this.opts.worker ?? defaultWorkerSpec();
    let w: Worker;
    try {
      w = spawnWorker(spec);
    } catch (err) {
      this.workerDied(null, err);
      return;
    }
    this.worker = w;
    w.on('message', (m: FromWorker) => {
      if (w !== this.worker) return;
      if (m.kind === 'ready') {
        this.workerReady = true;
        for (const f of this.readyWaiters.splice(0)) f();
      } else {
        if (m.spent) this.outgoing.recycle(m.spent);
        this.deliver(m.outcomes);
      }
    });
    w.on('error', (err) => this.workerDied(w, err));
    w.on('exit', (code) => this.workerDied(w, new Error(`the ingest worker stopped (exit code ${code})`)));
    // The worker must not keep a finished process alive; what is in flight holds it (see flush).
    w.unref();
    // The duplicate window keeps the size it had at start, on both sides.
    w.postMessage({ kind: 'settings', settings: { ...this.settings, duplicateWindow: this.opts.settings.duplicateWindow } } satisfies ToWorker);
    if (this.mirror.list.length > 0) w.postMessage({ kind: 'seed', matches: this.mirror.list } satisfies ToWorker);
    const ids = this.local?.forNewWorker();
    if (ids) w.postMessage(ids);
  }

  private workerDied(w: Worker | null, err: unknown): void {
    if (w !== this.worker || this.closed) return;
    this.worker = null;
    if (w) {
      w.removeAllListeners();
      w.on('error', () => undefined);
      void w.terminate();
    }
    this.stats.workerRestarts++;
    // What the dead worker had not answered: one fault result each, in order (results this
    // thread has for messages between them keep their place). What was not yet posted goes
    // to the next worker.
    const forWorker = this.inFlight.slice(this.inFlightHead).filter((p) => !p.local);
    const lost = forWorker.slice(0, forWorker.length - this.outgoing.length);
    this.opts.log.error('monitor', `ingest worker failed: ${errorText(err)}; ${lost.length} message(s) in it are counted as internal errors`);
    this.opts.onWorkerFault(err);
    this.deliver(lost.map((p): IngestOutcome => ({ kind: 'fault', seq: p.seq, channel: p.channel, at: p.at, bytes: p.bytes, error: `lost with the ingest worker: ${errorText(err)}` })));
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    this.restarts.push(now);
    if (this.restarts.length > MAX_RESTARTS) {
      this.opts.log.error('monitor', `the ingest worker failed ${this.restarts.length} times in a minute; messages are handled on the main thread from now on`);
      // This thread's gate keeps its duplicate filter; it gets the list and handles all.
      this.inline = this.local?.processor ?? new IngestProcessor(this.settings);
      if (this.mirror.list.length > 0) this.inline.seed(this.mirror.list);
      this.deliver(this.outgoing.take().messages.map((m) => this.processInline(m)));
      for (const f of this.readyWaiters.splice(0)) f();
      return;
    }
    this.startWorker();
    if (this.outgoing.length > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private post(m: ToWorker): void {
    if (!this.worker) return;
    this.worker.postMessage(m);
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.outgoing.length === 0 || !this.worker) return;
    const { messages, transfer } = this.outgoing.take();
    // While messages are in the worker, it keeps the process alive (an answer is due).
    this.worker.ref();
    this.worker.postMessage({ kind: 'messages', messages } satisfies ToWorker, transfer);
  }

  /** The degraded path: the worker's work on this thread, with the worker's containment. */
  private processInline(msg: WireMessage): IngestOutcome {
    try {
      return this.inline!.process(msg);
    } catch (err) {
      return { kind: 'fault', seq: msg.seq, channel: msg.channel, at: msg.at, bytes: msg.bytes.byteLength, error: errorText(err) };
    }
  }

  // ---- results -----------------------------------------------------------------------------

  /**
   * Hands on `outcomes` (the worker's, in order), and with them every result this thread
   * already has (local-gate.ts) that was waiting behind them: all in arrival order.
   */
  private deliver(outcomes: IngestOutcome[]): void {
    this.deliverLocal();
    for (const o of outcomes) {
      const p = this.inFlight[this.inFlightHead];
      if (!p || p.seq !== o.seq || p.local) {
        // Cannot happen with one worker answering in order; if it does, say so loudly.
        this.opts.onWorkerFault(new Error(`ingest: result ${o.seq} arrived where ${p?.seq ?? 'none'} was due`));
        continue;
      }
      this.handOn(p, o);
      this.deliverLocal();
    }
    if (this.inFlightHead > 1024 && this.inFlightHead * 2 > this.inFlight.length) {
      this.inFlight = this.inFlight.slice(this.inFlightHead);
      this.inFlightHead = 0;
    }
    if (this.paused && this.inFlightBytes <= this.maxBytes / 2 && this.pending() <= this.maxMessages / 2) {
      this.paused = false;
      this.opts.onPressure?.(false);
    }
    if (this.pending() === 0) {
      this.worker?.unref();
      for (const f of this.idleWaiters.splice(0)) f();
    }
  }

  private deliverLocal(): void {
    for (let p = this.inFlight[this.inFlightHead]; p?.local; p = this.inFlight[this.inFlightHead]) this.handOn(p, p.local);
  }

  private handOn(p: Pending, o: IngestOutcome): void {
    if (!p.local && !this.inline) this.local?.workerResult(o);
    // The entry (and a local result with it) is let go now, not when the queue is compacted.
    this.inFlight[this.inFlightHead++] = DONE;
    this.inFlightBytes -= p.bytes;
    if (o.kind === 'fault') this.stats.faults++;
    this.stats.results++;
    this.opts.onResult(this.resultOf(o));
    publishApplied(o);
  }

  /** An accepted FOGIS list gets the whole new list; a delta that does not fit is a fault, and the worker starts again from our list. */
  private resultOf(o: IngestOutcome): IngestResult {
    if (o.kind !== 'match_updates') return o;
    if (!o.delta) return { ...o, matches: null };
    try {
      return { ...o, matches: this.mirror.apply(o.delta) };
    } catch (err) {
      this.stats.faults++;
      this.post({ kind: 'seed', matches: this.mirror.list });
      this.inline?.seed(this.mirror.list);
      return { kind: 'fault', seq: o.seq, channel: o.channel, at: o.at, bytes: o.bytes, error: errorText(err) };
    }
  }
}
