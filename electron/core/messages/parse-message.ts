import type { FogisMatch, Generation, MatchUpdatesMessage, MessageType, ProcessingStatusMessage, RejectReason, SystemAlertMessage } from '../../../shared/messages';
import { MESSAGE_TYPES } from '../../../shared/messages';
import { checkMatchList, timestampError, type DateMemo } from './match-gate';
import { isValidUtf8, nestingDepthBytes, utf8Text } from './raw-scan';
import { validateMessage, type Validated } from './validator';

/**
 * Turns one raw pub/sub payload into a typed message or a rejection with a reason. It never
 * throws: every failure (size, encoding, JSON, shape, type) becomes a value the monitor counts
 * and lists (DESIGN rule 8).
 */

export const HEAD_BYTES = 2048;
/**
 * Deepest nesting of objects/arrays a message may have. Real messages nest about 6 levels;
 * a value nested thousands deep parses but later overflows the stack in JSON.stringify and
 * structuredClone (saving state, the dashboard snapshot), so it is refused up front.
 */
export const MAX_DEPTH = 64;
/**
 * Most matches one list may carry. A coordinator's list holds tens to a few hundred; 5,000
 * syncs in about 2 s. A 100,000-element list (7.8 MB, well under the size limit) froze the
 * app for minutes (diff, calendar plan, snapshot), so longer lists are refused.
 */
export const MAX_MATCHES = 5_000;

/**
 * An accepted message also carries `text`, the payload as decoded (a UTF-8 BOM dropped), or
 * null when a RawReader read it without decoding it whole.
 */
export type Parsed =
  | { ok: true; type: 'match_updates'; message: MatchUpdatesMessage; generation: Generation; fogisMatches: FogisMatch[]; otherMatches: number; schemaVersion: string | null; bytes: number; text: string | null }
  | { ok: true; type: 'processing_status'; message: ProcessingStatusMessage; bytes: number; schemaVersion: string | null; text: string | null }
  | { ok: true; type: 'system_alert'; message: SystemAlertMessage; bytes: number; schemaVersion: string | null; text: string | null }
  | { ok: false; reason: RejectReason; error: string; head: string; bytes: number; messageId: string | null };

const lenientDecoder = new TextDecoder('utf-8', { fatal: false });
const KNOWN_TYPES: ReadonlySet<string> = new Set(MESSAGE_TYPES);

function headOf(raw: Buffer | string): string {
  if (typeof raw === 'string') return raw.length > HEAD_BYTES ? raw.slice(0, HEAD_BYTES) : raw;
  return lenientDecoder.decode(raw.subarray(0, HEAD_BYTES));
}

function reject(reason: RejectReason, error: string, raw: Buffer | string, bytes: number, messageId: string | null = null): Parsed {
  return { ok: false, reason, error, head: headOf(raw), bytes, messageId };
}

function versionString(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(1) : String(v);
  return null;
}

/** §3.6: a match element is raw FOGIS (`matchid`), Enhanced-v2 (object `teams`) or legacy v1 (string `teams`). */
export function classifyGeneration(msg: MatchUpdatesMessage): { generation: Generation; fogisMatches: FogisMatch[]; other: number } {
  const fogisMatches: FogisMatch[] = [];
  let enhanced = 0;
  let legacy = 0;
  for (const m of msg.payload.matches) {
    if ('matchid' in m) fogisMatches.push(m as FogisMatch);
    else if (typeof (m as { teams?: unknown }).teams === 'string') legacy++;
    else enhanced++;
  }
  const other = enhanced + legacy;
  let generation: Generation;
  if (fogisMatches.length === 0 && legacy > 0 && legacy >= enhanced) generation = 'legacy_v1';
  else if (fogisMatches.length === 0 && (enhanced > 0 || msg.schema_version !== undefined)) generation = 'enhanced_v2';
  else if (msg.payload.schema_version !== undefined || msg.payload.high_priority !== undefined) generation = 'g3';
  else if (msg.payload.detailed_changes !== undefined) generation = 'g2';
  else generation = 'g1';
  return { generation, fogisMatches, other };
}

function matchCount(payload: unknown): number {
  if (typeof payload !== 'object' || payload === null) return 0;
  const list = (payload as { matches?: unknown }).matches;
  return Array.isArray(list) ? list.length : 0;
}

/**
 * Reads a payload of valid UTF-8 in place of decoding and parsing it whole (the ingest worker's
 * list reader, list-scan.ts). It applies the depth guard itself: `tooDeep` exactly when
 * nestingDepthBytes(raw, limit) > limit. `value` undefined: not read, so the text is decoded
 * and parsed whole (which also words any JSON error).
 */
export interface RawReader {
  read(raw: Buffer, limit: number): { tooDeep: boolean; value: object | undefined };
}

