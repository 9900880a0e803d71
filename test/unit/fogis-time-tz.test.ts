import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/app';

/**
 * Issue 11, one time module: the dashboard (renderer/src/format.ts) and the desktop
 * notifications (electron/desktop/notification-policy.ts) read FOGIS times only through
 * shared/fogis-time.ts, so a machine in another zone changes nothing: a zone-less time is
 * Stockholm's wall clock, and FOGIS's null date is "no kickoff", never the year 1. Each zone
 * runs in its own process with TZ set before any import (a running process keeps its zone).
 */
interface Readings {
  machineOffsetMinutes: number;
  renderer: { zoneLess: string | null; clock: string | null; date: string | null; speldatum: string | null; nullDate: unknown; nullDateKickoff: unknown };
  desktop: { zoneLess: number | null; nullDate: number | null; moved: string };
}

function readIn(tz: string): Readings {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test', 'harness', 'tz-child.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, TZ: tz },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`child under TZ=${tz} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Readings;
}

describe.each([
  // New York is 6 h behind Stockholm in May (EDT vs CEST); Kiritimati is 12 h ahead of Stockholm, across the date line.
  { tz: 'America/New_York', offset: 240 },
  { tz: 'Pacific/Kiritimati', offset: -840 },
])('FOGIS times on a machine in $tz', ({ tz, offset }) => {
  const got = readIn(tz);

  it('the child really runs in that zone', () => {
    expect(got.machineOffsetMinutes).toBe(offset);
  });

  it('the dashboard reads a zone-less time as Stockholm time and shows Stockholm wall clock', () => {
    // 17:00 in Stockholm in May (CEST, +02:00) is 15:00Z, whatever the machine's zone.
    expect(got.renderer.zoneLess).toBe('2026-05-10T15:00:00.000Z');
    expect(got.renderer.clock).toBe('17:00');
    expect(got.renderer.date).toBe('Sun, 10 May 2026');
    // speldatum + avsparkstid in winter (CET, +01:00).
    expect(got.renderer.speldatum).toBe('2026-01-15T17:45:00.000Z');
  });

  it('the dashboard: the FOGIS null date is no kickoff', () => {
    expect(got.renderer.nullDate).toBeNull();
    expect(got.renderer.nullDateKickoff).toBeNull();
  });

  it('the desktop notifications read the same instants and say Stockholm times', () => {
    expect(got.desktop.zoneLess).toBe(Date.parse('2026-05-10T15:00:00Z'));
    expect(got.desktop.nullDate).toBeNull();
    expect(got.desktop.moved).toBe('Avspark flyttad: Öckerö IF - Torslanda IK, 17:00 → 19:30');
  });
});
