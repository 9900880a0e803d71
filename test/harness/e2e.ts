import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './app';

/** Debian's Chromium; the e2e suites skip where it is missing (never `playwright install`). */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];
export const SHOTS = path.join(REPO_ROOT, 'test-results', 'screenshots');

function newest(dir: string): number {
  let t = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true }) as Dirent[]) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else t = Math.max(t, statSync(p).mtimeMs);
    }
  };
  walk(dir);
  return t;
}

/**
 * `npm test` builds first; when an e2e file runs on its own, build what is missing or
 * older than its sources (dist/headless.js from electron/core, the dashboard from renderer/src).
 */
export function ensureBuilt(): void {
  const headless = path.join(REPO_ROOT, 'dist', 'headless.js');
  const index = path.join(REPO_ROOT, 'dist', 'renderer', 'index.html');
  if (!existsSync(headless) || statSync(headless).mtimeMs < newest(path.join(REPO_ROOT, 'electron', 'core'))) {
    const r = spawnSync(process.execPath, ['scripts/build-core.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('building dist/headless.js failed');
  }
  if (!existsSync(index) || statSync(index).mtimeMs < newest(path.join(REPO_ROOT, 'renderer', 'src'))) {
    const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
    const r = spawnSync(process.execPath, [vite, 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error'], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('building the dashboard failed');
  }
}
