import fc from 'fast-check';
import { parseMessage } from '../electron/core/messages/parse-message';
import { matchUpdatesMessageSchema, processingStatusMessageSchema, systemAlertMessageSchema, REJECT_REASONS } from '../shared/messages';
import { loadFixture } from '../test/harness/fixture';
import { GROUPS, ms, scenario, type Row } from './lib';

/**
 * Property-based fuzzing of the message parser (fast-check): its verdict against the shared
 * zod schemas, in process.
 */

const GROUP = GROUPS.hostile;
const MAX_BYTES = 16 * 1024 * 1024;

// ---- property-based fuzzing of the parser --------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const SCHEMAS = { match_updates: matchUpdatesMessageSchema, processing_status: processingStatusMessageSchema, system_alert: systemAlertMessageSchema } as const;

/** Every path (objects and arrays, leaves included) in a JSON value. */
function paths(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(value)) value.slice(0, 4).forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function setAt(root: Json, p: Array<string | number>, mutate: (old: Json | undefined) => Json | undefined): Json {
  if (p.length === 0) return mutate(root) ?? null;
  const copy = structuredClone(root) as Record<string | number, Json>;
  let node: Record<string | number, Json> = copy;
  for (let i = 0; i < p.length - 1; i++) node = node[p[i] as string] as unknown as Record<string | number, Json>;
  const last = p[p.length - 1] as string;
  const next = mutate(node[last]);
  if (next === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else Object.defineProperty(node, last, { value: next, enumerable: true, writable: true, configurable: true });
  return copy as unknown as Json;
}

/** What the shared zod schema (the single source of truth) says about a value. */
function zodAccepts(value: unknown): boolean | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(SCHEMAS, type)) return false;
  return SCHEMAS[type as keyof typeof SCHEMAS].safeParse(value).success;
}

const replacement: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.constant(undefined), // delete the field
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('', '__proto__', '/Date(1790000000000)/', '2030-05-01T12:00:00Z', 'match_updates', 'failed', '\u0000', '\ud800'),
  fc.constant({ __proto__: { polluted: true } } as unknown as Json),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.array(fc.integer(), { maxLength: 5 }),
);

export interface FuzzResult {
  cases: number;
  accepted: number;
  rejected: number;
  threw: number;
  noReason: number;
  validRejected: number;
  invalidAccepted: number;
  byReason: Record<string, number>;
  firstProblem: string | null;
  ms: number;
}

