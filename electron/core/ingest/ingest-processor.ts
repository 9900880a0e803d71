import type { FogisMatch, MessageType } from '../../../shared/messages';
import { RecentIds } from '../monitor/bounded-list';
import { diffMatchList, matchKey, sameJsonFast } from '../monitor/match-diff';
import type { DateMemo, NowWindow } from '../messages/match-gate';
import { GIVE_UP_AFTER, readListMessage, scanMessage, type ListBytes, type ListScan } from '../messages/list-scan';
import { parseMessage, type Parsed, type RawReader } from '../messages/parse-message';
import { validateMatchUpdatesKnown, validateMessage, type Validated } from '../messages/validator';
import type { IngestOutcome, IngestSettings, ListDelta, WireMessage } from './ingest-protocol';

/**
 * What the ingest worker does with one message, in order: the message gate (parse-message.ts:
 * size, UTF-8, depth, JSON, schema, dates), the duplicate filter, and for a FOGIS list the one
 * diff against the previous accepted list, which only this object keeps. Plain code with no
 * thread in it, so tests can run it in-thread against today's path.
 *
 * Cost grows with change, not with list size (issue 12): a match structurally equal to the
 * previous list's match of the same id is neither validated again (it passed the same schema
 * then) nor diffed nor sent back; only new and changed matches cross to the main thread.
 * Before that, a match whose bytes equal the previous list's is not even scanned, decoded or
 * parsed: its previous object is taken (list-scan.ts), so it is equal by identity.
 */

/** What validating a list met of the list in force (set while it is parsed). */
interface ListSeen {
  unchanged: Set<unknown> | null;
  changed: Set<unknown> | null;
}

/** What the message log shows of an accepted message (monitor.ts PREVIEW_CHARS). */
export const PREVIEW_CHARS = 4096;

export class IngestProcessor {
  private settings: IngestSettings;
  private readonly recentIds: RecentIds;
  private list: FogisMatch[] = [];
  private byId = new Map<string, FogisMatch>();
  /** True when `list` passed this process's schema (a seeded list is only diffed against). */
  private listValidated = false;
  /** Where the elements of `list` lie in the bytes it was read from; null when not known. */
  private listBytes: ListBytes | null = null;
  /** The scan of the message being processed (its list, if it is accepted, becomes `listBytes`). */
  private scan: ListScan | null = null;
  private readonly reader: RawReader = {
    read: (raw, limit) => {
      const r = scanMessage(raw, limit, this.listBytes);
      this.scan = r.list;
      if (r.list === null || r.list.reused === 0) return { tooDeep: r.tooDeep, value: undefined };
      return { tooDeep: false, value: readListMessage(raw, r.list, this.list) };
    },
  };
  /** Where each match that passed the date checks keeps passing them, in the zone it was read in. */
  private readonly windows = new WeakMap<object, NowWindow & { zone: string }>();

  /**
   * `ownsBytes`: the bytes of each message are this processor's to keep (the worker's: they are
   * transferred to it). Otherwise the caller may reuse them once `process` returns, so the list
   * in force keeps a copy of its message's bytes.
   */
  constructor(settings: IngestSettings, private readonly ownsBytes = false) {
    this.settings = settings;
    this.recentIds = new RecentIds(settings.duplicateWindow);
  }

  /**
   * The duplicate filter is one sequence of ids shared by the main thread's gate and the worker
   * (ingest-pipeline.ts): ids the other side recorded are replayed here in arrival order.
   */
  noteIds(ids: readonly string[]): void {
    for (const id of ids) this.recentIds.seen(id);
  }

  /** Replaces the duplicate filter's ids (oldest first). */
  resetIds(ids: readonly string[]): void {
    this.recentIds.reset(ids);
  }

  /** The duplicate filter's ids, oldest first. */
  ids(): string[] {
    return this.recentIds.ids();
  }

  /** The duplicate window keeps its size until a restart, as the monitor's had. */
  updateSettings(settings: IngestSettings): void {
    this.settings = settings;
  }

  /** The list in force, e.g. restored from disk: the next list is diffed against it. */
  seed(matches: FogisMatch[]): void {
    this.setList(matches, null);
    this.listValidated = false;
  }

  private setList(matches: FogisMatch[], scan: ListScan | null): void {
    this.list = matches;
    this.byId = new Map(matches.map((m) => [matchKey(m), m]));
    this.listBytes = scan !== null && scan.starts.length === matches.length ? listBytesOf(scan, this.ownsBytes) : null;
  }

  process(msg: WireMessage): IngestOutcome {
    try {
      return this.run(msg, true) as IngestOutcome;
    } finally {
      // Nothing of the message's bytes is kept beyond the list in force (heldBuffer): the
      // worker hands the rest back (ingest-worker-loop.ts).
      this.scan = null;
    }
  }

  /** The buffer whose bytes the list in force keeps (to compare the next list with), if any. */
  heldBuffer(): ArrayBufferLike | null {
    return this.listBytes?.raw.buffer ?? null;
  }

