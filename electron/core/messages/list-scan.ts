/**
 * The depth guard of raw-scan.ts (nestingDepthBytes), which also finds where each element of
 * `payload.matches` lies in the bytes, so a list can be read in proportion to its change
 * (issue 12): an element whose bytes equal an element of the previous accepted list is neither
 * scanned again nor decoded nor parsed; its previous object is taken instead.
 *
 * Why that is exact: JSON.parse is a pure function of the bytes, so equal bytes give an equal
 * value; and an element whose bytes equal one that had balanced nesting within the limit has
 * the same nesting now (the scan enters it in the same state: outside strings, at the list's
 * depth). Any doubt about the structure (a key written with escapes, `payload` or `matches`
 * twice, a list element that is not an object, a missing or extra comma) gives `list: null`,
 * and the message is decoded and parsed whole, as before.
 */

/** Where the elements of a list lie in its message's bytes (from a sure scan). */
export interface ListBytes {
  raw: Uint8Array;
  starts: number[];
  ends: number[];
}

/** The `payload.matches` array of one message, found by `scanMessage`. */
export interface ListScan extends ListBytes {
  /** Byte offsets of the array's `[` and `]`. */
  open: number;
  close: number;
  /** Per element: the index in the previous list of an element with the same bytes, or -1. */
  same: number[];
  /** How many elements have a `same`. */
  reused: number;
}

export interface ScanResult {
  tooDeep: boolean;
  list: ListScan | null;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJ = 0x7b;
const OPEN_ARR = 0x5b;
const CLOSE_OBJ = 0x7d;
const CLOSE_ARR = 0x5d;

/**
 * A list whose first this-many elements all differ from the previous list's (every match
 * changed, or a list of other matches) is read whole: looking for equal bytes for each of its
 * elements cost ~6 ms a 1000-match list and found nothing (issue 12).
 */
export const GIVE_UP_AFTER = 32;

const isWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipWs(b: Uint8Array, i: number): number {
  while (i < b.length && isWs(b[i]!)) i++;
  return i;
}

const PAYLOAD = [0x70, 0x61, 0x79, 0x6c, 0x6f, 0x61, 0x64]; // payload
const MATCHES = [0x6d, 0x61, 0x74, 0x63, 0x68, 0x65, 0x73]; // matches

/** Whether the raw key between `from` and `to` (quotes excluded) is `word`. */
function keyIs(b: Uint8Array, from: number, to: number, word: readonly number[]): boolean {
  if (to - from !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (b[from + k] !== word[k]) return false;
  return true;
}

function hasBackslash(b: Uint8Array, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (b[k] === BACKSLASH) return true;
  return false;
}

/** Element states inside the list. */
const EXPECT_FIRST = 0;
const AFTER_ELEMENT = 1;
const AFTER_COMMA = 2;

/** How far from its expected place a previous element is looked for (an insertion or removal shifts the rest). */
const SHIFT = 2;

/**
 * Whether `b` nests deeper than `limit` (exactly as nestingDepthBytes), and where the elements
 * of `payload.matches` lie, each compared with `prev`'s elements near the same index.
 */
export function scanMessage(b: Buffer, limit: number, prev: ListBytes | null): ScanResult {
  const n = b.length;
  let depth = 0;
  let sure = true;
  let payloadSeen = false;
  let payloadOpen = -1;
  let inPayload = false;
  let matchesSeen = false;
  let arrOpen = -1;
  let inArray = false;
  let arrClose = -1;
  let state = EXPECT_FIRST;
  const starts: number[] = [];
  const ends: number[] = [];
  const same: number[] = [];
  let reused = 0;
  /** Element k of this list is looked for at k + shift in the previous one. */
  let shift = 0;
  let misses = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c === QUOTE) {
      let j = i + 1;
      while (j < n) {
        const s = b[j]!;
        if (s === QUOTE) break;
        j += s === BACKSLASH ? 2 : 1;
      }
      if (sure && depth <= 3) {
        if (depth === 3 && inArray) sure = false;
        else if (depth === 1 || (depth === 2 && inPayload)) {
          const colon = skipWs(b, j + 1);
          if (colon < n && b[colon] === COLON) {
            // A key of the message or of its payload.
            if (hasBackslash(b, i + 1, j)) sure = false;
            else if (depth === 1 && keyIs(b, i + 1, j, PAYLOAD)) {
              const v = skipWs(b, colon + 1);
              if (payloadSeen || b[v] !== OPEN_OBJ) sure = false;
              payloadSeen = true;
              payloadOpen = v;
            } else if (depth === 2 && keyIs(b, i + 1, j, MATCHES)) {
              const v = skipWs(b, colon + 1);
              if (matchesSeen || b[v] !== OPEN_ARR) sure = false;
              matchesSeen = true;
              arrOpen = v;
            }
          }
        }
      }
      i = j;
    } else if (c === OPEN_OBJ || c === OPEN_ARR) {
      if (depth === 3 && inArray && sure) {
        if (c !== OPEN_OBJ || state === AFTER_ELEMENT) sure = false;
        else if (prev !== null && (reused > 0 || misses < GIVE_UP_AFTER)) {
          const k = starts.length;
          const found = findSame(b, i, prev, k + shift);
          if (found >= 0) {
            const len = prev.ends[found]! - prev.starts[found]!;
            starts.push(i);
            ends.push(i + len);
            same.push(found);
            reused++;
            shift = found - k;
            state = AFTER_ELEMENT;
            i += len - 1;
            continue;
          }
          misses++;
        }
        if (sure) starts.push(i);
      }
      depth++;
      if (depth > limit) return { tooDeep: true, list: null };
      if (i === payloadOpen && depth === 2) inPayload = true;
      else if (i === arrOpen && depth === 3) {
        inArray = true;
        state = EXPECT_FIRST;
      }
    } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
      depth--;
      if (inArray && depth === 3) {
        if (sure) {
          ends.push(i + 1);
          same.push(-1);
          state = AFTER_ELEMENT;
        }
      } else if (inArray && depth === 2) {
        inArray = false;
        arrClose = i;
        if (state === AFTER_COMMA || c !== CLOSE_ARR) sure = false;
      } else if (inPayload && depth === 1) inPayload = false;
    } else if (inArray && depth === 3 && sure) {
      if (c === COMMA) {
        if (state !== AFTER_ELEMENT) sure = false;
        state = AFTER_COMMA;
      } else if (!isWs(c)) sure = false;
    }
  }
  if (!sure || arrClose < 0 || depth !== 0 || starts.length !== ends.length) return { tooDeep: false, list: null };
  return { tooDeep: false, list: { raw: b, open: arrOpen, close: arrClose, starts, ends, same, reused } };
}

