import { randomUUID } from 'node:crypto';
import { formatLocalDate, formatLocalShort, STOCKHOLM, wallClock, wallTimeToInstant } from '../../../shared/fogis-time';

/**
 * A recorded processor run (test/fixtures/*.jsonl: one `{channel, raw}` a line), re-stamped so
 * it plays as if it happened now. Used by `npm run simulate` (through Redis) and `npm run demo`
 * (in-process, through the same ingest path).
 *
 * Kickoffs move by whole days in Swedish time, and every date field of a match moves with
 * them: `tid` (/Date(ms)/), `speldatum`, `avsparkstid` and `tidsangivelse` are all rewritten
 * from the one shifted instant, and date-only values in `detailed_changes` move by the same
 * days (issue 14.7: the simulator used to move `tid` only, so a match said 5 Dec in one field
 * and 30 Nov in another).
 */
export interface RecordedLine {
  channel: string;
  raw: string;
}

export const DAY_MS = 86_400_000;

/** Parses a recording; a line that is not `{channel, raw}` is an error naming the line. */
export function parseRecording(text: string): RecordedLine[] {
  return text
    .split('\n')
    .map((l, i) => ({ l: l.trim(), i }))
    .filter(({ l }) => l.length > 0)
    .map(({ l, i }) => {
      let v: unknown;
      try {
        v = JSON.parse(l);
      } catch {
        throw new Error(`line ${i + 1} of the recording is not JSON`);
      }
      const o = v as Partial<RecordedLine>;
      if (typeof o?.channel !== 'string' || typeof o.raw !== 'string') throw new Error(`line ${i + 1} of the recording has no channel and raw text`);
      return { channel: o.channel, raw: o.raw };
    });
}

/** One processor cycle a step: each starts with a `processing_status` `started`. */
export function recordingSteps(lines: readonly RecordedLine[]): RecordedLine[][] {
  const steps: RecordedLine[][] = [];
  for (const line of lines) {
    const started = line.raw.includes('"type": "processing_status"') && line.raw.includes('"status": "started"');
    if (started || steps.length === 0) steps.push([]);
    steps[steps.length - 1]?.push(line);
  }
  return steps;
}

/** When the recording was made: its first envelope timestamp. */
export function recordedAt(lines: readonly RecordedLine[]): number | null {
  const m = /"timestamp": "([^"]+)"/.exec(lines[0]?.raw ?? '');
  const t = m ? Date.parse(m[1] ?? '') : NaN;
  return Number.isFinite(t) ? t : null;
}

/** Whole days from the recording to now (never backwards), so 15:00 stays 15:00. */
export function dayShift(recorded: number | null, nowMs: number): number {
  if (recorded === null) return 0;
  return Math.max(0, Math.round((nowMs - recorded) / DAY_MS));
}

function shiftInstant(ms: number, days: number): Date | null {
  const w = wallClock(new Date(ms), STOCKHOLM);
  return wallTimeToInstant(w.year, w.month, w.day + days, w.hour, w.minute, w.second, STOCKHOLM);
}

function shiftDateText(text: string, days: number): string {
  // Date-only values ("2026-12-04", "… changed from None to 2026-12-04"), not ISO date-times.
  return text.replace(/\b(\d{4})-(\d{2})-(\d{2})\b(?![T\d:])/g, (whole, y: string, mo: string, d: string) => {
    const t = Date.UTC(Number(y), Number(mo) - 1, Number(d) + days);
    return Number.isFinite(t) ? new Date(t).toISOString().slice(0, 10) : whole;
  });
}

const TID = /^\/Date\((-?\d+)\)\/$/;
const TIMESTAMP_KEYS = new Set(['timestamp', 'processing_timestamp']);

function walk(value: unknown, days: number, nowIso: string): unknown {
  if (typeof value === 'string') return days === 0 ? value : shiftDateText(value, days);
  if (Array.isArray(value)) return value.map((v) => walk(v, days, nowIso));
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = TIMESTAMP_KEYS.has(k) && typeof v === 'string' ? nowIso : walk(v, days, nowIso);
  // A match: every date field from the one shifted kickoff, so they cannot disagree.
  const tid = typeof o.tid === 'string' ? TID.exec(o.tid) : null;
  if (tid && days !== 0) {
    const at = shiftInstant(Number(tid[1]), days);
    if (at) {
      out.tid = `/Date(${at.getTime()})/`;
      const local = formatLocalShort(at, STOCKHOLM);
      if ('speldatum' in o) out.speldatum = formatLocalDate(at, STOCKHOLM);
      if ('avsparkstid' in o) out.avsparkstid = local.slice(11);
      if ('tidsangivelse' in o) out.tidsangivelse = local;
    }
  }
  return out;
}

export interface RestampOptions {
  /** Whole days to move kickoffs by (0: dates as recorded). */
  days: number;
  now?: Date;
  /** A new message id (duplicate detection would drop a replayed one). */
  newId?: () => string;
}

/** The message re-stamped: a new id, `timestamp`s now, and all match dates moved by `days`. */
export function restamp(raw: string, opts: RestampOptions): string {
  const nowIso = (opts.now ?? new Date()).toISOString();
  let msg: unknown;
  try {
    msg = JSON.parse(raw);
  } catch {
    return raw; // A recorded bad message is replayed as it is: the app must reject it.
  }
  const out = walk(msg, opts.days, nowIso);
  if (out && typeof out === 'object' && !Array.isArray(out) && 'message_id' in out) (out as Record<string, unknown>).message_id = (opts.newId ?? randomUUID)();
  return JSON.stringify(out);
}