  /**
   * The main thread's gate of small messages (ingest-pipeline.ts): the outcome of a status,
   * alert, duplicate or rejected message, or null for an accepted match list, which the ingest
   * worker (it keeps the list and the diff) then handles from its bytes like any list. A list
   * is left before the duplicate filter, so its id is filtered there, once.
   */
  processUnlessList(msg: WireMessage): IngestOutcome | null {
    return this.run(msg, false);
  }

  private run(msg: WireMessage, lists: boolean): IngestOutcome | null {
    const raw = Buffer.isBuffer(msg.bytes) ? msg.bytes : Buffer.from(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength);
    const { seq, channel, at } = msg;
    const bytes = raw.length;
    const zone = this.settings.timeZone;
    let parsed: Parsed;
    // Matches of the previous list met while validating, and those found to differ (not
    // compared twice); for a list this processor keeps only.
    let seen: ListSeen | null = null;
    try {
      this.scan = null;
      // The list reader, the known-match schema pass and the date memo pay off only for a list
      // this processor keeps; the main thread's gate (`lists` false) hands lists on, so for it
      // they would only be allocations per message (issue 12). The verdicts are the same.
      if (lists) {
        seen = { unchanged: null, changed: null };
        parsed = this.parseKeeping(raw, msg.receivedMs, zone, seen);
      } else parsed = parseMessage(raw, this.settings.maxMessageBytes, msg.receivedMs, zone);
    } catch (err) {
      // parseMessage is written not to throw; this is the last line of defence (as Monitor.ingest had it).
      parsed = { ok: false, reason: 'schema', error: `unexpected parser failure: ${(err as Error).message}`, head: '', bytes: 0, messageId: null };
    }
    // Outcomes are built as literals, not by spreading a base object: for a 484-byte status
    // message the spread was the largest single cost on the worker (issue 12).
    if (!parsed.ok) return { kind: 'rejected', seq, channel, at, bytes, reason: parsed.reason, error: parsed.error, head: parsed.head, messageId: parsed.messageId };
    if (!lists && parsed.type === 'match_updates') return null;
    const messageId = parsed.message.message_id;
    if (this.recentIds.seen(messageId)) return { kind: 'duplicate', seq, channel, at, bytes, messageId };
    const preview = parsed.text === null ? previewOfBytes(raw) : previewFromText(raw, parsed.text);
    switch (parsed.type) {
      case 'processing_status':
        return { kind: 'processing_status', seq, channel, at, bytes, message: parsed.message, schemaVersion: parsed.schemaVersion, preview };
      case 'system_alert':
        return { kind: 'system_alert', seq, channel, at, bytes, message: parsed.message, schemaVersion: parsed.schemaVersion, preview };
      case 'match_updates': {
        const fogis = parsed.generation !== 'enhanced_v2' && parsed.generation !== 'legacy_v1';
        // The scan's elements are the list's only when every element is a FOGIS match.
        const read = parsed.otherMatches === 0 ? this.scan : null;
        const delta = fogis ? this.accept(parsed.fogisMatches, read, msg.at, messageId, seen?.unchanged ?? new Set<unknown>(), seen?.changed ?? null) : null;
        return { kind: 'match_updates', seq, channel, at, bytes, messageId, generation: parsed.generation, schemaVersion: parsed.schemaVersion, otherMatches: parsed.otherMatches, preview, delta };
      }
    }
  }

  /** parseMessage with what this processor knows of the list in force: its bytes, its matches, their dates. */
  private parseKeeping(raw: Buffer, receivedMs: number, zone: string, seen: ListSeen): Parsed {
    const schemaCheck = (type: MessageType, value: object): Validated => {
      if (type !== 'match_updates' || !this.listValidated || this.byId.size === 0) return validateMessage(type, value);
      const known = (seen.unchanged = new Set<unknown>());
      const differ = (seen.changed = new Set<unknown>());
      return validateMatchUpdatesKnown(value, (m) => this.knownMatch(m, known, differ));
    };
    // A match equal to the previous list's skips the date checks while `now` stays inside the
    // window where its dates pass (match-gate.ts DateMemo); its window moves to the new object.
    const dates: DateMemo = {
      known: (m) => {
        if (seen.unchanged === null || !seen.unchanged.has(m)) return undefined;
        const w = this.windows.get(this.byId.get(matchKey(m))!);
        if (w === undefined || w.zone !== zone) return undefined;
        this.windows.set(m, w);
        return w;
      },
      passed: (m, w) => void this.windows.set(m, { lo: w.lo, hi: w.hi, zone }),
    };
    return parseMessage(raw, this.settings.maxMessageBytes, receivedMs, zone, schemaCheck, dates, this.reader);
  }

  /** True when `m` equals the previous list's match of its id; remembered for the diff. */
  private knownMatch(m: unknown, unchanged: Set<unknown>, changed: Set<unknown>): boolean {
    if (typeof m !== 'object' || m === null || !('matchid' in m)) return false;
    // As the byte scan does (list-scan.ts GIVE_UP_AFTER): once the first matches all differ,
    // comparing the rest is skipped; they are validated and diffed, which is always correct.
    const hopeless = unchanged.size === 0 && changed.size >= GIVE_UP_AFTER;
    const prev = hopeless ? undefined : this.byId.get(String((m as { matchid: unknown }).matchid));
    if (prev === undefined || !sameJsonFast(prev, m)) {
      changed.add(m);
      return false;
    }
    unchanged.add(m);
    return true;
  }

