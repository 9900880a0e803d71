import { describe, expect, it } from 'vitest';
import { IngestProcessor, PREVIEW_CHARS, previewOf, previewOfBytes } from '../../electron/core/ingest/ingest-processor';
import { GIVE_UP_AFTER, readListMessage, scanMessage, type ListBytes } from '../../electron/core/messages/list-scan';
import { MAX_DEPTH } from '../../electron/core/messages/parse-message';
import { isValidUtf8, nestingDepthBytes, utf8Text } from '../../electron/core/messages/raw-scan';
import { loadFixture } from '../harness/fixture';
import { prng } from '../harness/prng';

/**
 * A list read in proportion to its change (issue 12): the scan that guards the nesting depth
 * also finds the elements of `payload.matches`, and an element whose bytes equal one of the
 * previous list's takes its previous object. Whatever the bytes, the guard's verdict is
 * nestingDepthBytes's, and a value read this way is exactly JSON.parse of the whole text; any
 * doubt about the structure reads the message whole.
 */

type Json = Record<string, unknown>;
const fixture = loadFixture();
const baseMatches = fixture
  .map((l) => JSON.parse(l.raw) as Json)
  .filter((m) => m.type === 'match_updates')
  .flatMap((m) => (m.payload as { matches: Json[] }).matches)
  .filter((m) => 'matchid' in m);

function list(n: number, from = 0): Json[] {
  return Array.from({ length: n }, (_, i) => ({ ...structuredClone(baseMatches[(i + from) % baseMatches.length]!), matchid: 6_000_000 + i + from }));
}

const envelope = (matches: unknown, id = 'm-1'): Json => ({ message_id: id, timestamp: '2026-11-26T10:00:00Z', source: 'match-list-processor', version: '1.0', type: 'match_updates', payload: { matches, schema_version: '2.0', detailed_changes: [] } });

/** The previous list as the ingest worker keeps it: its objects and where they lie in its bytes. */
function known(raw: Buffer): { bytes: ListBytes; objects: unknown[] } {
  const scan = scanMessage(raw, MAX_DEPTH, null).list!;
  expect(scan).not.toBeNull();
  const objects = (JSON.parse(utf8Text(raw)) as { payload: { matches: unknown[] } }).payload.matches;
  expect(scan.starts).toHaveLength(objects.length);
  return { bytes: scan, objects };
}

/** Reads `raw` after `prev` as the worker does; checks the depth verdict and, when read, the value. */
function read(raw: Buffer, prev: { bytes: ListBytes; objects: unknown[] } | null): { value: unknown; reused: number; sure: boolean } {
  const r = scanMessage(raw, MAX_DEPTH, prev?.bytes ?? null);
  expect(r.tooDeep).toBe(nestingDepthBytes(raw, MAX_DEPTH) > MAX_DEPTH);
  if (r.list === null || prev === null) return { value: undefined, reused: 0, sure: r.list !== null };
  const value = readListMessage(raw, r.list, prev.objects);
  let whole: unknown;
  try {
    whole = JSON.parse(utf8Text(raw));
  } catch {
    expect(value).toBeUndefined();
    return { value, reused: r.list.reused, sure: true };
  }
  if (value !== undefined) {
    // Equal, keys in the same order.
    expect(JSON.stringify(value)).toBe(JSON.stringify(whole));
    expect(value).toEqual(whole);
    const matches = (value as { payload: { matches: unknown[] } }).payload.matches;
    r.list.same.forEach((p, k) => p >= 0 && expect(matches[k]).toBe(prev.objects[p]));
  }
  return { value, reused: r.list.reused, sure: true };
}

const text = (v: unknown, space?: number): Buffer => Buffer.from(JSON.stringify(v, null, space));

