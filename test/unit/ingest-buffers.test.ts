import { describe, expect, it } from 'vitest';
import { OutgoingBatch, PACK_BYTES, SPARE_PACKS } from '../../electron/core/ingest/outgoing-batch';
import { spentBuffers } from '../../electron/core/ingest/ingest-worker-loop';
import type { WireMessage } from '../../electron/core/ingest/ingest-protocol';

/**
 * The buffers that carry messages to the ingest worker come back to the main thread once the
 * worker no longer reads them (issue 12: memory). Batch buffers are filled again, at most
 * SPARE_PACKS of them kept; the buffer whose bytes the worker's list in force keeps stays there.
 */

const small = (n: number): Uint8Array => new Uint8Array(500).fill(n);

/** One batch of `count` small messages through `batch`, as the pipeline posts it. */
function oneBatch(batch: OutgoingBatch, count: number): ArrayBuffer[] {
  for (let i = 0; i < count; i++) {
    const bytes = batch.bytesFor(small(i));
    batch.add({ seq: i, channel: 'c', receivedMs: 0, at: '', bytes });
  }
  return batch.take().transfer;
}

describe('outgoing batch buffers', () => {
  it('a batch buffer handed back is filled again: 50 batches, one buffer', () => {
    const batch = new OutgoingBatch();
    for (let i = 0; i < 50; i++) batch.recycle(oneBatch(batch, 20));
    expect(batch.packsMade).toBe(1);
  });

  it('reused, it carries the new bytes (the views of a batch are exact)', () => {
    const batch = new OutgoingBatch();
    batch.recycle(oneBatch(batch, 3));
    const a = batch.bytesFor(small(7));
    const b = batch.bytesFor(small(9));
    expect(batch.packsMade).toBe(1);
    expect([a.byteLength, a[0], a[499], b.byteLength, b[0], b[499], b.byteOffset]).toEqual([500, 7, 7, 500, 9, 9, 500]);
  });

  it(`keeps at most ${SPARE_PACKS} spare batch buffers; buffers of any other size are not kept`, () => {
    const batch = new OutgoingBatch();
    const packs: ArrayBuffer[] = [];
    for (let i = 0; i < SPARE_PACKS + 5; i++) packs.push(...oneBatch(batch, 1));
    expect(packs.length).toBe(SPARE_PACKS + 5);
    expect(batch.packsMade).toBe(SPARE_PACKS + 5);
    batch.recycle([...packs, new ArrayBuffer(2 * 1024 * 1024), new ArrayBuffer(PACK_BYTES - 1)]);
    // The spare ones are used first; only when they are gone is another made.
    for (let i = 0; i < SPARE_PACKS; i++) oneBatch(batch, 1);
    expect(batch.packsMade).toBe(SPARE_PACKS + 5);
    oneBatch(batch, 1);
    expect(batch.packsMade).toBe(SPARE_PACKS + 6);
  });
});

describe("the worker's spent buffers", () => {
  const msg = (bytes: Uint8Array): WireMessage => ({ seq: 1, channel: 'c', receivedMs: 0, at: '', bytes });

  it('each buffer of the batch once, except the one the list in force keeps', () => {
    const pack = new ArrayBuffer(64);
    const list = new ArrayBuffer(32);
    const other = new ArrayBuffer(16);
    const spent = spentBuffers([msg(new Uint8Array(pack, 0, 8)), msg(new Uint8Array(pack, 8, 8)), msg(new Uint8Array(list)), msg(new Uint8Array(other))], null, list);
    expect(spent).toEqual([pack, other]);
    expect(spent[0]).toBe(pack);
    expect(spent[1]).toBe(other);
  });

  it('the buffer the previous list kept, once the list in force moved on', () => {
    const before = new ArrayBuffer(32);
    const now = new ArrayBuffer(32);
    expect(spentBuffers([msg(new Uint8Array(now))], before, now)).toEqual([before]);
    expect(spentBuffers([msg(new Uint8Array(now))], before, now)[0]).toBe(before);
    // Still in force: not handed back.
    expect(spentBuffers([], before, before)).toEqual([]);
  });
});
