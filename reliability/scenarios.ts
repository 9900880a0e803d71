import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { npmAudit } from './audit';
import { crashReplay } from './crashes';
import { corruptState, fullDiskAndReadOnly } from './data-safety';
import { hostileConfig, hostileDates, streamNonReaders } from './hardening';
import { googleSecrets, hostileMessages, prototypePollution } from './hostile';
import { parserFuzz } from './hostile-fuzz';
import { httpAttacks, httpToken } from './hostile-http';
import { scenario, type Row } from './lib';
import { absentAtStart, killAndRestart, newPassword, pausedRedis, slowConsumer } from './redis-faults';
import { sentinelFailover, sentinelGracefulFailover, tlsScenarios } from './redis-topology';

export interface ScenarioDef {
  id: string;
  /** Upper bound for the whole scenario; past it the scenario is cancelled and fails. */
  timeoutMs: number;
  run(): Promise<Row>;
}

const ROOT = path.resolve(import.meta.dirname, '..');

/** The static BrowserWindow check lives in the unit tests (test/unit/desktop-static-security.test.ts); run it here as a row. */
export async function electronStaticCheck(): Promise<Row> {
  return scenario('Electron', 'Every new BrowserWindow( is hardened; CSP set', 'contextIsolation: true, sandbox: true, nodeIntegration: false on every window in electron/**/*.ts; a CSP header and meta tag; nothing turns security off (test/unit/desktop-static-security.test.ts)', async (c, f) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fogis-vitest-'));
    try {
      const out = path.join(dir, 'r.json');
      spawnSync('npx', ['vitest', 'run', 'test/unit/desktop-static-security.test.ts', '--reporter=json', `--outputFile=${out}`], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      const r = JSON.parse(readFileSync(out, 'utf8')) as { numPassedTests: number; numFailedTests: number; testResults: Array<{ assertionResults: Array<{ title: string; status: string }> }> };
      f.checks = `${r.numPassedTests} passed, ${r.numFailedTests} failed`;
      const failed = r.testResults.flatMap((t) => t.assertionResults.filter((a) => a.status !== 'passed').map((a) => a.title));
      c.check(r.numFailedTests === 0 && r.numPassedTests > 0, failed.join('; ') || 'no checks ran');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** The full run of `npm run reliability`. */
export const FULL: ScenarioDef[] = [
  { id: 'redis-absent', timeoutMs: 60_000, run: () => absentAtStart({ absentMs: 5000 }) },
  { id: 'redis-kill-1s', timeoutMs: 60_000, run: () => killAndRestart({ downMs: 1000 }) },
  { id: 'redis-kill-10s', timeoutMs: 90_000, run: () => killAndRestart({ downMs: 10_000 }) },
  { id: 'redis-kill-60s', timeoutMs: 150_000, run: () => killAndRestart({ downMs: 60_000 }) },
  { id: 'redis-sigstop', timeoutMs: 120_000, run: () => pausedRedis({ pauseMs: 30_000 }) },
  { id: 'redis-password', timeoutMs: 90_000, run: () => newPassword({ cpuWindowMs: 10_000 }) },
  { id: 'redis-slow-consumer', timeoutMs: 60_000, run: () => slowConsumer() },
  { id: 'redis-sentinel', timeoutMs: 90_000, run: () => sentinelFailover() },
  { id: 'redis-sentinel-graceful', timeoutMs: 90_000, run: () => sentinelGracefulFailover() },
  { id: 'redis-tls', timeoutMs: 90_000, run: () => tlsScenarios() },
  { id: 'crash-ics', timeoutMs: 300_000, run: () => crashReplay({ backend: 'ics', messages: 1000, kills: 20 }) },
  { id: 'crash-google', timeoutMs: 300_000, run: () => crashReplay({ backend: 'google', messages: 1000, kills: 20 }) },
  { id: 'crash-google-faults', timeoutMs: 300_000, run: () => crashReplay({ backend: 'google', messages: 1000, kills: 20, apiFaults: true }) },
  { id: 'corrupt-state', timeoutMs: 90_000, run: () => corruptState() },
  { id: 'full-disk', timeoutMs: 120_000, run: () => fullDiskAndReadOnly() },
  { id: 'fuzz', timeoutMs: 120_000, run: () => parserFuzz({ runs: 30_000 }) },
  { id: 'hostile-messages', timeoutMs: 180_000, run: () => hostileMessages({ hugeMb: 100 }) },
  { id: 'proto-pollution', timeoutMs: 60_000, run: () => prototypePollution() },
  { id: 'http', timeoutMs: 120_000, run: () => httpAttacks({ slowLoris: true }) },
  { id: 'http-token', timeoutMs: 60_000, run: () => httpToken() },
  { id: 'google-secrets', timeoutMs: 60_000, run: () => googleSecrets() },
  { id: 'stream-non-readers', timeoutMs: 240_000, run: () => streamNonReaders({ clients: 50, lists: 100, matches: 1000 }) },
  { id: 'hostile-config', timeoutMs: 120_000, run: () => hostileConfig() },
  { id: 'hostile-dates', timeoutMs: 90_000, run: () => hostileDates() },
];

/**
 * Static checks: they read the source or ask the registry, they inject no fault into a running
 * app, so they are listed apart from the scenarios and not counted among them.
 */
export const STATIC_CHECKS: ScenarioDef[] = [
  { id: 'electron-static', timeoutMs: 150_000, run: () => electronStaticCheck() },
  { id: 'npm-audit', timeoutMs: 120_000, run: () => npmAudit() },
];

export const ALL: ScenarioDef[] = [...FULL, ...STATIC_CHECKS];

/** The processes in process group `pgid` (from /proc; Linux). */
export function processGroup(pgid: number): number[] {
  const out: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // Fields after the command: state(0) ppid(1) pgrp(2).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(e));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/**
 * Runs one scenario in a child process of its own process group (reliability/run-one.ts). When
 * it overruns its time limit the whole group is killed (the scenario's app, redis-servers,
 * sentinels and timers with it), so a timed-out scenario cannot run on beside the next one.
 */
export async function runIsolated(def: ScenarioDef, opts: { script?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Row> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fogis-rel-row-'));
  const out = path.join(dir, 'row.json');
  try {
    const script = opts.script ?? path.join(import.meta.dirname, 'run-one.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, def.id, out], { cwd: ROOT, detached: true, stdio: ['ignore', 'inherit', 'inherit'], env: opts.env ?? process.env });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), def.timeoutMs);
    });
    const outcome = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      const pgid = child.pid ?? 0;
      const members = pgid ? processGroup(pgid) : [];
      try {
        if (pgid) process.kill(-pgid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await exited;
      // Killed children are reaped by init; give it a moment, then count what is left.
      const deadline = Date.now() + 5000;
      let left = pgid ? processGroup(pgid) : [];
      while (left.length > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        left = processGroup(pgid);
      }
      return {
        group: '?',
        scenario: def.id,
        expectation: '',
        figures: { 'cancelled after': `${def.timeoutMs / 1000} s`, 'processes killed': members.length, 'processes left': left.length },
        pass: false,
        notes: [`FAILED: did not finish within ${def.timeoutMs / 1000} s; cancelled (its process group of ${members.length} killed, ${left.length} left)`],
      };
    }
    if (!existsSync(out)) return { group: '?', scenario: def.id, expectation: '', figures: {}, pass: false, notes: [`FAILED: the scenario process exited with ${String(outcome)} without a result`] };
    return JSON.parse(readFileSync(out, 'utf8')) as Row;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