/** The schema pass; the ingest worker passes one that skips matches it already knows (validator.ts). */
export type SchemaCheck = (type: MessageType, value: object) => Validated;

/**
 * `nowMs` places the kickoff window (shared/fogis-time.ts KICKOFF_WINDOW); `timeZone` reads
 * an ISO `tid` that carries no zone; `dates` lets matches known to pass skip the date checks.
 */
export function parseMessage(raw: Buffer | string, maxBytes: number, nowMs: number = Date.now(), timeZone = 'Europe/Stockholm', schemaCheck: SchemaCheck = validateMessage, dates?: DateMemo, reader?: RawReader): Parsed {
  const bytes = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (bytes > maxBytes) return reject('oversize', `message is ${bytes} bytes, larger than the ${maxBytes}-byte limit`, raw, bytes);
  let text: string | null = null;
  let value: unknown;
  if (typeof raw === 'string') {
    text = raw;
    // JSON's structural characters are ASCII, so the byte scan sees the same nesting.
    if (nestingDepthBytes(Buffer.from(raw), MAX_DEPTH) > MAX_DEPTH) return reject('too_deep', `JSON nested more than ${MAX_DEPTH} levels deep`, raw, bytes);
  } else {
    // Validate and scan the bytes, then decode once (raw-scan.ts: ~3× cheaper than decoding
    // with a fatal TextDecoder and scanning the string).
    if (!isValidUtf8(raw)) return reject('invalid_utf8', 'message is not valid UTF-8', raw, bytes);
    if (reader) {
      const r = reader.read(raw, MAX_DEPTH);
      if (r.tooDeep) return reject('too_deep', `JSON nested more than ${MAX_DEPTH} levels deep`, raw, bytes);
      value = r.value;
    } else if (nestingDepthBytes(raw, MAX_DEPTH) > MAX_DEPTH) return reject('too_deep', `JSON nested more than ${MAX_DEPTH} levels deep`, raw, bytes);
    if (value === undefined) text = utf8Text(raw);
  }
  if (text !== null) {
    try {
      value = JSON.parse(text);
    } catch (err) {
      const tooDeep = err instanceof RangeError;
      return reject(tooDeep ? 'too_deep' : 'invalid_json', tooDeep ? 'JSON nested too deeply' : `not valid JSON: ${(err as Error).message}`, raw, bytes);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return reject('not_object', `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`, raw, bytes);
  }
  const obj = value as Record<string, unknown>;
  const messageId = typeof obj.message_id === 'string' ? obj.message_id : null;
  const type = obj.type;
  if (typeof type !== 'string') return reject('schema', 'type: missing or not a string', raw, bytes, messageId);
  if (!KNOWN_TYPES.has(type)) return reject('unknown_type', `unknown message type "${type.slice(0, 100)}"`, raw, bytes, messageId);
  const listLength = type === 'match_updates' ? matchCount(obj.payload) : 0;
  if (listLength > MAX_MATCHES) return reject('schema', `payload.matches: ${listLength} matches; at most ${MAX_MATCHES} are accepted in one list`, raw, bytes, messageId);
  try {
    const v = schemaCheck(type as MessageType, obj);
    if (!v.ok) return reject('schema', v.error, raw, bytes, messageId);
    // §3.6: the version lives at the top level (Enhanced v2) or inside payload (G3, #83).
    const payloadVersion = (obj.payload as Record<string, unknown>).schema_version;
    const schemaVersion = versionString(obj.schema_version) ?? versionString(payloadVersion);
    // The semantic pass: what JSON Schema cannot say (real dates, the kickoff window, one
    // matchid once). A bad match rejects the whole list; see match-gate.ts for why.
    const payloadTs = (v.message.payload as { timestamp?: string }).timestamp;
    const tsError = timestampError(v.message.timestamp, 'timestamp') ?? timestampError(payloadTs, 'payload.timestamp');
    if (tsError) return reject('bad_date', tsError, raw, bytes, messageId);
    if (v.type === 'match_updates') {
      const { generation, fogisMatches, other } = classifyGeneration(v.message);
      const gate = checkMatchList(fogisMatches, nowMs, timeZone, dates);
      if (!gate.ok) return reject(gate.reason, gate.error, raw, bytes, messageId);
      return { ok: true, type: v.type, message: v.message, generation, fogisMatches, otherMatches: other, schemaVersion, bytes, text };
    }
    if (v.type === 'processing_status') return { ok: true, type: v.type, message: v.message, bytes, schemaVersion, text };
    return { ok: true, type: v.type, message: v.message, bytes, schemaVersion, text };
  } catch (err) {
    // A pathological value (e.g. nesting that overflows the validator's stack) is a rejection, not a crash.
    return reject(err instanceof RangeError ? 'too_deep' : 'schema', `could not validate: ${(err as Error).message}`, raw, bytes, messageId);
  }
}
