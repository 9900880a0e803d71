import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FogisMatch } from '../../shared/messages';
import { startFakeCalendarServer, type FakeCalendarServer } from '../harness/fake-calendar-server';
import { fixtureLists, waitFor } from '../harness/calendar-helpers';

const CHILD = path.resolve(__dirname, '../harness/calendar-crash-child.ts');
let fake: FakeCalendarServer;
let dir: string;

beforeEach(async () => {
  fake = await startFakeCalendarServer();
  dir = mkdtempSync(path.join(tmpdir(), 'cal-crash-'));
});
afterEach(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(mode: 'burst' | 'resume', matchesFile: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path.join(dir, 'data'), fake.rootUrl, fake.tokenUrl, matchesFile, mode], {
    cwd: path.resolve(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => out, err: () => err };
}

describe('crash safety', () => {
  it('SIGKILL during a burst of writes: a restart completes every write, no duplicates', async () => {
    const base = fixtureLists()[0]![0]!;
    const N = 40;
    const matches: FogisMatch[] = Array.from({ length: N }, (_, i) => ({ ...structuredClone(base), matchid: 8_100_000 + i }));
    const file = path.join(dir, 'matches.json');
    writeFileSync(file, JSON.stringify(matches));
    fake.latencyMs = 25;

    const first = run('burst', file);
    await waitFor(() => fake.count('insert') >= 10, 20_000, '10 inserts').catch((e: Error) => {
      throw new Error(`${e.message}; child stderr: ${first.err()}`);
    });
    first.child.kill('SIGKILL');
    await first.exited;
    const written = fake.liveEvents().length;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(N);
    const state = JSON.parse(readFileSync(path.join(dir, 'data', 'calendar-google-sync.json'), 'utf8')) as { outbox: unknown[] };
    expect(state.outbox.length).toBeGreaterThan(0);

    fake.latencyMs = 0;
    const second = run('resume', file);
    expect(await second.exited).toBe(0);
    expect(second.out()).toContain('drained');
    const counts = new Map<string, number>();
    for (const e of fake.liveEvents()) {
      const id = e.extendedProperties!.private!.matchId!;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(counts.size).toBe(N);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(fake.events()).toHaveLength(N);
  }, 60_000);
});
