import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FogisMatch } from '../../shared/messages';
import { createMemoryLogger } from '../../electron/core/log';
import { createCalendarSink } from '../../electron/core/sync';
import { EnginePersistence, LAST_LIST_FILE } from '../../electron/core/sync/engine-persistence';
import { SyncStore } from '../../electron/core/sync/sync-store';
import { tempDir } from '../harness/app';
import { fixtureClock, fixtureLists, listInput, MemorySecretStore, testConfig, testContext, waitFor } from '../harness/calendar-helpers';

/**
 * The last full list is written at most once a second, the newest list winning, always on
 * stop, and before any job it planned is attempted (issue 12: a 1000-match list cost ~28 ms of
 * the main thread per list to serialise). Real files in a temporary data directory.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** 1000 matches built from the recorded run's first list, each with its own id. */
function bigList(): FogisMatch[] {
  const base = fixtureLists()[0]!;
  return Array.from({ length: 1000 }, (_, i) => ({ ...structuredClone(base[i % base.length]!), matchid: 7_500_000 + i }));
}

/** The list with match `i` changed into a new object (the ingest mirror's way: changed matches are new objects). */
function withChange(list: FogisMatch[], i: number, venue: string): FogisMatch[] {
  const next = [...list];
  next[i] = { ...list[i]!, anlaggningnamn: venue };
  return next;
}

function readList(dir: string): { version: number; matches: FogisMatch[]; receivedAt: string; messageId: string } {
  return JSON.parse(readFileSync(path.join(dir, LAST_LIST_FILE), 'utf8')) as { version: number; matches: FogisMatch[]; receivedAt: string; messageId: string };
}

function persistence(dir: string, intervalMs = 1000): { p: EnginePersistence; store: SyncStore } {
  const store = new SyncStore();
  const p = new EnginePersistence({ dataDir: dir, kind: 'ics', store, log: createMemoryLogger(), reportFault: (_a, err) => { throw err; }, changed: () => undefined, listSaveIntervalMs: intervalMs });
  return { p, store };
}

describe('last match list on disk', () => {
  it('many lists quickly: the file ends up equal to the last list, in a bounded number of writes', async () => {
    const dir = tempDir('last-list-');
    dirs.push(dir);
    const { p, store } = persistence(dir, 1000);
    let list = bigList();
    const started = performance.now();
    for (let k = 0; k < 40; k++) {
      list = withChange(list, k * 7, `Arena ${k}`);
      store.lastList = { matches: list, receivedAt: new Date(Date.UTC(2026, 10, 25, 12, 0, k)).toISOString(), messageId: `burst-${k}` };
      p.saveLastList();
    }
    const elapsed = performance.now() - started;
    // The first list is written at once; the rest wait for the interval and only the newest goes.
    expect(p.listWrites).toBe(1);
    await waitFor(() => p.listWrites === 2, 10_000, 'the timed write of the newest list');
    await p.flushLists();
    // One write per started second of the burst, plus the first.
    expect(p.listWrites).toBeLessThanOrEqual(2 + Math.floor(elapsed / 1000));
    const onDisk = readList(dir);
    expect(onDisk.messageId).toBe('burst-39');
    expect(onDisk.matches).toEqual(list);
    // The text is what JSON.stringify of the list gives, byte for byte.
    expect(readFileSync(path.join(dir, LAST_LIST_FILE), 'utf8')).toBe(JSON.stringify({ version: 1, ...store.lastList }));
    p.stop();
  });

  it('stop right after a list: the file holds that list', async () => {
    const dir = tempDir('last-list-stop-');
    dirs.push(dir);
    const { p, store } = persistence(dir, 60_000);
    const lists = fixtureLists();
    store.lastList = { matches: lists[0]!, receivedAt: '2026-11-25T21:00:00.000Z', messageId: 'first' };
    p.saveLastList();
    store.lastList = { matches: lists[1]!, receivedAt: '2026-11-25T21:00:01.000Z', messageId: 'second' };
    p.saveLastList();
    expect(p.listWrites).toBe(1);
    p.stop();
    await p.flushLists();
    expect(readList(dir)).toEqual({ version: 1, matches: lists[1], receivedAt: '2026-11-25T21:00:01.000Z', messageId: 'second' });
  });

  it('a waiting list is on disk before the jobs it planned can be attempted (saveNow writes it)', async () => {
    const dir = tempDir('last-list-jobs-');
    dirs.push(dir);
    const { p, store } = persistence(dir, 60_000);
    const lists = fixtureLists();
    store.lastList = { matches: lists[0]!, receivedAt: '2026-11-25T21:00:00.000Z', messageId: 'first' };
    p.saveLastList();
    store.lastList = { matches: lists[2]!, receivedAt: '2026-11-25T21:00:05.000Z', messageId: 'planned' };
    p.saveLastList();
    // The outbox worker awaits this before its first write into the calendar.
    await p.saveNow();
    expect(readList(dir).messageId).toBe('planned');
    expect(p.listWrites).toBe(2);
    p.stop();
  });

  it('through the calendar sink: a list handed over just before stop is in the file after it', async () => {
    const dir = tempDir('last-list-sink-');
    dirs.push(dir);
    const sink = createCalendarSink(testConfig(), testContext(dir), { secretStore: new MemorySecretStore(), tokenImportPath: null, saveDelayMs: 10, clock: fixtureClock });
    await sink.start();
    const lists = fixtureLists();
    // Each list planned on its own (a burst would be coalesced into one plan before any save).
    for (const list of lists) {
      sink.onMatchList(listInput(list));
      expect(await sink.drain(30_000)).toBe(true);
    }
    const last = listInput(lists[lists.length - 1]!.map((m) => ({ ...m, anlaggningnamn: 'Slutarenan' })));
    sink.onMatchList(last);
    await new Promise((r) => setImmediate(r));
    await sink.stop();
    const onDisk = readList(dir);
    expect(onDisk.messageId).toBe(last.messageId);
    expect(onDisk.matches.map((m) => m.anlaggningnamn)).toEqual(last.matches.map(() => 'Slutarenan'));
  });
});