describe('list scan: the depth guard that reads a list in proportion to its change', () => {
  it('takes the previous objects for unchanged matches, parses only the changed ones, after a change, an insertion and a removal', () => {
    const a = list(30);
    const prev = known(text(envelope(a)));
    const b = structuredClone(a);
    b[7]!.lag1namn = 'Ändrat IF';
    b.splice(3, 0, list(1, 500)[0]!);
    b.splice(20, 1);
    const got = read(text(envelope(b, 'm-2')), prev);
    expect(got.value).toBeDefined();
    // 30 - 1 changed - 1 removed.
    expect(got.reused).toBe(28);
  });

  it('an identical list is read without parsing any match', () => {
    const raw = text(envelope(list(10)));
    const prev = known(raw);
    const again = Buffer.from(raw.toString().replace('"m-1"', '"m-2"'));
    expect(read(again, prev).reused).toBe(10);
  });

  it(`stops looking for equal bytes when the first ${GIVE_UP_AFTER} elements all differ (every match changed); one fewer still finds the rest`, () => {
    const a = list(100);
    const prev = known(text(envelope(a)));
    const changedFirst = (k: number): Buffer => {
      const b = structuredClone(a);
      for (let i = 0; i < k; i++) b[i]!.anlaggningnamn = `Ny arena ${i}`;
      return text(envelope(b, `m-${k}`));
    };
    // Read whole (the caller parses the text): nothing is reused, the depth verdict stands.
    expect(read(changedFirst(GIVE_UP_AFTER), prev)).toMatchObject({ reused: 0, sure: true });
    expect(read(changedFirst(100), prev)).toMatchObject({ reused: 0, sure: true });
    const some = read(changedFirst(GIVE_UP_AFTER - 1), prev);
    expect(some.reused).toBe(100 - (GIVE_UP_AFTER - 1));
    expect(some.value).toBeDefined();
  });

  it('reads a message whole when its structure is in doubt', () => {
    const a = list(3);
    const prev = known(text(envelope(a)));
    const same = JSON.stringify(a);
    const head = '{"message_id": "x", "timestamp": "2026-11-26T10:00:00Z", "type": "match_updates", ';
    const doubtful = [
      // `matches` twice (JSON.parse keeps the last), `payload` twice, keys written with escapes.
      `${head}"payload": {"matches": ${same}, "matches": []}}`,
      `${head}"payload": {"matches": ${same}}, "payload": {"matches": []}}`,
      `${head}"payload": {"m\\u0061tches": [], "matches": ${same}}}`,
      `${head}"p\\u0061yload": {"matches": []}, "payload": {"matches": ${same}}}`,
      // Elements that are not objects, a missing or a trailing comma.
      `${head}"payload": {"matches": [${JSON.stringify(a[0])}, 5]}}`,
      `${head}"payload": {"matches": [${JSON.stringify(a[0])} ${JSON.stringify(a[1])}]}}`,
      `${head}"payload": {"matches": [${JSON.stringify(a[0])},]}}`,
      `${head}"payload": {"matches": [${JSON.stringify(a[0])}, [1]]}}`,
      // The list not closed by `]`, an element that closes twice.
      `${head}"payload": {"matches": [${JSON.stringify(a[0])}}}`,
      `${head}"payload": {"matches": [${JSON.stringify(a[0])}}]}}`,
    ];
    for (const d of doubtful) {
      const got = read(Buffer.from(d), prev);
      if (d.includes('"matches": []') || d.includes(', 5]') || d.includes(',]') || d.includes('[1]') || d.includes('} {')) expect({ d, sure: got.sure }).toEqual({ d, sure: false });
      if (got.sure) expect(got.value).toBeUndefined();
    }
  });

  it('a deep value inside a changed match is refused by the guard; bytes after a reused match are scanned as before', () => {
    const a = list(4);
    const prev = known(text(envelope(a)));
    const deep = `${'['.repeat(80)}${']'.repeat(80)}`;
    const msg = JSON.stringify(envelope(a)).replace('"lag1namn"', `"deep": ${deep}, "lag1namn"`);
    expect(scanMessage(Buffer.from(msg), MAX_DEPTH, prev.bytes).tooDeep).toBe(true);
    // Around the limit: the element is at depth 4, so 60 more levels reach MAX_DEPTH exactly.
    for (let k = 58; k <= 62; k++) {
      const m = JSON.stringify(envelope(a)).replace('"lag1namn"', `"deep": ${'['.repeat(k)}${']'.repeat(k)}, "lag1namn"`);
      expect(scanMessage(Buffer.from(m), MAX_DEPTH, prev.bytes).tooDeep).toBe(k > 60);
      read(Buffer.from(m), prev);
    }
    // A reused match's bytes followed by more than the list allows.
    const whole = JSON.stringify(envelope(a));
    const after = whole.replace(`${JSON.stringify(a[0])},`, `${JSON.stringify(a[0])}}${deep},`);
    read(Buffer.from(after), prev);
  });

  it('with a BOM, in pretty-printed JSON, with Swedish letters and escapes', () => {
    const a = list(5);
    a[1]!.lag1namn = 'Öckerö "IF" \\ å';
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const prev = known(Buffer.concat([bom, text(envelope(a), 2)]));
    const b = structuredClone(a);
    b[2]!.lag2namn = 'Hönö';
    const got = read(Buffer.concat([bom, text(envelope(b, 'm-2'), 2)]), prev);
    expect(got.reused).toBe(4);
    expect(got.value).toBeDefined();
  });

  it('2,000 byte-level mutations of a list after the one before: the same depth verdict, and a value read is JSON.parse of the whole', () => {
    const r = prng(20261201);
    const a = list(8);
    const raw = text(envelope(a));
    const prev = known(raw);
    const s = raw.toString('latin1');
    const pieces = ['{', '}', '[', ']', '"', '\\', ',', ':', ' ', '"matches": ', '"payload": ', '0', 'å', `${'['.repeat(70)}`];
    let read0 = 0;
    for (let n = 0; n < 2000; n++) {
      let t = s;
      const edits = 1 + Math.floor(r() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(r() * t.length);
        const roll = r();
        if (roll < 0.4) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 3));
        else t = t.slice(0, at) + Buffer.from(pieces[Math.floor(r() * pieces.length)]!).toString('latin1') + t.slice(at);
      }
      const buf = Buffer.from(t, 'latin1');
      // The gate reads only valid UTF-8 this way (parse-message.ts checks it first).
      if (!isValidUtf8(buf)) continue;
      const got = read(buf, prev);
      if (got.value !== undefined) read0++;
    }
    // Most single edits touch one match: the rest is read from the previous list.
    expect(read0).toBeGreaterThan(200);
  });
});

