import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getJson, tempDir, waitUntil, FAST_REDIS_ENV } from '../test/harness/app';
import { startRedis } from '../test/harness/redis-server';
import { CHANNELS, envelope, GROUPS, headless, ms, publisher, redisStats, scenario, skippedRow, sleep, tidAt, waitStatus, type Row } from './lib';

/**
 * Data safety at rest: corrupt or truncated state files at start, and a data directory that
 * fills up and turns read-only while the app runs.
 */

const GROUP = GROUPS.crashes;

// ---- corrupt state at start ------------------------------------------------------------------

export async function corruptState(): Promise<Row> {
  return scenario(GROUP, 'Corrupt or truncated state files at start', 'state.json truncated / garbage / wrong shape / empty / NUL bytes, and corrupt calendar store files: the app starts, moves the file aside (…corrupt-<time>), raises a warning alert, and saves a fresh state', async (c, f, cleanup) => {
    const redis = await startRedis();
    cleanup(() => redis.stop());
    const good = JSON.stringify({ version: 1, savedAt: new Date().toISOString(), matches: { list: [], receivedAt: null, messageId: null, generation: null }, history: [], historyTotal: 0, alerts: [], alertsTotal: 0 });
    const variants: Array<[string, Record<string, string | Buffer>]> = [
      ['truncated state.json', { 'state.json': good.slice(0, Math.floor(good.length / 2)) }],
      ['garbage state.json', { 'state.json': 'not json at all \u0000\u0001' }],
      ['state.json with the wrong shape', { 'state.json': '{"version":1,"matches":"nope"}' }],
      ['empty state.json', { 'state.json': '' }],
      ['state.json of NUL bytes (power loss)', { 'state.json': Buffer.alloc(4096, 0) }],
      ['corrupt calendar store files', { 'calendar-ics-events.json': '{"version":1,"events":[{"uid":', 'calendar-ics-sync.json': '[[[', 'config.json': '{}' }],
    ];
    const results: string[] = [];
    for (const [name, files] of variants) {
      const dataDir = tempDir('fogis-corrupt-');
      cleanup(() => rmSync(dataDir, { recursive: true, force: true }));
      for (const [file, content] of Object.entries(files)) writeFileSync(path.join(dataDir, file), content);
      let started = false;
      let alert = false;
      let resaved = false;
      let movedAside: string[] = [];
      try {
        const app = await headless({ REDIS_URL: redis.url, ...FAST_REDIS_ENV }, dataDir);
        cleanup(() => app.stop());
        started = true;
        await waitStatus(app.baseUrl, (s) => s.subscribed, 10_000, 'subscribed');
        const state = (await getJson(`${app.baseUrl}/api/state`)).body as { alerts: { items: Array<{ alertType: string; severity: string }> } };
        alert = state.alerts.items.some((a) => a.alertType === 'state_file_corrupt' || /corrupt|set aside|unreadable/i.test(JSON.stringify(a)));
        const p = await publisher(redis.url);
        await p.publish(CHANNELS.matches, JSON.stringify(envelope('match_updates', { matches: [{ matchid: 1, lag1namn: 'A', lag2namn: 'B', tid: tidAt(0) }] })));
        p.close();
        await waitUntil(async () => (await redisStats(app.baseUrl)).messages_processed >= 1, 5000, 'list processed');
        await app.stop();
        movedAside = readdirSync(dataDir).filter((n) => n.includes('.corrupt-'));
        resaved = existsSync(path.join(dataDir, 'state.json')) && (() => {
          try {
            return (JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8')) as { matches: { list: unknown[] } }).matches.list.length === 1;
          } catch {
            return false;
          }
        })();
      } catch (err) {
        results.push(`${name}: did not start (${(err as Error).message.split('\n')[0]})`);
      }
      const expectAlert = Object.keys(files).includes('state.json');
      const ok = started && resaved && movedAside.length >= 1 && (!expectAlert || alert);
      results.push(`${name}: ${ok ? 'ok' : 'FAILED'} (moved aside ${movedAside.length}, alert ${alert}, fresh state ${resaved})`);
      c.check(ok, `${name}: started ${started}, moved aside ${movedAside.join(',') || 'nothing'}, alert ${alert}, fresh state ${resaved}`);
    }
    f.variants = results.join('; ');
  });
}

// ---- full disk and read-only data directory --------------------------------------------------

function sh(cmd: string): { ok: boolean; out: string } {
  const r = spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

export function canMountTmpfs(): { ok: boolean; why: string } {
  if (process.platform !== 'linux') return { ok: false, why: `not Linux (${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, why: 'needs root to mount a small tmpfs (not root here)' };
  const dir = tempDir('fogis-mnt-probe-');
  const r = sh(`mount -t tmpfs -o size=1m tmpfs ${dir} && umount ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  return r.ok ? { ok: true, why: '' } : { ok: false, why: `mount -t tmpfs failed: ${r.out}` };
}

interface StorageSnapshot {
  storageError: string | null;
  alerts: { items: Array<{ alertType: string; message: string }> };
  calendar: { status: string };
}

export async function fullDiskAndReadOnly(): Promise<Row> {
  const probe = canMountTmpfs();
  const expectation = 'data directory on a 2 MB tmpfs: filled up, then remounted read-only: snapshot.storageError says so (and an alert), the app keeps running and receiving; when space / write access returns the error clears by itself (no new message needed) and state.json is current';
  if (!probe.ok) return skippedRow(GROUP, 'Full disk / read-only data directory', expectation, probe.why);
  return scenario(GROUP, 'Full disk, then read-only data directory', expectation, async (c, f, cleanup) => {
    const redis = await startRedis();
    cleanup(() => redis.stop());
    const dataDir = tempDir('fogis-disk-');
    cleanup(() => rmSync(dataDir, { recursive: true, force: true }));
    const m = sh(`mount -t tmpfs -o size=2m tmpfs ${dataDir}`);
    if (!m.ok) throw new Error(`mount failed: ${m.out}`);
    cleanup(() => sh(`umount -l ${dataDir}`));
    const app = await headless({ REDIS_URL: redis.url, ...FAST_REDIS_ENV }, dataDir);
    cleanup(() => app.stop());
    await waitStatus(app.baseUrl, (s) => s.subscribed, 10_000, 'subscribed');
    const pub = await publisher(redis.url);
    cleanup(() => pub.close());
    let seq = 0;
    const list = (k: number): string => JSON.stringify(envelope('match_updates', { matches: Array.from({ length: k }, (_, i) => ({ matchid: 100 + i, lag1namn: `A${i}`, lag2namn: `B${i}`, tid: tidAt((seq + i) * 60_000) })) }, `disk-${++seq}`));
    const snapshot = async (): Promise<StorageSnapshot> => (await getJson(`${app.baseUrl}/api/state`)).body as unknown as StorageSnapshot;
    await pub.publish(CHANNELS.matches, list(3));
    await sleep(1500);
    // 1. Full disk
    sh(`dd if=/dev/zero of=${dataDir}/filler bs=64k 2>/dev/null; true`);
    const tFull = Date.now();
    await pub.publish(CHANNELS.matches, list(4));
    let full: StorageSnapshot | null = null;
    const detectFull = await waitUntil(async () => {
      full = await snapshot();
      return full.storageError ? Date.now() - tFull : null;
    }, 10_000, 'storage error on a full disk', 100).catch(() => null);
    const fullSnap = full as StorageSnapshot | null;
    const alertFull = fullSnap?.alerts.items.some((a) => a.alertType === 'storage') ?? false;
    const before = (await redisStats(app.baseUrl)).messages_received;
    await pub.publish(CHANNELS.status, JSON.stringify(envelope('processing_status', { status: 'started' })));
    const stillReceiving = await waitUntil(async () => (await redisStats(app.baseUrl)).messages_received > before, 3000, 'receiving on a full disk').then(() => true, () => false);
    // Space returns; no new message is sent: the app must notice by itself.
    rmSync(path.join(dataDir, 'filler'));
    const tFree = Date.now();
    const recoverFull = await waitUntil(async () => ((await snapshot()).storageError === null ? Date.now() - tFree : null), 30_000, 'storage error cleared after space returns', 200).catch(() => null);
    const saved = (() => {
      try {
        return (JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8')) as { matches: { messageId: string } }).matches.messageId;
      } catch {
        return null;
      }
    })();
    // 2. Read-only
    const ro = sh(`mount -o remount,ro ${dataDir}`);
    const tRo = Date.now();
    await pub.publish(CHANNELS.matches, list(5));
    const detectRo = ro.ok ? await waitUntil(async () => ((await snapshot()).storageError ? Date.now() - tRo : null), 10_000, 'storage error read-only', 100).catch(() => null) : null;
    const roError = ro.ok ? (await snapshot()).storageError : null;
    sh(`mount -o remount,rw ${dataDir}`);
    const tRw = Date.now();
    const recoverRo = ro.ok ? await waitUntil(async () => ((await snapshot()).storageError === null ? Date.now() - tRw : null), 30_000, 'storage error cleared after rw', 200).catch(() => null) : null;
    const savedRo = (() => {
      try {
        return (JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8')) as { matches: { messageId: string } }).matches.messageId;
      } catch {
        return null;
      }
    })();
    const health = await getJson(`${app.baseUrl}/health`);
    f['full disk: time to detect'] = ms(detectFull);
    f['full disk: error shown'] = fullSnap?.storageError ?? '';
    f['full disk: alert'] = alertFull;
    f['full disk: time to recover (no new message)'] = recoverFull === null ? 'did not recover' : ms(recoverFull);
    f['read-only: time to detect / recover'] = ro.ok ? `${ms(detectRo)} / ${recoverRo === null ? 'did not recover' : ms(recoverRo)}` : `remount failed: ${ro.out}`;
    f['read-only: error shown'] = roError ?? '';
    f['state.json current after recovery'] = `${saved === 'disk-2'} / ${savedRo === 'disk-3'}`;
    c.check(detectFull !== null, 'full disk detected');
    c.check(alertFull, 'full disk raises an alert');
    c.check(stillReceiving, 'still receiving on a full disk');
    c.check(recoverFull !== null, 'recovers when space returns without a new message');
    c.check(saved === 'disk-2', `state.json after space returned holds ${saved}`);
    c.check(ro.ok && detectRo !== null && recoverRo !== null, 'read-only detected and recovered');
    c.check(savedRo === 'disk-3', `state.json after rw holds ${savedRo}`);
    c.check(health.status === 200 && app.child.exitCode === null, 'app running');
  });
}