/** The index of the previous element near `at` whose bytes start at `b[i]`, or -1. */
function findSame(b: Buffer, i: number, prev: ListBytes, at: number): number {
  const count = prev.starts.length;
  for (let t = 0; t <= 2 * SHIFT; t++) {
    // at, at + 1, at - 1, at + 2, at - 2
    const p = t === 0 ? at : t % 2 === 1 ? at + (t + 1) / 2 : at - t / 2;
    if (p < 0 || p >= count) continue;
    const s = prev.starts[p]!;
    const len = prev.ends[p]! - s;
    if (i + len <= b.length && b.compare(prev.raw, s, s + len, i, i + len) === 0) return p;
  }
  return -1;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * The message's value from the scan: the envelope (the list emptied) and each element not
 * reused parsed on their own, the reused ones taken from `prevList`. Undefined when anything
 * does not parse or fit: the caller then decodes and parses the whole text, which also words
 * the error exactly as before.
 */
export function readListMessage(raw: Buffer, scan: ListScan, prevList: readonly unknown[]): object | undefined {
  const from = raw.length >= 3 && raw[0] === UTF8_BOM[0] && raw[1] === UTF8_BOM[1] && raw[2] === UTF8_BOM[2] ? 3 : 0;
  let envelope: unknown;
  const matches: unknown[] = new Array<unknown>(scan.starts.length);
  try {
    envelope = JSON.parse(raw.toString('utf8', from, scan.open + 1) + raw.toString('utf8', scan.close, raw.length));
    for (let k = 0; k < matches.length; k++) {
      const p = scan.same[k]!;
      matches[k] = p >= 0 ? prevList[p] : JSON.parse(raw.toString('utf8', scan.starts[k], scan.ends[k]));
    }
  } catch {
    return undefined;
  }
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) return undefined;
  const payload = (envelope as { payload?: unknown }).payload;
  if (typeof payload !== 'object' || payload === null) return undefined;
  const emptied = (payload as { matches?: unknown }).matches;
  if (!Array.isArray(emptied) || emptied.length !== 0) return undefined;
  (payload as { matches: unknown[] }).matches = matches;
  return envelope;
}
