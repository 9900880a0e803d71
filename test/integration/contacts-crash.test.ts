import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FogisMatch } from '../../shared/messages';
import { startFakePeopleServer, type FakePeopleServer } from '../harness/fake-people-server';
import { fixtureLists, waitFor } from '../harness/calendar-helpers';

const CHILD = path.resolve(__dirname, '../harness/contacts-crash-child.ts');
let fake: FakePeopleServer;
let dir: string;

beforeEach(async () => {
  fake = await startFakePeopleServer();
  dir = mkdtempSync(path.join(tmpdir(), 'contacts-crash-'));
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

describe('Google Contacts crash safety', () => {
  it('SIGKILL in the middle of writing the referees: a restart writes the rest from the saved outbox, no duplicates', async () => {
    const base = fixtureLists()[0]![0]!;
    const N = 30;
    const matches: FogisMatch[] = Array.from({ length: N }, (_, i) => ({
      ...structuredClone(base),
      matchid: 8_200_000 + i,
      kontaktpersoner: [],
      domaruppdraglista: [{ domarnr: String(70_000 + i), personnamn: `Domare Nummer${i}`, domarrollkortnamn: 'Dom', mobiltelefon: `0701-${String(100_000 + i)}`, epostadress: `d${i}@example.se` }],
    }));
    const file = path.join(dir, 'matches.json');
    writeFileSync(file, JSON.stringify(matches));
    fake.latencyMs = 20;

    const first = run('burst', file);
    await waitFor(() => fake.count('create') >= 8, 30_000, '8 creates').catch((e: Error) => {
      throw new Error(`${e.message}; child stderr: ${first.err()}`);
    });
    first.child.kill('SIGKILL');
    await first.exited;
    const written = fake.people().length;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(N);
    const state = JSON.parse(readFileSync(path.join(dir, 'data', 'contacts-google-sync.json'), 'utf8')) as { outbox: unknown[] };
    expect(state.outbox.length).toBeGreaterThan(0);

    fake.latencyMs = 0;
    const second = run('resume', file);
    expect(await second.exited).toBe(0);
    expect(second.out()).toContain('drained');
    const counts = new Map<string, number>();
    for (const p of fake.people()) for (const x of p.externalIds ?? []) counts.set(x.value ?? '', (counts.get(x.value ?? '') ?? 0) + 1);
    expect(counts.size).toBe(N);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(fake.people()).toHaveLength(N);
    expect(fake.groups().filter((g) => g.name === 'Referees')).toHaveLength(1);
  }, 90_000);
});
