import { describe, expect, it } from 'vitest';
import { readTid, readTidGeneral } from '../../shared/fogis-time';

/**
 * Issue 12: readTid reads the common `YYYY-MM-DDTHH:MM:SS[.fraction]Z` without its regular
 * expression. Whatever the string, the reading must be the regex path's, to the millisecond
 * and to the word of an error: checked on valid times, on every field one past its range,
 * and on random strings of that shape with characters replaced.
 */
function rand(n: number): number {
  return Math.floor(Math.random() * n);
}

const pad = (v: number, w: number): string => String(v).padStart(w, '0');

function randomIso(): string {
  const y = rand(10) < 1 ? rand(10_000) : 1970 + rand(100);
  const frac = rand(3) === 0 ? '' : `.${String(rand(10 ** 9)).padStart(9, '0').slice(0, 1 + rand(9))}`;
  return `${pad(y, 4)}-${pad(rand(14), 2)}-${pad(rand(33), 2)}T${pad(rand(26), 2)}:${pad(rand(62), 2)}:${pad(rand(62), 2)}${frac}Z`;
}

const ALPHABET = '0123456789-:.TZz+ x';

function mutate(s: string): string {
  const chars = [...s];
  const edits = 1 + rand(2);
  for (let i = 0; i < edits; i++) {
    const at = rand(chars.length + 1);
    const op = rand(3);
    if (op === 0) chars.splice(at, 1);
    else if (op === 1) chars.splice(at, 0, ALPHABET[rand(ALPHABET.length)]!);
    else chars[Math.min(at, chars.length - 1)] = ALPHABET[rand(ALPHABET.length)]!;
  }
  return chars.join('');
}

describe('readTid: the ISO UTC fast path', () => {
  it('reads what the regex path reads, for fixed cases', () => {
    const cases = [
      '2026-11-25T21:34:28.262164Z',
      '2026-11-25T21:34:28Z',
      '2026-11-25T21:34:28.2Z',
      '2026-11-25T21:34:28.123456789Z',
      '2026-11-25T21:34:28.1234567890Z',
      '2026-11-25T21:34:28.Z',
      '2024-02-29T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-01T00:00:00Z',
      '2026-01-00T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T23:60:00Z',
      '2026-01-01T23:59:60Z',
      '0099-01-01T00:00:00Z',
      '0100-01-01T00:00:00Z',
      '0000-01-01T00:00:00.5Z',
      '9999-12-31T23:59:59.999Z',
      '2026-11-25T21:34:28.29Z',
      '2026-11-25T21:34:28.57Z',
      '2026-11-25T21:34:28.1005Z',
      '2026-11-25T21:34:28+01:00',
      '2026-11-25T21:34Z',
      '2026-11-25 21:34:28Z',
      '２026-11-25T21:34:28Z',
    ];
    for (const c of cases) expect(readTid(c), c).toEqual(readTidGeneral(c));
  });

  it('reads what the regex path reads, for 200,000 random and mutated strings', () => {
    let instants = 0;
    for (let i = 0; i < 200_000; i++) {
      const base = randomIso();
      const s = i % 2 === 0 ? base : mutate(base);
      const want = readTidGeneral(s);
      if (want.kind === 'instant') instants++;
      const got = readTid(s);
      if (got.kind !== want.kind || (got.kind === 'instant' && want.kind === 'instant' && got.ms !== want.ms) || JSON.stringify(got) !== JSON.stringify(want)) {
        expect(got, s).toEqual(want);
      }
    }
    // The generator reaches both sides: valid times and rejections.
    expect(instants).toBeGreaterThan(10_000);
    expect(instants).toBeLessThan(190_000);
  });
});
