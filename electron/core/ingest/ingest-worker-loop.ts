import type { MessagePort } from 'node:worker_threads';
import { warmValidators } from '../messages/validator';
import { IngestProcessor } from './ingest-processor';
import type { FromWorker, IngestOutcome, ToWorker, WireMessage } from './ingest-protocol';

/**
 * The worker side: one processor, messages handled strictly in arrival order, outcomes posted
 * back in that order. A large message gets its outcome posted at once (a crash later in the
 * batch then costs only what was not answered); small ones go back together, one post per batch.
 */

/** Messages larger than this are answered one by one. */
const ANSWER_ALONE_BYTES = 64 * 1024;

export interface WorkerHooks {
  /** Called before each message is handled (tests make the worker fail with it). */
  beforeMessage?(msg: WireMessage): void;
}

export function runIngestWorker(port: MessagePort, hooks: WorkerHooks = {}): void {
  let processor: IngestProcessor | null = null;
  warmValidators();
  const post = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  port.on('message', (m: ToWorker) => {
    switch (m.kind) {
      case 'settings':
        if (processor) processor.updateSettings(m.settings);
        else processor = new IngestProcessor(m.settings, true);
        return;
      case 'seed':
        processor?.seed(m.matches);
        return;
      case 'noteIds':
        processor?.noteIds(m.ids);
        return;
      case 'resetIds':
        processor?.resetIds(m.ids);
        return;
      case 'messages': {
        if (!processor) throw new Error('ingest worker: messages before settings');
        const heldBefore = processor.heldBuffer();
        let batch: IngestOutcome[] = [];
        for (const msg of m.messages) {
          let outcome: IngestOutcome;
          try {
            hooks.beforeMessage?.(msg);
            outcome = processor.process(msg);
          } catch (err) {
            // A bug, not bad input (bad input is a rejection): this message is reported as a
            // fault and the worker carries on with the next one.
            outcome = { kind: 'fault', seq: msg.seq, channel: msg.channel, at: msg.at, bytes: msg.bytes.byteLength, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
          }
          batch.push(outcome);
          if (msg.bytes.byteLength >= ANSWER_ALONE_BYTES) {
            post({ kind: 'outcomes', outcomes: batch });
            batch = [];
          }
        }
        const spent = spentBuffers(m.messages, heldBefore, processor.heldBuffer());
        if (batch.length > 0 || spent.length > 0) post({ kind: 'outcomes', outcomes: batch, spent }, spent);
        return;
      }
    }
  });
  post({ kind: 'ready' });
}

/**
 * The buffers of `messages` the worker no longer reads, each once: all but the one the list in
 * force keeps (`held`), and the one it kept before when the list moved on (issue 12: returned,
 * they are freed or filled again on the main thread at once; garbage here, they waited for
 * this thread's next collection, which a worker that allocates little reaches seldom).
 */
export function spentBuffers(messages: readonly WireMessage[], heldBefore: ArrayBufferLike | null, held: ArrayBufferLike | null): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const msg of messages) {
    const b = msg.bytes.buffer;
    if (b instanceof ArrayBuffer && b !== held && b.byteLength > 0) out.add(b);
  }
  if (heldBefore instanceof ArrayBuffer && heldBefore !== held && heldBefore.byteLength > 0) out.add(heldBefore);
  return [...out];
}
