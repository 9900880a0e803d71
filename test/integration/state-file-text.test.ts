import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FogisMatch } from '../../shared/messages';
import type { MatchChange } from '../../shared/state';
import { createMemoryLogger } from '../../electron/core/log';
import { diffMatchList } from '../../electron/core/monitor/match-diff';
import { MonitorStore } from '../../electron/core/monitor/monitor-store';
import type { PersistedState } from '../../electron/core/monitor/persisted-state';
import { ENCODE_CHUNK_CHARS, writeFileAtomic } from '../../electron/core/store/atomic-file';
import { JsonArrayText } from '../../electron/core/store/json-array-text';
import { tempDir } from '../harness/app';
import { loadFixture } from '../harness/fixture';

/**
 * Saving large state off the main thread's critical path (issue 12): state.json's text is
 * built from per-match texts kept between saves, and a text file is encoded a slice at a time.
 * Both must give exactly the bytes of JSON.stringify / Buffer.from. Real files.
 */

const g3 = JSON.parse(loadFixture().find((l) => l.channel === 'fogis:matches:updates')!.raw) as { payload: { matches: FogisMatch[] } };

function thousand(): FogisMatch[] {
  const base = g3.payload.matches[0]!;
  return Array.from({ length: 1000 }, (_, i) => ({ ...structuredClone(base), matchid: 7_000_000 + i, matchnr: String(100_000 + i), anlaggningnamn: `Arena ${i} åäö "${i}" \\ 😀` }));
}

function state(list: FogisMatch[], history: MatchChange[]): PersistedState {
  return {
    version: 1,
    savedAt: new Date().toISOString(),
    counters: { messages_received: 12, rejected_by_reason: { schema: 2 } },
    matches: { list, receivedAt: '2026-11-30T10:00:00.000Z', messageId: 'm-1', generation: 'g3' },
    history,
    historyTotal: history.length,
    alerts: [],
    alertsTotal: 0,
  };
}

/** The real change model's entries for match i moving to another venue. */
function change(i: number, list: FogisMatch[]): MatchChange {
  const moved = { ...list[i]!, anlaggningnamn: `Moved ${i}` };
  const [c] = diffMatchList([list[i]!], [moved], `2026-11-30T10:00:0${i % 10}.000Z`, `m-${i}`).changes;
  return c!;
}

describe('state.json text from kept per-match texts', () => {
  it('is JSON.stringify of the state byte for byte, before and after matches change', () => {
    const store = new MonitorStore({ dataDir: tempDir(), log: createMemoryLogger(), serialise: () => state([], []), onError: () => undefined, fault: () => undefined });
    const list = thousand();
    const history = [change(1, list), change(2, list)];
    const s1 = state(list, history);
    expect(store.text(s1).join('')).toBe(JSON.stringify(s1));
    // A changed match is a new object (the ingest mirror's contract); the others keep theirs.
    const next = [...list];
    next[500] = { ...list[500]!, anlaggningnamn: 'Nya Arenan' };
    next.splice(10, 1);
    const s2 = state(next, [...history, change(3, next)]);
    const text = store.text(s2).join('');
    expect(text).toBe(JSON.stringify(s2));
    expect(text).toContain('"anlaggningnamn":"Nya Arenan"');
    // Optional parts absent, as JSON.stringify leaves them out.
    const s3 = { ...state([], []), counters: undefined };
    expect(store.text(s3).join('')).toBe(JSON.stringify(s3));
    const s4 = state(list.slice(0, 1), []);
    expect(store.text(s4).join('')).toBe(JSON.stringify(s4));
  });
});

describe('JsonArrayText pieces', () => {
  it('join to JSON.stringify of the list, empty and one-element lists included', () => {
    const t = new JsonArrayText();
    const list = thousand().slice(0, 3);
    for (const items of [[], list.slice(0, 1), list, [...list].reverse()]) expect(t.parts(items).join('')).toBe(JSON.stringify(items));
    expect(t.text(list)).toBe(JSON.stringify(list));
  });
});

describe('writeFileAtomic of large texts', () => {
  it('writes exactly Buffer.from(text), a surrogate pair across a slice boundary included', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'big.json');
    // "ö" (2 bytes), "😀" (a surrogate pair, 4 bytes) placed so one straddles the first boundary.
    const text = 'x'.repeat(ENCODE_CHUNK_CHARS - 1) + '😀' + 'ö'.repeat(ENCODE_CHUNK_CHARS) + 'å😀'.repeat(50_000) + 'end';
    expect(text.charCodeAt(ENCODE_CHUNK_CHARS - 1)).toBe(0xd83d);
    await writeFileAtomic(file, text);
    expect(readFileSync(file).equals(Buffer.from(text, 'utf8'))).toBe(true);
    await writeFileAtomic(file, '');
    expect(readFileSync(file).length).toBe(0);
  });

  it('writes a text given in pieces as their concatenation: small ones gathered, large ones sliced, multi-byte ones whole', async () => {
    const file = path.join(tempDir(), 'parts.json');
    const parts = ['[', ...Array.from({ length: 30_000 }, (_, i) => `{"i":${i},"v":"åäö 😀 ${'x'.repeat(i % 40)}"},`), 'y'.repeat(ENCODE_CHUNK_CHARS * 2 + 5), '😀'.repeat(90_000), '"ö"]'];
    await writeFileAtomic(file, parts);
    expect(readFileSync(file).equals(Buffer.from(parts.join(''), 'utf8'))).toBe(true);
    await writeFileAtomic(file, []);
    expect(readFileSync(file).length).toBe(0);
  });
});
