import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { npmAudit } from './audit';
import { corruptState, crashReplay, fullDiskAndReadOnly } from './crashes';
import { googleSecrets, hostileMessages, httpAttacks, httpToken, parserFuzz, prototypePollution } from './hostile';
import { scenario, type Row } from './lib';
import { absentAtStart, killAndRestart, newPassword, pausedRedis, sentinelFailover, sentinelGracefulFailover, slowConsumer, tlsScenarios } from './redis-faults';

export interface ScenarioDef {
  id: string;
  /** Upper bound for the whole scenario; it fails when exceeded. */
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
  { id: 'electron-static', timeoutMs: 150_000, run: () => electronStaticCheck() },
  { id: 'npm-audit', timeoutMs: 120_000, run: () => npmAudit() },
];

export async function withTimeout(def: ScenarioDef): Promise<Row> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Row>((resolve) => {
    timer = setTimeout(() => resolve({ group: '?', scenario: def.id, expectation: '', figures: {}, pass: false, notes: [`FAILED: did not finish within ${def.timeoutMs / 1000} s`] }), def.timeoutMs);
  });
  try {
    return await Promise.race([def.run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
