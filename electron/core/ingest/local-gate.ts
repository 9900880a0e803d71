import { errorText } from '../log';
import { IngestProcessor } from './ingest-processor';
import type { IngestOutcome, IngestSettings, ToWorker, WireMessage } from './ingest-protocol';

/** Messages up to this size are gated on the main thread first; lists among them still go to the worker. */
export const LOCAL_MAX_BYTES = 8 * 1024;

/**
 * The main thread's gate for small messages (statuses, alerts): the worker's code, without
 * the list. For a 484-byte status message the round trip to the worker (copy, post, structured
 * clone of the result back) cost the main thread as much as the gate itself, and the worker
 * twice that again: ~25 µs of CPU per message against ~12 µs here (`bench/profile-ingest.ts
 * small --worker`), on a machine whose two cores also run Redis (issue 12). Lists (their
 * parse, validation and diff) stay on the worker.
 *
 * One duplicate filter decides, as before the split: this gate's filter is kept equal to the
 * worker's. It records the ids of the worker's results as they are handed on (in order), and
 * the ids it records itself reach the worker before the worker's next message (`notes`; the
 * whole filter when there are more notes than it holds, or when a worker starts). The
 * pipeline gates here only while nothing waits for the worker, so this filter has every
 * earlier id when it decides.
 */
export class LocalGate {
  readonly processor: IngestProcessor;
  private notes: string[] = [];
  private resync = false;

  constructor(private readonly settings: IngestSettings) {
    this.processor = new IngestProcessor(settings);
  }

  updateSettings(settings: IngestSettings): void {
    this.processor.updateSettings(settings);
  }

  /** The outcome, or null for a match list (the worker's). `workerRunning`: its filter must hear of the id. */
  gate(msg: WireMessage, workerRunning: boolean): IngestOutcome | null {
    let o: IngestOutcome | null;
    try {
      o = this.processor.processUnlessList(msg);
    } catch (err) {
      return { kind: 'fault', seq: msg.seq, channel: msg.channel, at: msg.at, bytes: msg.bytes.byteLength, error: errorText(err) };
    }
    if (workerRunning && (o?.kind === 'processing_status' || o?.kind === 'system_alert')) this.note(o.message.message_id);
    return o;
  }

  /** A result of the worker as it is handed on: its id goes into this filter too. */
  workerResult(o: IngestOutcome): void {
    if (o.kind === 'match_updates') this.processor.noteIds([o.messageId]);
    else if (o.kind === 'processing_status' || o.kind === 'system_alert') this.processor.noteIds([o.message.message_id]);
  }

  /** What a new worker must get: the whole filter (or nothing while it is empty). */
  forNewWorker(): ToWorker | null {
    this.notes = [];
    this.resync = false;
    const ids = this.processor.ids();
    return ids.length > 0 ? { kind: 'resetIds', ids } : null;
  }

  /** What the worker must get before its next message; posted at once (nothing is in flight then). */
  takeNotes(): ToWorker | null {
    const m: ToWorker | null = this.resync ? { kind: 'resetIds', ids: this.processor.ids() } : this.notes.length > 0 ? { kind: 'noteIds', ids: this.notes } : null;
    this.notes = [];
    this.resync = false;
    return m;
  }

  private note(id: string): void {
    if (this.resync) return;
    this.notes.push(id);
    if (this.notes.length > this.settings.duplicateWindow) {
      this.resync = true;
      this.notes = [];
    }
  }
}
