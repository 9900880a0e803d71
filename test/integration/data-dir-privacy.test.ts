import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCore, tempDir } from '../harness/app';
import { liveFixture } from '../harness/fixture';
import { writeFileAtomic } from '../../electron/core/store/atomic-file';

/**
 * The data directory holds referees' phone numbers, addresses and e-mails: 0700, every file
 * 0600, wider modes narrowed at start, temporary files of an interrupted save removed
 * (issue 9 finding 7). Real files, real modes.
 */

const mode = (p: string): number => statSync(p).mode & 0o777;

function allEntries(dir: string): Array<{ path: string; dir: boolean }> {
  const out: Array<{ path: string; dir: boolean }> = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    out.push({ path: p, dir: e.isDirectory() });
    if (e.isDirectory()) out.push(...allEntries(p));
  }
  return out;
}

const matches = (JSON.parse(liveFixture().find((l) => l.channel === 'fogis:matches:updates')?.raw ?? '{}') as { payload: { matches: unknown[] } }).payload.matches;

describe.skipIf(process.platform === 'win32')('privacy of the data directory', () => {
  it('a new data directory is 0700 and every file the app writes is 0600 (state, calendar, token, config)', async () => {
    const dataDir = path.join(tempDir(), 'fresh', 'fogis-monitor');
    const app = await startCore({ REDIS_PUBSUB_ENABLED: 'false' }, dataDir);
    try {
      const sync = await app.authedFetch(`${app.baseUrl}/manual-sync`, { method: 'POST', body: JSON.stringify({ matches }) });
      expect(sync.status).toBe(200);
      const cfg = await app.authedFetch(`${app.baseUrl}/api/config`, { method: 'PUT', body: JSON.stringify({ ui: { notifyMinSeverity: 'error' } }) });
      expect(cfg.status).toBe(200);
    } finally {
      await app.stop();
    }
    expect(mode(dataDir)).toBe(0o700);
    const entries = allEntries(dataDir);
    const files = entries.filter((e) => !e.dir).map((e) => path.relative(dataDir, e.path));
    for (const f of ['state.json', 'calendar.ics', 'http-token', 'config.json']) expect(files).toContain(f);
    for (const e of entries) expect(mode(e.path).toString(8), path.relative(dataDir, e.path)).toBe(e.dir ? '700' : '600');
  });

  it('wider modes found at start are narrowed, and temporary files of a crashed save are removed', async () => {
    const dataDir = tempDir();
    chmodSync(dataDir, 0o755);
    writeFileSync(path.join(dataDir, 'contacts.vcf'), 'BEGIN:VCARD\r\nEND:VCARD\r\n', { mode: 0o644 });
    writeFileSync(path.join(dataDir, 'calendar.ics'), 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', { mode: 0o666 });
    mkdirSync(path.join(dataDir, 'sub'), { mode: 0o755 });
    writeFileSync(path.join(dataDir, 'sub', 'calendar-store.json'), '{}', { mode: 0o644 });
    chmodSync(path.join(dataDir, 'calendar.ics'), 0o666);
    // A save interrupted by a crash (its process is gone), and one of a process that still runs.
    const stale = [path.join(dataDir, '.state.json.99999999.1764500000000.k3j4.tmp'), path.join(dataDir, 'sub', '.calendar-store.json.99999998.1764500000000.zz.tmp')];
    for (const f of stale) writeFileSync(f, 'half a file', { mode: 0o644 });
    const running = path.join(dataDir, `.calendar.ics.${process.ppid}.1764500000000.ab.tmp`);
    writeFileSync(running, 'in progress', { mode: 0o600 });
    const app = await startCore({ REDIS_PUBSUB_ENABLED: 'false' }, dataDir);
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(path.join(dataDir, 'sub'))).toBe(0o700);
      for (const f of ['contacts.vcf', 'calendar.ics', path.join('sub', 'calendar-store.json')]) expect(mode(path.join(dataDir, f)).toString(8), f).toBe('600');
      for (const f of stale) expect(existsSync(f), f).toBe(false);
      expect(existsSync(running)).toBe(true);
      expect(app.logLines.join('\n')).toMatch(/\[store\] made \d+ item\(s\) in the data directory private/);
      expect(app.logLines.join('\n')).toMatch(/removed 2 temporary file\(s\)/);
    } finally {
      await app.stop();
    }
  });

  it('writeFileAtomic makes new files 0600 and a folder it creates 0700, whatever the old file had', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'new-folder', 'calendar.ics');
    await writeFileAtomic(target, 'x');
    expect(mode(target)).toBe(0o600);
    expect(mode(path.dirname(target))).toBe(0o700);
    const old = path.join(dir, 'old.json');
    writeFileSync(old, '{}', { mode: 0o644 });
    chmodSync(old, 0o644);
    await writeFileAtomic(old, '{"a":1}');
    expect(mode(old)).toBe(0o600);
    expect(readdirSync(path.dirname(target)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
