/**
 * Benchmark messages, built from the recorded processor run (test/fixtures) so they have the
 * shape, field set and byte size of real FOGIS traffic. Every message starts with a fixed-width
 * message_id, `bench-<12-digit seq>-<20-digit publish time in ns>`, so the publisher can stamp a
 * copy in place (unique ids: the monitor drops duplicates) and a subscriber can read the
 * publish time back with one short latin1 read, without parsing the message.
 *
 * The JSON is written the way the Python processor writes it (`json.dumps` with its default
 * ", " and ": " separators, UTF-8 text), so sizes match production.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export type SizeName = 'small' | 'm10' | 'm1000';
export const SIZES: readonly SizeName[] = ['small', 'm10', 'm1000'];

/** `{"message_id": "` */
const ID_PREFIX = '{"message_id": "';
export const SEQ_OFFSET = ID_PREFIX.length + 'bench-'.length;
export const SEQ_DIGITS = 12;
export const NS_OFFSET = SEQ_OFFSET + SEQ_DIGITS + 1;
export const NS_DIGITS = 20;
const ID_PLACEHOLDER = `bench-${'0'.repeat(SEQ_DIGITS)}-${'0'.repeat(NS_DIGITS)}`;

/** Python json.dumps (default separators, ensure_ascii=False). */
export function pyDumps(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(pyDumps).join(', ')}]`;
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === undefined) continue;
    parts.push(`${JSON.stringify(k)}: ${pyDumps(x)}`);
  }
  return `{${parts.join(', ')}}`;
}

type Json = Record<string, unknown>;

function fixtureMatches(root: string): Json[] {
  const text = readFileSync(path.join(root, 'test/fixtures/processor-run-default.jsonl'), 'utf8');
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const { raw } = JSON.parse(line) as { raw: string };
    const msg = JSON.parse(raw) as { type: string; payload: { matches?: Json[] } };
    if (msg.type === 'match_updates' && msg.payload.matches && msg.payload.matches.length >= 3) return msg.payload.matches;
  }
  throw new Error('no match_updates with 3 matches in the fixture');
}

const CLUBS = ['Öckerö IF', 'Torslanda IK', 'Kärra KIF', 'Lerums IS', 'IFK Björkö', 'Hovås Billdal IF', 'Västra Frölunda IF', 'Qviding FIF', 'Ahlafors IF', 'Lindome GIF', 'Särö IK', 'Kungälvs IK'];
const VENUES = ['Hönö IP Konstgräs', 'Torslanda IP', 'Kärra Sportfält', 'Vallhamra IP', 'Björkö IP', 'Valhalla IP 1', 'Ruddalens IP', 'Härlanda Park'];
const FIRST = ['Anna', 'Björn', 'Carin', 'David', 'Erik', 'Frida', 'Gustav', 'Hanna', 'Ingrid', 'Johan', 'Karin', 'Lars'];
const LAST = ['Ekström', 'Åberg', 'Holm', 'Nyström', 'Lindqvist', 'Sjöberg', 'Öberg', 'Bergström', 'Karlsson', 'Andersson'];

/** Match i of a list: a fixture match with its own id, teams, venue, date and referees. */
function makeMatch(templates: Json[], i: number): Json {
  // Templates 0 (2 referees, 2 contacts) twice as often as 1 and 2: ~2.1 KB a match on average.
  const t = templates[[0, 1, 0, 2][i % 4]!]!;
  const m = structuredClone(t);
  const id = 6_500_000 + i;
  const day = new Date(Date.UTC(2026, 11, 1) + (i % 180) * 86_400_000);
  const date = day.toISOString().slice(0, 10);
  const hh = 10 + (i % 10);
  const kickoff = `${String(hh).padStart(2, '0')}:${i % 2 ? '30' : '00'}`;
  m.matchid = id;
  m.matchnr = String(41_000 + i).padStart(9, '0');
  m.lag1namn = `${CLUBS[i % CLUBS.length]}${i >= CLUBS.length ? ` ${Math.floor(i / CLUBS.length) + 1}` : ''}`;
  m.lag2namn = `${CLUBS[(i * 7 + 3) % CLUBS.length]} U${17 + (i % 3)}`;
  m.anlaggningnamn = VENUES[i % VENUES.length];
  m.speldatum = date;
  m.avsparkstid = kickoff;
  m.tidsangivelse = `${date} ${kickoff}`;
  m.tid = `/Date(${Date.parse(`${date}T${kickoff}:00+01:00`)})/`;
  const refs = (m.domaruppdraglista as Json[] | undefined) ?? [];
  refs.forEach((r, k) => {
    const name = `${FIRST[(i + k * 5) % FIRST.length]} ${LAST[(i * 3 + k) % LAST.length]}`;
    r.matchid = id;
    r.domaruppdragid = 8_000_000 + i * 10 + k;
    r.personnamn = name;
    r.namn = name;
  });
  const contacts = (m.kontaktpersoner as Json[] | undefined) ?? [];
  contacts.forEach((c, k) => {
    c.personnamn = `${FIRST[(i + k + 2) % FIRST.length]} ${LAST[(i + k) % LAST.length]}`;
  });
  return m;
}

export function matchList(root: string, n: number): Json[] {
  const templates = fixtureMatches(root);
  return Array.from({ length: n }, (_, i) => makeMatch(templates, i));
}

function envelope(type: string, payload: Json): string {
  const text = pyDumps({
    message_id: ID_PLACEHOLDER,
    timestamp: '2026-11-25T21:34:28.259665Z',
    source: 'match-list-processor',
    version: '1.0',
    type,
    payload,
  });
  if (!text.startsWith(ID_PREFIX + ID_PLACEHOLDER)) throw new Error('message_id is not at the fixed offset');
  return text;
}

export function messageText(root: string, size: SizeName): string {
  if (size === 'small') {
    return envelope('processing_status', {
      status: 'completed',
      timestamp: '2026-11-25T21:34:28.262164Z',
      details: {
        matches_processed: 3,
        changes_detected: true,
        processor_type: 'UnifiedMatchProcessor',
        processing_duration: 0.006821,
        calendar_sync_requested: true,
        phonebook_sync_requested: false,
        cycle: 4711,
      },
    });
  }
  const matches = matchList(root, size === 'm10' ? 10 : 1000);
  return envelope('match_updates', {
    matches,
    schema_version: '2.0',
    detailed_changes: [],
    high_priority: false,
    metadata: { total_matches: matches.length, has_changes: false, change_summary: {}, processing_timestamp: '2026-11-25T21:34:28.259668Z', processor_type: 'UnifiedMatchProcessor' },
  });
}

/** A PUBLISH command as RESP bytes, with the offset of the payload inside it. */
export interface Command {
  buf: Buffer;
  payloadOffset: number;
  payloadBytes: number;
}

export function publishCommand(channel: string, payload: string | Buffer): Command {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const head = Buffer.from(`*3\r\n$7\r\nPUBLISH\r\n$${Buffer.byteLength(channel)}\r\n${channel}\r\n$${body.length}\r\n`, 'utf8');
  const buf = Buffer.concat([head, body, Buffer.from('\r\n')]);
  return { buf, payloadOffset: head.length, payloadBytes: body.length };
}

/** Writes seq and publish time into a command buffer (a copy of the template or the template itself). */
export function stamp(buf: Buffer, payloadOffset: number, seq: number, ns: bigint | number): void {
  buf.write(String(seq).padStart(SEQ_DIGITS, '0'), payloadOffset + SEQ_OFFSET, 'latin1');
  buf.write(String(ns).padStart(NS_DIGITS, '0'), payloadOffset + NS_OFFSET, 'latin1');
}

/** Publish time (ns, CLOCK_MONOTONIC, comparable across processes) carried by a message. */
export function stampOf(msg: Buffer | string): number {
  return typeof msg === 'string' ? Number(msg.slice(NS_OFFSET, NS_OFFSET + NS_DIGITS)) : Number(msg.toString('latin1', NS_OFFSET, NS_OFFSET + NS_DIGITS));
}

/**
 * How much of a 1000-match list changes from one message to the next (issue 12):
 *   same   byte-identical lists (apart from the message id): today's m1000 set
 *   one    one match changed per list
 *   pct1   1 % of the matches (10 of 1000) changed per list, as the processor publishes
 *          (only when something changed)
 *   all    every match changed in every list
 * A change is the venue of a match (it moves the calendar event's location). Each list
 * differs from the one before by exactly that many matches, for as long as the series runs.
 */
export type SeriesKind = 'same' | 'one' | 'pct1' | 'all';
export const SERIES: readonly SeriesKind[] = ['same', 'one', 'pct1', 'all'];
const CHANGED_PER_LIST: Record<SeriesKind, number> = { same: 0, one: 1, pct1: 10, all: 1000 };

export class ListSeries {
  private readonly template: Command;
  /** Byte offset (in the command) and the two equal-length texts of each match. */
  private readonly slots: Array<{ at: number; a: Buffer; b: Buffer }> = [];
  private readonly isB: Uint8Array;
  private cursor = 0;

  constructor(root: string, channel: string, readonly kind: SeriesKind, n = 1000) {
    const matches = matchList(root, n);
    const texts = matches.map((m) => {
      const venue = String(m.anlaggningnamn);
      return [pyDumps({ ...m, anlaggningnamn: `${venue} · A` }), pyDumps({ ...m, anlaggningnamn: `${venue} · B` })] as const;
    });
    const MARK = '"__MATCHES__"';
    const env = envelope('match_updates', {
      matches: ['__MATCHES__'],
      schema_version: '2.0',
      detailed_changes: [],
      high_priority: false,
      metadata: { total_matches: n, has_changes: kind !== 'same', change_summary: {}, processing_timestamp: '2026-11-25T21:34:28.259668Z', processor_type: 'UnifiedMatchProcessor' },
    });
    const [head, tail] = env.split(MARK) as [string, string];
    this.template = publishCommand(channel, `${head}${texts.map((t) => t[0]).join(', ')}${tail}`);
    let at = this.template.payloadOffset + Buffer.byteLength(head);
    for (const [a, b] of texts) {
      const slot = { at, a: Buffer.from(a, 'utf8'), b: Buffer.from(b, 'utf8') };
      if (slot.a.length !== slot.b.length) throw new Error('series: the two texts of a match differ in length');
      this.slots.push(slot);
      at += slot.a.length + 2; // ", "
    }
    this.isB = new Uint8Array(n);
  }

  get bytes(): number {
    return this.template.payloadBytes;
  }

  /** The next list of the series as a PUBLISH command (a fresh buffer; the id is stamped by the caller). */
  next(): Command {
    const k = Math.min(CHANGED_PER_LIST[this.kind], this.slots.length);
    for (let j = 0; j < k; j++) {
      const i = (this.cursor + j) % this.slots.length;
      this.isB[i] = 1 - (this.isB[i] ?? 0);
    }
    this.cursor = (this.cursor + k) % this.slots.length;
    const buf = Buffer.from(this.template.buf);
    this.isB.forEach((flag, i) => {
      if (flag) this.slots[i]!.b.copy(buf, this.slots[i]!.at);
    });
    return { buf, payloadOffset: this.template.payloadOffset, payloadBytes: this.template.payloadBytes };
  }
}
