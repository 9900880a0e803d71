import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pubRecvLost, scrubAddresses } from '../../reliability/lib';
import { processGroup, runIsolated } from '../../reliability/scenarios';
import { refereesOf } from '../../reliability/crash-calendar';
import { buildDescription } from '../../electron/core/sync/event-builder';

/** How `npm run reliability` runs and reports (reliability/run.ts, scenarios.ts, lib.ts). */

const FIXTURES = path.resolve(__dirname, '../fixtures/reliability');
/** Running (a zombie waiting for a reaper that never comes in a container counts as gone). */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
};

describe('a scenario that overruns its limit', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fogis-runner-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is cancelled with everything it started before the next one runs', async () => {
    const pidsFile = path.join(dir, 'pids.json');
    const t0 = Date.now();
    const row = await runIsolated({ id: 'hang', timeoutMs: 4000, run: async () => ({ group: '', scenario: '', expectation: '', figures: {}, pass: true }) }, { script: path.join(FIXTURES, 'hang.ts'), env: { ...process.env, HANG_PIDS_FILE: pidsFile } });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(row.pass).toBe(false);
    expect(row.notes?.[0]).toMatch(/did not finish within 4 s; cancelled/);
    expect(existsSync(pidsFile)).toBe(true);
    const pids = JSON.parse(readFileSync(pidsFile, 'utf8')) as number[];
    expect(pids).toHaveLength(3);
    // The scenario process, its `sleep` and its node child: all gone, none left in the group.
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(Number(row.figures['processes killed'])).toBeGreaterThanOrEqual(3);
    expect(row.figures['processes left']).toBe(0);
    expect(processGroup(pids[0] as number)).toEqual([]);
  }, 30_000);

  it('a scenario that finishes returns its own row', async () => {
    const row = await runIsolated({ id: 'quick-one', timeoutMs: 20_000, run: async () => ({ group: '', scenario: '', expectation: '', figures: {}, pass: false }) }, { script: path.join(FIXTURES, 'quick.ts') });
    expect(row).toMatchObject({ scenario: 'quick-one', pass: true, figures: { n: 1 } });
  }, 30_000);
});

describe('report text', () => {
  it('names no registry or other remote address, keeps loopback ones', () => {
    const npmError = 'the registry did not answer the audit request: 405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk';
    expect(scrubAddresses(npmError)).toBe('the registry did not answer the audit request: 405 Method Not Allowed - POST <address removed>');
    expect(scrubAddresses('GET http://127.0.0.1:5003/health and redis://127.0.0.1:6379')).toBe('GET http://127.0.0.1:5003/health and redis://127.0.0.1:6379');
    expect(scrubAddresses('mirror at http://npm.internal.example:8080/x, ok')).toBe('mirror at <address removed>, ok');
  });

  it('"published / received / lost" comes from measured counts and names messages without a subscriber', () => {
    expect(pubRecvLost({ published: 50, delivered: 50, received: 50 })).toBe('50 / 50 / 0');
    expect(pubRecvLost({ published: 50, delivered: 50, received: 47 })).toBe('50 / 47 / 3');
    expect(pubRecvLost({ published: 50, delivered: 45, received: 45 })).toBe('50 / 45 / 0 (5 had no subscriber)');
  });
});

describe('crash oracle', () => {
  it('reads the referees back from the description the app writes, not from the change line', () => {
    const match = {
      matchid: 6400101,
      lag1namn: 'A',
      lag2namn: 'B',
      tid: '/Date(1790000000000)/',
      domaruppdraglista: [
        { domarrollkortnamn: 'Dom', personnamn: 'Domare 7', mobiltelefon: '070-1' },
        { domarrollkortnamn: 'AD1', personnamn: 'Assistent 3' },
      ],
    };
    const text = buildDescription(match as Parameters<typeof buildDescription>[0], { at: '2026-11-30T12:00:00Z', what: 'referee Dom: Domare 6 → Domare 7' });
    expect(refereesOf(text)).toEqual(['Dom: Domare 7', 'AD1: Assistent 3']);
    expect(refereesOf(buildDescription({ ...match, domaruppdraglista: [] } as Parameters<typeof buildDescription>[0]))).toEqual([]);
  });
});