  /**
   * Makes `next` the list in force and says what changed. The diff runs over the changed
   * matches and the removed ones only; an equal match gives neither a change nor a quiet id in
   * diffMatchList, so the result is the same as diffing the whole lists.
   */
  private accept(next: FogisMatch[], scan: ListScan | null, at: string, messageId: string, unchanged: Set<unknown>, changed: Set<unknown> | null): ListDelta {
    const prevById = this.byId;
    const upserts: FogisMatch[] = [];
    const nextIds = new Set<string>();
    let sameOrder = next.length === this.list.length;
    for (let i = 0; i < next.length; i++) {
      const m = next[i]!;
      const id = matchKey(m);
      nextIds.add(id);
      if (sameOrder && matchKey(this.list[i]!) !== id) sameOrder = false;
      if (unchanged.has(m)) continue;
      if (changed?.has(m)) {
        upserts.push(m);
        continue;
      }
      const prev = prevById.get(id);
      if (prev === undefined || !sameJsonFast(prev, m)) upserts.push(m);
      else unchanged.add(m);
    }
    if (upserts.length === 0 && sameOrder) {
      // The same list again: nothing to send. The objects in force stay, unless they came
      // without bytes (a seed: the restored list, a new worker, the main thread's gate seeded
      // from the list in force): then this list's are taken, or every later copy of the same
      // list would be read whole, never in proportion to its change (issue 12).
      if (this.listBytes === null && scan !== null) this.setList(next, scan);
      this.listValidated = true;
      return { changes: [], quiet: [], upserts, order: null, count: next.length };
    }
    const changedIds = new Set(upserts.map(matchKey));
    const prevPart = this.list.filter((m) => {
      const id = matchKey(m);
      return changedIds.has(id) || !nextIds.has(id);
    });
    const { changes, quiet } = prevPart.length === 0 && upserts.length === 0 ? { changes: [], quiet: [] } : diffMatchList(prevPart, upserts, at, messageId);
    this.setList(next, scan);
    this.listValidated = true;
    return { changes, quiet, upserts, order: sameOrder ? null : next.map(matchKey), count: next.length };
  }
}

/**
 * What a list keeps of its message's bytes: the element ranges, and the bytes themselves,
 * copied unless they are owned, and also when they are a view into a shared batch buffer much
 * larger than the message (so the list does not keep that buffer alive).
 */
function listBytesOf(scan: ListScan, owned: boolean): ListBytes {
  const raw = !owned || scan.raw.buffer.byteLength > scan.raw.byteLength * 2 ? new Uint8Array(scan.raw) : scan.raw;
  return { raw, starts: scan.starts, ends: scan.ends };
}

/** The message log's preview: the first PREVIEW_CHARS characters of the text (monitor.ts logMessage). */
export function previewOf(raw: Buffer): string {
  const text = raw.subarray(0, PREVIEW_CHARS * 2).toString('utf8');
  return text.length > PREVIEW_CHARS ? text.slice(0, PREVIEW_CHARS) : text;
}

/**
 * `previewOf(raw)` from a shorter decode: the first PREVIEW_CHARS + 4 characters' worth of
 * bytes of a typical message (issue 12: decoding 8 KB of a list read without its whole text
 * was ~10 µs). Its first PREVIEW_CHARS characters are those of the longer decode when at
 * least 4 more follow (a sequence cut at the end of the window decodes to U+FFFD there only);
 * otherwise the window is decoded as previewOf does.
 */
export function previewOfBytes(raw: Buffer): string {
  const window = PREVIEW_CHARS + PREVIEW_CHARS / 4;
  if (raw.length <= window) return previewOf(raw);
  const text = raw.toString('utf8', 0, window);
  return text.length >= PREVIEW_CHARS + 4 ? text.slice(0, PREVIEW_CHARS) : previewOf(raw);
}

const hasBom = (raw: Buffer): boolean => raw.length >= 3 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf;

/**
 * `previewOf(raw)` cut from the text the gate already decoded from valid UTF-8 (`text`, its
 * BOM dropped), instead of decoding the bytes a second time (issue 12: ~10 µs of a 21 KB
 * list). When the message is longer than previewOf's window of PREVIEW_CHARS * 2 bytes, the
 * cut is used only if its bytes lie well inside that window (then the window decodes to the
 * same characters); else the bytes are decoded as before.
 */
export function previewFromText(raw: Buffer, text: string): string {
  const full = hasBom(raw) ? `\uFEFF${text.slice(0, PREVIEW_CHARS)}` : text;
  const cut = full.length > PREVIEW_CHARS ? full.slice(0, PREVIEW_CHARS) : full;
  if (raw.length <= PREVIEW_CHARS * 2) return cut;
  // 4 bytes of margin: a surrogate pair cut in two by the slice still lies whole in the window.
  return Buffer.byteLength(cut) <= PREVIEW_CHARS * 2 - 4 ? cut : previewOf(raw);
}