/** Runs the three properties; `runs` is split between them (≥ 10,000 in total a run). */
export function fuzzParser(runs: number, seed = Date.now() % 2 ** 31): FuzzResult {
  const fixtures = loadFixture().map((l) => JSON.parse(l.raw) as Json);
  const res: FuzzResult = { cases: 0, accepted: 0, rejected: 0, threw: 0, noReason: 0, validRejected: 0, invalidAccepted: 0, byReason: {}, firstProblem: null, ms: 0 };
  const problem = (text: string): void => {
    res.firstProblem ??= text.slice(0, 500);
  };
  const t0 = performance.now();
  // Problems are counted, not thrown, so every generated case runs and the figures are complete.
  // true: must be accepted; false: must be rejected; 'schema': the schema accepts it, so it is
  // accepted unless the message gate's semantic checks (electron/core/messages/match-gate.ts:
  // real dates inside the kickoff window, no duplicate ids) reject it with their own reason.
  type Expect = boolean | null | 'schema';
  const GATE_REASONS: readonly string[] = ['bad_date', 'date_out_of_range', 'duplicate_match'];
  const judge = (raw: string | Buffer, expectValid: Expect): true => {
    judgeOne(raw, expectValid);
    return true;
  };
  const judgeOne = (raw: string | Buffer, expectValid: Expect): boolean => {
    res.cases++;
    let r;
    try {
      r = parseMessage(raw, MAX_BYTES);
    } catch (err) {
      res.threw++;
      problem(`threw ${(err as Error).message} on ${String(raw).slice(0, 200)}`);
      return false;
    }
    if (r.ok) {
      res.accepted++;
      if (expectValid === false) {
        res.invalidAccepted++;
        problem(`accepted a message the schema rejects: ${String(raw).slice(0, 300)}`);
        return false;
      }
      return true;
    }
    res.rejected++;
    res.byReason[r.reason] = (res.byReason[r.reason] ?? 0) + 1;
    if (!(REJECT_REASONS as readonly string[]).includes(r.reason) || !r.error) {
      res.noReason++;
      problem(`rejection without a reason: ${JSON.stringify(r)}`);
      return false;
    }
    if (expectValid === true || (expectValid === 'schema' && !GATE_REASONS.includes(r.reason))) {
      res.validRejected++;
      problem(`rejected a valid message (${r.reason}: ${r.error}): ${String(raw).slice(0, 300)}`);
      return false;
    }
    return true;
  };
  const third = Math.ceil(runs / 3);
  const params = { numRuns: third, seed } as const;
  // 1. Valid messages mutated field by field: never throws; the verdict equals the schema's.
  fc.assert(
    fc.property(fc.constantFrom(...fixtures), fc.nat(), replacement, (msg, pick, value) => {
      const all = paths(msg);
      const p = all[pick % all.length] as Array<string | number>;
      const mutated = setAt(msg, p, () => value);
      return judge(JSON.stringify(mutated), zodAccepts(JSON.parse(JSON.stringify(mutated))) ? 'schema' : false);
    }),
    params,
  );
  // 2. Arbitrary bytes and text, and arbitrary JSON: never throws; every rejection has a reason.
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
        fc.record({ type: fc.constantFrom('match_updates', 'processing_status', 'system_alert', 'x'), payload: fc.jsonValue({ maxDepth: 4 }) }).map((v) => JSON.stringify(v)),
        fc.nat({ max: 200 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
      ),
      (raw) => judge(raw, Buffer.isBuffer(raw) ? null : (() => {
        try {
          return zodAccepts(JSON.parse(raw)) === true ? null : false;
        } catch {
          return false;
        }
      })()),
    ),
    params,
  );
  // 3. Valid messages re-serialised (indentation, reordered keys, new ids): all accepted.
  fc.assert(
    fc.property(fc.constantFrom(...fixtures), fc.integer({ min: 0, max: 4 }), fc.uuid(), (msg, indent, id) => {
      const m = { ...(msg as Record<string, Json>), message_id: id };
      const reordered = Object.fromEntries(Object.entries(m).reverse());
      return judge(JSON.stringify(reordered, null, indent), true);
    }),
    params,
  );
  res.ms = Math.round(performance.now() - t0);
  return res;
}

export async function parserFuzz(opts: { runs?: number } = {}): Promise<Row> {
  const runs = opts.runs ?? 30_000;
  return scenario(GROUP, `Parser fuzzing (fast-check, ${runs.toLocaleString('en')} cases)`, 'fixture messages mutated field by field, arbitrary bytes/JSON, re-serialised valid messages: never throws, every rejection has a reason, the verdict equals the shared zod schema (no valid message rejected, no invalid one accepted)', async (c, f) => {
    const r = fuzzParser(runs);
    f.cases = r.cases;
    f['accepted / rejected'] = `${r.accepted} / ${r.rejected}`;
    f['threw / no reason / valid rejected / invalid accepted'] = `${r.threw} / ${r.noReason} / ${r.validRejected} / ${r.invalidAccepted}`;
    f['rejections by reason'] = Object.entries(r.byReason).map(([k, v]) => `${k} ${v}`).join(', ');
    f.time = ms(r.ms);
    c.check(r.cases >= Math.min(runs, 10_000), `${r.cases} cases`);
    c.check(r.threw === 0 && r.noReason === 0 && r.validRejected === 0 && r.invalidAccepted === 0, r.firstProblem ?? '');
  });
}
