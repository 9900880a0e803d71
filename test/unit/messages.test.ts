import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchUpdatesMessageSchema, processingStatusMessageSchema, systemAlertMessageSchema } from '../../shared/messages';
import { parseMessage } from '../../electron/core/messages/parse-message';
import { loadFixture } from '../harness/fixture';

const MAX = 16 * 1024 * 1024;
const fixture = loadFixture();
const g3 = JSON.parse(fixture.find((l) => l.channel === 'fogis:matches:updates')?.raw ?? '{}') as Record<string, unknown> & { payload: Record<string, unknown> };

function withPayload(changes: (p: Record<string, unknown>) => void, top: Record<string, unknown> = {}): string {
  const msg = structuredClone(g3);
  changes(msg.payload);
  return JSON.stringify({ ...msg, ...top });
}

describe('message parsing and validation', () => {
  it('accepts every recorded message byte for byte', () => {
    const types = fixture.map((l) => {
      const p = parseMessage(Buffer.from(l.raw), MAX);
      expect(p.ok, l.raw.slice(0, 120)).toBe(true);
      return p.ok ? p.type : 'rejected';
    });
    expect(types.filter((t) => t === 'match_updates')).toHaveLength(5);
    expect(types.filter((t) => t === 'processing_status')).toHaveLength(14);
    expect(types.filter((t) => t === 'system_alert')).toHaveLength(1);
  });

  it('tells the generations apart (spec §2.2, §2.3)', () => {
    const gen = (raw: string) => {
      const p = parseMessage(raw, MAX);
      if (!p.ok || p.type !== 'match_updates') throw new Error(p.ok ? p.type : p.error);
      return [p.generation, p.schemaVersion, p.fogisMatches.length];
    };
    expect(gen(JSON.stringify(g3))).toEqual(['g3', '2.0', 3]);
    expect(gen(withPayload((p) => { delete p.schema_version; delete p.high_priority; }))).toEqual(['g2', null, 3]);
    expect(gen(withPayload((p) => { delete p.schema_version; delete p.high_priority; delete p.detailed_changes; }))).toEqual(['g1', null, 3]);
    const enhanced = withPayload((p) => {
      p.matches = [{ match_id: 6400101, teams: { home: { name: 'Öckerö IF' }, away: { name: 'Torslanda IK' } }, date: '2026-05-01', time: '17:00', venue: { name: 'Hönö IP' }, referees: [], status: 'scheduled' }];
      delete p.schema_version;
      delete p.high_priority;
    }, { schema_version: '2.0', schema_type: 'enhanced_with_contacts_and_logo_ids' });
    expect(gen(enhanced)).toEqual(['enhanced_v2', '2.0', 0]);
    const legacy = withPayload((p) => {
      p.matches = [{ match_id: 6400101, teams: 'Öckerö IF vs Torslanda IK', date: '2026-05-01', time: '17:00', venue: null, referees: ['Anna'] }];
      delete p.schema_version;
      delete p.high_priority;
      delete p.detailed_changes;
    });
    expect(gen(legacy)).toEqual(['legacy_v1', null, 0]);
  });

  it('reads schema_version at the top level or in payload, string or number', () => {
    const p = parseMessage(withPayload((x) => { x.schema_version = 2; }), MAX);
    expect(p.ok && p.schemaVersion).toBe('2.0');
  });

  it('accepts timestamps with and without the fraction (§2.1)', () => {
    const raw = fixture[0]?.raw ?? '';
    const noFraction = raw.replace(/"timestamp": "([^".]+)\.\d+Z"/, '"timestamp": "$1Z"');
    expect(noFraction).not.toBe(raw);
    expect(parseMessage(noFraction, MAX).ok).toBe(true);
  });

  it('accepts an ISO tid (MLP fixtures) and missing optional referee fields', () => {
    const raw = withPayload((p) => {
      const m = (p.matches as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
      m.tid = '2026-05-01T17:00:00';
      const refs = m.domaruppdraglista as Array<Record<string, unknown>>;
      delete refs[0]?.adress;
    });
    expect(parseMessage(raw, MAX).ok).toBe(true);
  });

  it.each([
    ['invalid_json', '{"type": "match_updates",'],
    ['not_object', '[1,2,3]'],
    ['not_object', '"text"'],
    ['unknown_type', JSON.stringify({ message_id: 'x', type: 'weather_report', payload: {} })],
    ['schema', JSON.stringify({ message_id: 'x', timestamp: 'yesterday', source: 's', version: '1.0', type: 'processing_status', payload: { status: 'started' } })],
    ['schema', JSON.stringify({ message_id: 'x', timestamp: '2026-01-01T00:00:00Z', source: 's', version: '1.0', type: 'processing_status', payload: { status: 'exploded' } })],
    ['schema', withPayload((p) => { (p.matches as Array<Record<string, unknown>>).push({ matchid: 'abc', lag1namn: 1 }); })],
  ])('rejects %s with a reason', (reason, raw) => {
    const p = parseMessage(raw, MAX);
    expect(p.ok).toBe(false);
    if (!p.ok) {
      expect(p.reason).toBe(reason);
      expect(p.error.length).toBeGreaterThan(5);
      expect(p.head).toBe(raw.slice(0, 2048));
    }
  });

  it('a schema rejection says where: the path of the bad field', () => {
    const p = parseMessage(withPayload((x) => { (x.matches as Array<Record<string, unknown>>)[1] = { matchid: 5, lag1namn: 'A', lag2namn: 'B', tid: 'tomorrow' }; }), MAX);
    expect(!p.ok && p.error).toMatch(/payload\.matches\.1/);
  });

  it('rejects oversize messages before decoding them', () => {
    const big = Buffer.alloc(2048, 0x20);
    const p = parseMessage(big, 1024);
    expect(!p.ok && p.reason).toBe('oversize');
  });

  it('rejects invalid UTF-8', () => {
    const p = parseMessage(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), MAX);
    expect(!p.ok && p.reason).toBe('invalid_utf8');
  });

  it('__proto__ and constructor keys are harmless', () => {
    const raw = (fixture[0]?.raw ?? '').replace('"payload": {', '"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "payload": {"__proto__": {"polluted": true}, ');
    const p = parseMessage(raw, MAX);
    expect(p.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('deeply nested JSON is a rejection, not a crash', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const p = parseMessage(deep, MAX);
    expect(p.ok).toBe(false);
  });

  it('the compiled Ajv validator agrees with the zod schema on mutated messages (property test)', () => {
    const schemas = { match_updates: matchUpdatesMessageSchema, processing_status: processingStatusMessageSchema, system_alert: systemAlertMessageSchema };
    const bases = fixture.map((l) => JSON.parse(l.raw) as Record<string, unknown>);
    const values = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(fc.integer(), { maxLength: 2 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bases.length - 1 }), fc.integer({ min: 0, max: 1000 }), values, (bi, keyPick, value) => {
        const msg = structuredClone(bases[bi]) as Record<string, unknown>;
        // Mutate one field, top level or in payload.
        const target = keyPick % 2 === 0 ? msg : (msg.payload as Record<string, unknown>);
        const keys = Object.keys(target);
        const key = keys[keyPick % keys.length] as string;
        if (value === undefined) delete target[key];
        else target[key] = value;
        const raw = JSON.stringify(msg);
        const p = parseMessage(raw, MAX);
        const type = msg.type as keyof typeof schemas;
        const zodOk = typeof type === 'string' && Object.hasOwn(schemas, type) && schemas[type].safeParse(JSON.parse(raw)).success;
        if (p.ok !== zodOk) return false;
        return p.ok || p.error.length > 0;
      }),
      { numRuns: 2000 },
    );
  });
});