describe('the ingest processor keeps the bytes its list was read from', () => {
  const settings = { maxMessageBytes: 16 * 1024 * 1024, timeZone: 'Europe/Stockholm', duplicateWindow: 100 };
  const at = Date.parse('2026-11-26T12:00:00Z');
  const kickoffs = (l: Json[]): Json[] =>
    l.map((m, i) => {
      const ms = at + (2 + i) * 86_400_000;
      const local = new Date(ms + 3_600_000).toISOString();
      return { ...m, tid: `/Date(${ms})/`, speldatum: local.slice(0, 10), avsparkstid: local.slice(11, 16) };
    });

  it('a caller that reuses its buffer (inline, on the main thread) still gets the change: the list keeps a copy', () => {
    const a = kickoffs(list(6));
    const b = structuredClone(a);
    // Same length, so every element lies where it lay in the first message.
    const renamed = 'X'.repeat(Buffer.byteLength(String(a[2]!.lag1namn)));
    b[2]!.lag1namn = renamed;
    const first = text(envelope(a, 'x-1'));
    const second = text(envelope(b, 'x-2'));
    expect(second.length).toBe(first.length);
    const p = new IngestProcessor(settings);
    const shared = Buffer.alloc(Math.max(first.length, second.length) + 16);
    const msg = (bytes: Buffer, seq: number) => ({ seq, channel: 'c', receivedMs: at, at: new Date(at).toISOString(), bytes });
    first.copy(shared);
    expect(p.process(msg(shared.subarray(0, first.length), 1)).kind).toBe('match_updates');
    // The caller writes the next message where the last one was.
    shared.fill(0x20);
    second.copy(shared);
    const o = p.process(msg(shared.subarray(0, second.length), 2));
    expect(o.kind === 'match_updates' && o.delta?.upserts.map((m) => m.lag1namn)).toEqual([renamed]);
  });

  it(`a list whose first ${GIVE_UP_AFTER} matches changed (read whole) gives the same changes as one compared match by match`, () => {
    const a = kickoffs(list(100));
    const b = structuredClone(a);
    for (let i = 0; i < 40; i++) b[i]!.anlaggningnamn = `Ny arena ${i}`;
    // A change after the ones at the start is found as well.
    b[60]!.lag1namn = 'Ändrat IF';
    const p = new IngestProcessor(settings);
    const msg = (bytes: Buffer, seq: number) => ({ seq, channel: 'fogis:matches:updates', receivedMs: at, at: new Date(at).toISOString(), bytes });
    expect(p.process(msg(text(envelope(a, 'g-1')), 1)).kind).toBe('match_updates');
    const o = p.process(msg(text(envelope(b, 'g-2')), 2));
    if (o.kind !== 'match_updates' || !o.delta) throw new Error(`not accepted: ${o.kind}`);
    const ids = (ks: number[]): Set<string> => new Set(ks.map((k) => String(6_000_000 + k)));
    expect(new Set(o.delta.changes.map((c) => c.matchId))).toEqual(ids([...Array.from({ length: 40 }, (_, i) => i), 60]));
    expect(o.delta.changes.find((c) => c.matchId === '6000060')?.fields.map((f) => f.field)).toEqual(['lag1namn']);
  });

  it('the worker\'s (it owns its bytes): the buffer it keeps is the accepted list\'s own (ingest-worker-loop.ts hands back any other); it moves with the next accepted list, not with a duplicate', () => {
    const p = new IngestProcessor(settings, true);
    // Each message in its own memory, as the worker gets it (transferred): Buffer.from of a
    // short text is a slice of a shared pool (8 KB on Node 20, 64 KB on Node 24).
    const own = (b: Buffer): Buffer => {
      const o = Buffer.from(new ArrayBuffer(b.length));
      b.copy(o);
      return o;
    };
    const msg = (bytes: Buffer, seq: number) => ({ seq, channel: 'c', receivedMs: at, at: new Date(at).toISOString(), bytes });
    const a = kickoffs(list(6));
    const first = own(text(envelope(a, 'h-1')));
    expect(p.heldBuffer()).toBe(null);
    expect(p.process(msg(first, 1)).kind).toBe('match_updates');
    expect(p.heldBuffer()).toBe(first.buffer);
    const again = own(text(envelope(a, 'h-1')));
    expect(p.process(msg(again, 2)).kind).toBe('duplicate');
    expect(p.heldBuffer()).toBe(first.buffer);
    // The same matches again: the list in force (and its bytes) stay.
    expect(p.process(msg(own(text(envelope(a, 'h-2'))), 3)).kind).toBe('match_updates');
    expect(p.heldBuffer()).toBe(first.buffer);
    const b = structuredClone(a);
    b[1]!.lag1namn = 'Ändrat IF';
    const second = own(text(envelope(b, 'h-3')));
    expect(p.process(msg(second, 4)).kind).toBe('match_updates');
    expect(p.heldBuffer()).toBe(second.buffer);
    // The first buffer may go (zeroed here): the next list is compared with the second one's bytes.
    new Uint8Array(first.buffer).fill(0);
    const c = structuredClone(b);
    c[4]!.lag2namn = 'Annat IF';
    const o = p.process(msg(own(text(envelope(c, 'h-4'))), 5));
    expect(o.kind === 'match_updates' && o.delta?.upserts.map((m) => m.lag2namn)).toEqual(['Annat IF']);
  });
});

describe('the message preview from a short decode', () => {
  it('equals previewOf for texts around its window, with and without multi-byte characters', () => {
    const r = prng(7);
    const chars = ['a', 'å', '€', '😀'];
    for (let n = 0; n < 400; n++) {
      const weights = [[1, 0, 0, 0], [0.7, 0.2, 0.05, 0.05], [0.1, 0.2, 0.3, 0.4]][n % 3]!;
      let s = '';
      const target = PREVIEW_CHARS + Math.floor(r() * PREVIEW_CHARS * 2);
      while (s.length < target) {
        let x = r();
        let i = 0;
        while (i < 3 && x > weights[i]!) x -= weights[i++]!;
        s += chars[i];
      }
      const raw = n % 4 === 0 ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s)]) : Buffer.from(s);
      expect(previewOfBytes(raw)).toBe(previewOf(raw));
    }
  });
});
