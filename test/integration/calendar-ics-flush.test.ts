import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FogisMatch } from '../../shared/messages';
import { formatZonedDateTime } from '../../shared/fogis-time';
import { createMemoryLogger } from '../../electron/core/log';
import { ICS_FILE, ICS_STORE_FILE, IcsBackend } from '../../electron/core/sync/ics-backend';
import { IcsRenderCache } from '../../electron/core/sync/ics-render-cache';
import { renderCalendar, type IcsEvent } from '../../electron/core/sync/ics-writer';
import { planEvent } from '../../electron/core/sync/event-builder';
import { SyncError, type OutboxJob } from '../../electron/core/sync/types';
import { fixtureLists, FIXTURE_NOW } from '../harness/calendar-helpers';

const TZ = 'Europe/Stockholm';
let dir: string;
let clock: number;
const backends: IcsBackend[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cal-ics-flush-'));
  clock = FIXTURE_NOW;
});
afterEach(async () => {
  for (const b of backends.splice(0)) await b.stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function startBackend(): Promise<IcsBackend> {
  const b = new IcsBackend({ dataDir: dir, timeZone: TZ, publicBaseUrl: () => 'http://127.0.0.1:5003', now: () => clock }, { log: createMemoryLogger(), countApiCall: () => undefined, changed: () => undefined });
  backends.push(b);
  await b.start();
  return b;
}

/** 200 matches: the recorded list's matches again and again under new ids, so there is something to fold and escape. */
function matches(): FogisMatch[] {
  const source = fixtureLists()[0]!;
  return Array.from({ length: 200 }, (_, i) => ({ ...source[i % source.length]!, matchid: 7_000_000 + i }));
}

let seq = 0;
function upsert(m: FogisMatch, tag: string): OutboxJob {
  const event = planEvent(m, { syncTag: 'fogis-monitor', durationMinutes: 105, timeZone: TZ }, { at: new Date(clock).toISOString(), what: tag });
  const matchId = String(m.matchid);
  return { key: matchId, matchId, kind: 'upsert', reason: 'changed', event, renderKey: `${tag}:${matchId}`, sourceKey: null, snapshot: null, lastChange: null, title: matchId, eventId: null, attempts: 0, nextAttemptAt: 0, enqueuedAt: new Date(clock).toISOString(), lastError: null, seq: ++seq };
}
function remove(m: FogisMatch): OutboxJob {
  return { ...upsert(m, 'gone'), kind: 'delete', reason: 'removed', event: null, renderKey: null };
}

const icsPath = (): string => path.join(dir, ICS_FILE);
const storePath = (): string => path.join(dir, ICS_STORE_FILE);

/** calendar.ics holds exactly what a full render of the stored events gives. */
function expectFileIsFullRender(): string {
  const storeText = readFileSync(storePath(), 'utf8');
  const store = JSON.parse(storeText) as { version: number; events: IcsEvent[]; sequences: Record<string, number> };
  // The store is written from per-event texts: it must still be what JSON.stringify gives.
  expect(storeText).toBe(JSON.stringify(store));
  expect(Object.keys(store)).toEqual(['version', 'events', 'sequences']);
  const stored = store.events;
  const full = renderCalendar(stored, { name: 'FOGIS matcher', timeZone: TZ, localTime: (ms) => formatZonedDateTime(new Date(ms), TZ).slice(0, 19).replace(/[-:]/g, '') });
  const onDisk = readFileSync(icsPath());
  expect(onDisk.equals(Buffer.from(full, 'utf8'))).toBe(true);
  return full;
}

const identity = (file: string): string => {
  const s = statSync(file);
  return `${s.ino}:${s.mtimeMs}`;
};

describe('ICS backend flush', () => {
  it('200 new events: rendered and stringified a slice per turn of the event loop, the same bytes as a full render', async () => {
    const b = await startBackend();
    for (const m of matches()) await b.execute(upsert(m, 'new'), null);
    // A clock that moves 1 ms each time it is read: a 2 ms slice then holds one or two events on any machine.
    let fake = 0;
    const now = vi.spyOn(performance, 'now').mockImplementation(() => ++fake);
    const prerender = vi.spyOn(IcsRenderCache.prototype, 'prerender');
    try {
      await b.flush();
    } finally {
      now.mockRestore();
    }
    // A call per turn; each that ran out of time left events for the next turn.
    expect(prerender.mock.results.filter((r) => r.value === false).length).toBeGreaterThanOrEqual(100);
    prerender.mockRestore();
    const full = expectFileIsFullRender();
    expect(full.match(/BEGIN:VEVENT/g)).toHaveLength(200);
  });

  it('writes the bytes of a full render after inserts, one change, one deletion, one addition and a restart', async () => {
    const ms = matches();
    let b = await startBackend();
    for (const m of ms) await b.execute(upsert(m, 'new'), null);
    await b.flush();
    const first = expectFileIsFullRender();
    expect(first.match(/BEGIN:VEVENT/g)).toHaveLength(200);
    expect(first).toContain('\r\n ');

    clock += 60_000;
    await b.execute(upsert({ ...ms[50]!, anlaggningnamn: 'Strandvallen; plan 2, Hällevik' }, 'venue'), null);
    await b.flush();
    expect(expectFileIsFullRender()).toContain('LOCATION:Strandvallen\\; plan 2\\, Hällevik');

    await b.execute(remove(ms[10]!), null);
    await b.flush();
    expect(expectFileIsFullRender()).not.toContain('fogis-match-7000010@');

    await b.execute(upsert({ ...ms[0]!, matchid: 7_999_999, installd: true }, 'new'), null);
    await b.flush();
    expect(expectFileIsFullRender()).toContain('STATUS:CANCELLED');
    expect(await b.readIcs()).toBe(readFileSync(icsPath(), 'utf8'));

    await b.stop();
    b = await startBackend();
    expectFileIsFullRender();
    await b.execute(upsert(ms[199]!, 'after-restart'), null);
    await b.flush();
    expectFileIsFullRender();
  });

  it('does not write the files again when nothing changed since they were written', async () => {
    const ms = matches().slice(0, 20);
    const b = await startBackend();
    for (const m of ms) await b.execute(upsert(m, 'new'), null);
    await b.flush();
    const ics = identity(icsPath());
    const store = identity(storePath());
    // A replay of a job already done is a noop: the flush after it writes nothing.
    expect((await b.execute(upsert(ms[3]!, 'new'), null)).action).toBe('noop');
    await b.flush();
    await b.flush();
    expect(identity(icsPath())).toBe(ics);
    expect(identity(storePath())).toBe(store);

    // A match added and removed in one batch: the calendar shows the same bytes, so calendar.ics
    // is left alone; the store changed (the UID's last SEQUENCE is kept) and is written.
    const extra = { ...ms[0]!, matchid: 7_500_000 };
    expect((await b.execute(upsert(extra, 'new'), null)).action).toBe('inserted');
    expect((await b.execute(remove(extra), null)).action).toBe('deleted');
    await b.flush();
    expect(identity(icsPath())).toBe(ics);
    expect(identity(storePath())).not.toBe(store);
    expect(readFileSync(storePath(), 'utf8')).toContain('"fogis-match-7500000@fogis-monitor":0');
    expectFileIsFullRender();
  });

  it('writes calendar.ics on the next flush after a failed write, though the store was already written', async () => {
    const ms = matches().slice(0, 20);
    const b = await startBackend();
    for (const m of ms) await b.execute(upsert(m, 'new'), null);
    await b.flush();
    const before = readFileSync(icsPath(), 'utf8');

    // calendar.ics is a non-empty directory: the rename over it fails, after the store was written.
    rmSync(icsPath());
    mkdirSync(icsPath());
    writeFileSync(path.join(icsPath(), 'blocker'), 'x');
    clock += 60_000;
    await b.execute(upsert({ ...ms[5]!, lag1namn: 'Östers IF' }, 'home'), null);
    const failed = await b.flush().then(
      () => null,
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(SyncError);
    expect((failed as SyncError).kind).toBe('retryable');
    expect(b.info().status).toMatch(/^error: cannot write calendar\.ics/);
    expect(readFileSync(storePath(), 'utf8')).toContain('Östers IF');
    // Until a write succeeds, GET /calendar.ics serves what was last written.
    expect(await b.readIcs()).toBe(before);

    rmSync(icsPath(), { recursive: true });
    await b.flush();
    expect(b.info().status).toBe('ok');
    expect(expectFileIsFullRender()).toContain('Östers IF');
    expect(await b.readIcs()).toBe(readFileSync(icsPath(), 'utf8'));
  });
});
