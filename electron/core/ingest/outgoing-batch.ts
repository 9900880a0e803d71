import type { WireMessage } from './ingest-protocol';

/** Messages under this size are copied into a shared batch buffer of PACK_BYTES. */
const PACK_MAX_MESSAGE = 16 * 1024;
export const PACK_BYTES = 256 * 1024;
/**
 * Batch buffers the worker handed back (`recycle`), kept to be filled again: 4 MB. What a burst
 * has in flight beyond it is left to the collector. Without reuse each socket read took a fresh
 * 256 KB buffer that was freed only when the worker next collected; malloc kept what they had
 * used (issue 12: 20–40 MB of the RSS growth over 100,000 small messages).
 */
export const SPARE_PACKS = 16;

/**
 * The messages waiting to be posted to the ingest worker in one postMessage, with the buffers
 * that move with them (transferred, not copied). Small messages share one buffer per batch
 * (one allocation, one transfer); a large one travels in a buffer of its own.
 */
export class OutgoingBatch {
  private messages: WireMessage[] = [];
  private transfer = new Set<ArrayBuffer>();
  /** This batch's shared buffer for small messages, and how much of it is used. */
  private pack: Uint8Array | null = null;
  private packUsed = 0;
  /** Batch buffers handed back by the worker, to be filled again (at most SPARE_PACKS). */
  private readonly spare: ArrayBuffer[] = [];
  /** Batch buffers allocated so far (tests: they are used again, not renewed). */
  packsMade = 0;

  get length(): number {
    return this.messages.length;
  }

  /**
   * The bytes of `raw` as they will travel: copied into the shared buffer when small; else in
   * a buffer of their own, transferable without another copy. A slice of a socket chunk or of
   * Node's pool is copied (transferring it would take the rest of that buffer from its owner),
   * and so is a buffer already on its way in this batch.
   */
  bytesFor(raw: Uint8Array): Uint8Array {
    if (raw.byteLength < PACK_MAX_MESSAGE) return this.packed(raw);
    const ab = raw.buffer;
    const whole = ab instanceof ArrayBuffer && raw.byteOffset === 0 && raw.byteLength === ab.byteLength && !this.transfer.has(ab);
    return whole ? new Uint8Array(ab, 0, raw.byteLength) : new Uint8Array(raw);
  }

  /** `msg.bytes` must come from `bytesFor` of this batch. */
  add(msg: WireMessage): void {
    this.messages.push(msg);
    this.transfer.add(msg.bytes.buffer as ArrayBuffer);
  }

  /** The batch to post and its transfer list; the batch starts empty again. */
  take(): { messages: WireMessage[]; transfer: ArrayBuffer[] } {
    const out = { messages: this.messages, transfer: [...this.transfer] };
    this.messages = [];
    this.transfer = new Set();
    this.pack = null;
    return out;
  }

  /**
   * Buffers the worker no longer reads: batch buffers are kept to be filled again (up to
   * SPARE_PACKS), any other is dropped here and freed by this thread's next collection.
   */
  recycle(spent: readonly ArrayBuffer[]): void {
    for (const b of spent) if (b.byteLength === PACK_BYTES && this.spare.length < SPARE_PACKS) this.spare.push(b);
  }

  private packed(raw: Uint8Array): Uint8Array {
    if (!this.pack || this.packUsed + raw.byteLength > this.pack.byteLength) {
      const reused = this.spare.pop();
      if (reused) this.pack = new Uint8Array(reused);
      else {
        this.pack = new Uint8Array(PACK_BYTES);
        this.packsMade++;
      }
      this.packUsed = 0;
    }
    const view = this.pack.subarray(this.packUsed, this.packUsed + raw.byteLength);
    view.set(raw);
    this.packUsed += raw.byteLength;
    return view;
  }
}
