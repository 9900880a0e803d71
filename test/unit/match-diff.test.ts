import { describe, expect, it } from 'vitest';
import type { FogisMatch } from '../../shared/messages';
import { diffMatches } from '../../electron/core/monitor/match-diff';
import { kickoffMs, localKickoff } from '../../electron/core/monitor/match-time';

const base: FogisMatch = {
  matchid: 1,
  matchnr: '001',
  lag1namn: 'Öckerö IF',
  lag2namn: 'Torslanda IK',
  anlaggningnamn: 'Hönö IP',
  tid: '/Date(1777647600000)/',
  tavlingnamn: 'Div 4',
  installd: false,
  uppskjuten: false,
  avbruten: false,
  domaruppdraglista: [
    { domarrollkortnamn: 'Dom', personnamn: 'Anna', mobiltelefon: '1' },
    { domarrollkortnamn: 'AD1', personnamn: 'Björn', mobiltelefon: '2' },
  ],
  kontaktpersoner: [],
};
const at = '2026-01-01T00:00:00Z';

describe('our own change detection', () => {
  it('new, removed and unchanged', () => {
    const other = { ...base, matchid: 2 };
    expect(diffMatches([], [base], at, 'm').map((c) => c.kind)).toEqual(['new']);
    expect(diffMatches([base, other], [base], at, 'm').map((c) => [c.kind, c.matchId])).toEqual([['removed', '2']]);
    expect(diffMatches([base], [structuredClone(base)], at, 'm')).toEqual([]);
  });

  it('kickoff moved: old → new in Swedish local time', () => {
    const [c] = diffMatches([base], [{ ...base, tid: '/Date(1777653000000)/' }], at, 'm');
    expect(c?.kind).toBe('changed');
    expect(c?.fields).toEqual([{ field: 'kickoff', old: '2026-05-01 17:00', new: '2026-05-01 18:30' }]);
  });

  it('venue, teams, competition and match number', () => {
    const [c] = diffMatches([base], [{ ...base, anlaggningnamn: 'Nya IP', lag2namn: 'X', tavlingnamn: 'Div 3', matchnr: '002' }], at, 'm');
    expect(c?.fields.map((f) => f.field)).toEqual(['anlaggningnamn', 'lag2namn', 'tavlingnamn', 'matchnr']);
  });

  it('referee replaced, added, removed, and contact changed (Q3: MLP misses these)', () => {
    const refs = base.domaruppdraglista ?? [];
    const [replaced] = diffMatches([base], [{ ...base, domaruppdraglista: [refs[0] ?? {}, { domarrollkortnamn: 'AD1', personnamn: 'Cecilia' }] }], at, 'm');
    expect(replaced?.fields).toContainEqual({ field: 'referee:AD1', old: 'Björn', new: 'Cecilia' });
    const [added] = diffMatches([base], [{ ...base, domaruppdraglista: [...refs, { domarrollkortnamn: 'AD2', personnamn: 'Dan' }] }], at, 'm');
    expect(added?.fields).toEqual([{ field: 'referee:AD2', old: null, new: 'Dan' }]);
    const [removed] = diffMatches([base], [{ ...base, domaruppdraglista: refs.slice(0, 1) }], at, 'm');
    expect(removed?.fields).toEqual([{ field: 'referee:AD1', old: 'Björn', new: null }]);
    const [contact] = diffMatches([base], [{ ...base, domaruppdraglista: [refs[0] ?? {}, { ...refs[1], mobiltelefon: '3' }] }], at, 'm');
    expect(contact?.fields.map((f) => f.field)).toEqual(['referee:AD1:contact']);
  });

  it('cancelled, uncancelled, postponed, abandoned', () => {
    expect(diffMatches([base], [{ ...base, installd: true }], at, 'm')[0]?.kind).toBe('cancelled');
    expect(diffMatches([{ ...base, installd: true }], [base], at, 'm')[0]?.kind).toBe('uncancelled');
    expect(diffMatches([base], [{ ...base, uppskjuten: true }], at, 'm')[0]?.kind).toBe('postponed');
    expect(diffMatches([base], [{ ...base, avbruten: true }], at, 'm')[0]?.kind).toBe('abandoned');
    const [both] = diffMatches([base], [{ ...base, installd: true, anlaggningnamn: 'Y' }], at, 'm');
    expect(both?.kind).toBe('cancelled');
    expect(both?.fields.map((f) => f.field)).toEqual(['installd', 'anlaggningnamn']);
  });

  it('a new match that arrives already cancelled is "cancelled"', () => {
    expect(diffMatches([], [{ ...base, installd: true }], at, 'm')[0]?.kind).toBe('cancelled');
  });

  it('matchid as string or number is the same match', () => {
    expect(diffMatches([base], [{ ...base, matchid: '1' }], at, 'm')).toEqual([]);
  });
});

describe('kickoff time', () => {
  it('reads /Date(ms)/, ISO with zone, and zone-less ISO as Swedish time (DST-aware)', () => {
    expect(kickoffMs('/Date(1777647600000)/')).toBe(1777647600000);
    expect(kickoffMs('2026-05-01T15:00:00Z')).toBe(1777647600000);
    expect(kickoffMs('2026-05-01T17:00:00')).toBe(1777647600000);
    expect(kickoffMs('2026-01-15T17:00:00')).toBe(Date.UTC(2026, 0, 15, 16, 0));
    expect(kickoffMs('/Date(-62135596800000)/')).toBeNull();
    expect(localKickoff({ tid: '/Date(1777647600000)/' })).toBe('2026-05-01 17:00');
  });
});
