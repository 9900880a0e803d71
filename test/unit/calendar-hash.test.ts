import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FogisMatch } from '../../shared/messages';
import { calendarHash, calendarHashInput, pythonJsonDumps, pythonNumber, sha256Hex } from '../../electron/core/sync/calendar-hash';
import { buildDescription } from '../../electron/core/sync/event-builder';
import { buildEventBody } from '../../electron/core/sync/google-body';

// spec §5.3 small vector
const small = {
  lag1namn: 'Öckerö IF',
  lag2namn: 'Torslanda IK',
  anlaggningnamn: 'Hönö IP',
  tid: '/Date(1777654800000)/',
  tavlingnamn: 'Div 4 Göteborg A, herr 2026',
  kontaktpersoner: [],
  domaruppdraglista: [
    { domareid: 6601, personnamn: 'Anna Ekström', domarrollkortnamn: 'Dom', mobiltelefon: '0701-234567', adress: '', postnr: '', postort: '', epostadress: 'a@example.se' },
  ],
};
const smallCanonical =
  '{"anlaggningnamn": "H\\u00f6n\\u00f6 IP", "domaruppdraglista": [{"adress": "", "domareid": 6601, "domarrollkortnamn": "Dom", "epostadress": "a@example.se", "mobiltelefon": "0701-234567", "personnamn": "Anna Ekstr\\u00f6m", "postnr": "", "postort": ""}], "kontaktpersoner": [], "lag1namn": "\\u00d6cker\\u00f6 IF", "lag2namn": "Torslanda IK", "tavlingnamn": "Div 4 G\\u00f6teborg A, herr 2026", "tid": "/Date(1777654800000)/"}';

// spec §5.2 full vector
export const vectorMatch = {
  matchid: 6169913,
  matchnr: '000026015',
  lag1namn: 'Öckerö IF',
  lag2namn: 'Torslanda IK',
  anlaggningnamn: 'Hönö IP',
  tid: '/Date(1777647600000)/',
  tavlingnamn: 'Div 4 Göteborg A, herr 2026',
  speldatum: '2026-05-01',
  avsparkstid: '17:00',
  kontaktpersoner: [{ lagnamn: 'Öckerö IF', personnamn: 'Carin Holm', telefon: '', mobiltelefon: '0733-111222', epostadress: 'carin@example.org' }],
  domaruppdraglista: [
    { domareid: 6601, personnamn: 'Anna Ekström', domarrollkortnamn: 'Dom', mobiltelefon: '0701-234567', adress: 'Storgatan 1', postnr: '41101', postort: 'Göteborg', epostadress: 'a@example.se' },
    { domareid: 6602, personnamn: 'Björn Åberg', domarrollkortnamn: 'AD1', mobiltelefon: '', adress: '', postnr: '', postort: '', epostadress: '' },
  ],
} satisfies FogisMatch;

const vectorDescription =
  '000026015\nDiv 4 Göteborg A, herr 2026\n\nDom:\nAnna Ekström\nMobil: 0701-234567\nStorgatan 1, 41101 Göteborg\n\nAD1:\nBjörn Åberg\n\n\nTeam Contacts:\nÖckerö IF:\nName: Carin Holm\nMobil: 0733-111222\nEmail: carin@example.org\n\nMatch Details: https://www.svenskfotboll.se/matchfakta/6169913/\n';

describe('calendarHash (spec §5.3)', () => {
  it('produces the canonical string of the small vector to the character', () => {
    expect(pythonJsonDumps(small)).toBe(smallCanonical);
    expect(sha256Hex(smallCanonical)).toBe('0cbcf2ef06be47c390091a2da899c4b388ff7a44f0a767da285a237034985f2a');
  });

  it('hashes a match with the small vector fields, with or without kontaktpersoner', () => {
    const m = { matchid: 1, ...small } as FogisMatch;
    expect(calendarHash(m)).toBe('0cbcf2ef06be47c390091a2da899c4b388ff7a44f0a767da285a237034985f2a');
    const { kontaktpersoner: _omit, ...without } = m;
    expect(calendarHash(without as FogisMatch)).toBe('0cbcf2ef06be47c390091a2da899c4b388ff7a44f0a767da285a237034985f2a');
  });

  it('matches the §5.2 vector hash', () => {
    expect(calendarHash(vectorMatch)).toBe('1509998ff64d41e9d63f075644e277526c7b09c68767cbcd0aa4dd8503aa00a9');
  });

  it('ignores fields outside the hash (installd, speldatum, matchnr) and our description extras', () => {
    const h = calendarHash(vectorMatch);
    expect(calendarHash({ ...vectorMatch, installd: true, speldatum: '2026-05-02', matchnr: '1' })).toBe(h);
    const body = buildEventBody(vectorMatch, { syncTag: 'T', durationMinutes: 120, timeZone: 'Europe/Stockholm' }, { at: '2026-04-01T10:00:00Z', what: 'kickoff 15:00 → 17:00' });
    expect(body.extendedProperties.private.calendarHash).toBe(h);
    expect(Object.keys(calendarHashInput(vectorMatch)).sort()).toEqual(['anlaggningnamn', 'domaruppdraglista', 'kontaktpersoner', 'lag1namn', 'lag2namn', 'tavlingnamn', 'tid']);
  });

  it('changes when any referee field changes', () => {
    const changed = structuredClone(vectorMatch);
    changed.domaruppdraglista[1]!.mobiltelefon = '070';
    expect(calendarHash(changed)).not.toBe(calendarHash(vectorMatch));
  });
});

