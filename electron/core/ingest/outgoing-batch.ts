import type { WireMessage } from './ingest-protocol';

/** Messages under this size are copied into a shared batch buffer of PACK_BYTES. */
const PACK_MAX_MESSAGE = 16 * 1024;
const PACK_BYTES = 256 * 1024;

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

  private packed(raw: Uint8Array): Uint8Array {
    if (!this.pack || this.packUsed + raw.byteLength > this.pack.byteLength) {
      this.pack = new Uint8Array(PACK_BYTES);
      this.packUsed = 0;
    }
    const view = this.pack.subarray(this.packUsed, this.packUsed + raw.byteLength);
    view.set(raw);
    this.packUsed += raw.byteLength;
    return view;
  }
}
