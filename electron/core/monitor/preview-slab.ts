/**
 * Where the message log keeps its previews: outside the JS heap, in memory used again. At
 * 1,000 lists a second each preview is a 4,096-character string (8 KB in the heap once it
 * holds one non-Latin-1 character) that lives as long as the log holds it (5,000 entries,
 * renewed every few seconds). Kept as heap strings they made the main thread's heap twice
 * as large, every young-generation collection copied the newest of them and the old
 * generation filled with them: those collections were the longest stalls of the receive path
 * (issue 12: latency p99, event-loop delay). A fresh buffer per preview would move the cost,
 * not remove it: V8 counts new off-heap memory towards its next full collection.
 *
 * A preview is copied into a 1 MB slab as UTF-8 and read back exactly. UTF-8 holds any text
 * without a lone surrogate (a preview cut inside a surrogate pair ends with one); such a
 * text stays a string. Entries leave the log oldest first (`release`), so a slab empties
 * as a whole and is filled again; one the log dropped without releasing (a smaller cap) is
 * simply never used again and left to the collector.
 */

const SLAB_BYTES = 1024 * 1024;
/** Empty slabs kept for reuse; more are left to the collector. */
const SPARE_SLABS = 2;
const SURROGATE = /[\uD800-\uDFFF]/;

interface Slab {
  buf: Buffer;
  used: number;
  /** Previews in it not yet released. */
  live: number;
}

/** A preview as kept: the text itself, or its bytes in a slab and its length in characters. */
export type KeptText = string | { slab: Slab; start: number; end: number; length: number };

export class PreviewSlab {
  private current: Slab | null = null;
  private readonly spare: Slab[] = [];
  /** Slabs allocated so far (tests: the memory is used again, not renewed). */
  slabsMade = 0;

  /** `text` in its kept form. */
  keep(text: string): KeptText {
    const length = text.length;
    if (length === 0) return text;
    const bytes = Buffer.byteLength(text, 'utf8');
    // Byte length equal to the length: ASCII, which has no surrogates to test for.
    if (bytes > SLAB_BYTES || (bytes !== length && SURROGATE.test(text))) return text;
    let slab = this.current;
    if (!slab || slab.used + bytes > SLAB_BYTES) {
      if (slab && slab.live === 0) this.recycle(slab);
      slab = this.spare.pop() ?? this.newSlab();
      this.current = slab;
    }
    const start = slab.used;
    slab.buf.write(text, start, bytes, 'utf8');
    slab.used += bytes;
    slab.live++;
    return { slab, start, end: slab.used, length };
  }

  /** `kept` is no longer in the log: its slab may be filled again once all of it is. */
  release(kept: KeptText): void {
    if (typeof kept === 'string') return;
    const slab = kept.slab;
    if (--slab.live === 0 && slab !== this.current) this.recycle(slab);
  }

  private newSlab(): Slab {
    this.slabsMade++;
    return { buf: Buffer.allocUnsafeSlow(SLAB_BYTES), used: 0, live: 0 };
  }

  private recycle(slab: Slab): void {
    slab.used = 0;
    if (this.spare.length < SPARE_SLABS) this.spare.push(slab);
  }
}

export function textOf(kept: KeptText): string {
  return typeof kept === 'string' ? kept : kept.slab.buf.toString('utf8', kept.start, kept.end);
}