describe('Python json.dumps compatibility', () => {
  it('escapes like ensure_ascii, with surrogate pairs and short escapes', () => {
    expect(pythonJsonDumps('a"b\\c\n\t\r\b\f\u0001\u007f')).toBe('"a\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u007f"');
    expect(pythonJsonDumps('⚽ 😀')).toBe('"\\u26bd \\ud83d\\ude00"');
    expect(pythonJsonDumps('/')).toBe('"/"');
  });

  it('sorts keys recursively and uses Python separators and literals', () => {
    expect(pythonJsonDumps({ b: [1, { d: null, c: true }], a: false })).toBe('{"a": false, "b": [1, {"c": true, "d": null}]}');
    expect(pythonJsonDumps([])).toBe('[]');
    expect(pythonJsonDumps({})).toBe('{}');
  });

  it('writes floats as Python repr', () => {
    expect(pythonNumber(57.7)).toBe('57.7');
    expect(pythonNumber(11.97)).toBe('11.97');
    expect(pythonNumber(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(pythonNumber(1e-5)).toBe('1e-05');
    expect(pythonNumber(0.0001)).toBe('0.0001');
    expect(pythonNumber(1.25e-16)).toBe('1.25e-16');
    // Integral values are Python ints (JSON.parse cannot tell 1.5e16 from 15000000000000000).
    expect(pythonNumber(1.5e16)).toBe('15000000000000000');
    expect(pythonNumber(123456789012345.6)).toBe('123456789012345.6');
    expect(pythonNumber(-2.5e-7)).toBe('-2.5e-07');
    expect(pythonNumber(6601)).toBe('6601');
    expect(pythonNumber(-0)).toBe('0');
  });
});

describe('event body (spec §5.2)', () => {
  it('writes the description exactly as the Python service', () => {
    expect(buildDescription(vectorMatch)).toBe(vectorDescription);
  });

  it('adds the last-change line after the template', () => {
    const d = buildDescription(vectorMatch, { at: '2026-04-20T06:00:02Z', what: 'kickoff 15:00 → 17:00' });
    expect(d.startsWith(vectorDescription)).toBe(true);
    expect(d.slice(vectorDescription.length)).toBe('\nLast changed 2026-04-20 08:00: kickoff 15:00 → 17:00\n');
  });

  it('builds summary, times, reminder and private properties', () => {
    const body = buildEventBody(vectorMatch, { syncTag: 'FOGIS_CALENDAR_SYNC', durationMinutes: 120, timeZone: 'Europe/Stockholm' });
    expect(body.summary).toBe('Öckerö IF - Torslanda IK');
    expect(body.location).toBe('Hönö IP');
    expect(body.start).toEqual({ dateTime: '2026-05-01T17:00:00+02:00', timeZone: 'Europe/Stockholm' });
    expect(body.end).toEqual({ dateTime: '2026-05-01T19:00:00+02:00', timeZone: 'Europe/Stockholm' });
    expect(Date.parse(body.start.dateTime)).toBe(Date.parse('2026-05-01T15:00:00+00:00'));
    expect(body.reminders).toEqual({ useDefault: false, overrides: [{ method: 'popup', minutes: 2880 }] });
    expect(body.extendedProperties.private).toEqual({ matchId: '6169913', syncTag: 'FOGIS_CALENDAR_SYNC', calendarHash: '1509998ff64d41e9d63f075644e277526c7b09c68767cbcd0aa4dd8503aa00a9' });
  });

  it('marks cancelled and postponed matches and honours the duration', () => {
    const o = { syncTag: 'T', durationMinutes: 95, timeZone: 'Europe/Stockholm' };
    expect(buildEventBody({ ...vectorMatch, installd: true }, o).summary).toBe('INSTÄLLD: Öckerö IF - Torslanda IK');
    expect(buildEventBody({ ...vectorMatch, uppskjuten: true }, o).summary).toBe('UPPSKJUTEN: Öckerö IF - Torslanda IK');
    expect(buildEventBody(vectorMatch, o).end.dateTime).toBe('2026-05-01T18:35:00+02:00');
  });
});

/** Python's ensure_ascii encoder written out char by char (the rule of §5.3), to check the fast one against. */
function referenceString(s: string): string {
  const short: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x08: '\\b', 0x0c: '\\f' };
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c ? s[i] : short[c] ?? '\\u' + c.toString(16).padStart(4, '0');
  }
  return out + '"';
}

describe('Python json.dumps: the fast string and key path is the same text', () => {
  it('for any strings (controls, DEL, Swedish letters, astral characters, lone surrogates) as values and keys', () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('\u0000', '\u001f', '"', '\\', '\n', '\u007f', 'ö', 'Å', '\u2028', '\ud800', '\udfff', '😀', '\uffff'), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c))) });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(pythonJsonDumps(a)).toBe(referenceString(a));
        const keys = [a, b, 'tid'].filter((k, i, all) => all.indexOf(k) === i);
        const byCodePoint = [...keys].sort((x, y) => {
          const xs = [...x].map((ch) => ch.codePointAt(0)!);
          const ys = [...y].map((ch) => ch.codePointAt(0)!);
          for (let i = 0; i < Math.min(xs.length, ys.length); i++) if (xs[i] !== ys[i]) return xs[i]! - ys[i]!;
          return xs.length - ys.length;
        });
        const obj = Object.fromEntries(keys.map((k) => [k, 1]));
        expect(pythonJsonDumps(obj)).toBe(`{${byCodePoint.map((k) => `${referenceString(k)}: 1`).join(', ')}}`);
      }),
      { numRuns: 3000, seed: 20261130 },
    );
  });
});
