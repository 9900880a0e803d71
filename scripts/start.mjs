#!/usr/bin/env node
// `npm start`: build the dashboard and the Electron bundles, make sure the Electron runtime
// is there (fetching it on first start), then launch the desktop app.
//   node scripts/start.mjs               build + launch
//   node scripts/start.mjs --build-only  build only (used by `npm run dist`)
//   node scripts/start.mjs --no-renderer  reuse the dashboard already in dist/renderer
// Extra arguments after `--` go to Electron (e.g. `npm start -- --hidden`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const buildOnly = args.includes('--build-only');
const skipRenderer = args.includes('--no-renderer');
const passThrough = args.includes('--') ? args.slice(args.indexOf('--') + 1) : [];
const electronPkg = path.join(root, 'node_modules', 'electron');

function run(cmd, cmdArgs, label) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error(`[start] ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

/** Where node_modules/electron says its binary is, or null when it was never downloaded. */
function electronBinary() {
  const pathTxt = path.join(electronPkg, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const rel = readFileSync(pathTxt, 'utf8').trim();
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(electronPkg, 'dist');
  const bin = path.join(dist, rel);
  return existsSync(bin) ? bin : null;
}

const viteConfig = path.join(root, 'renderer', 'vite.config.ts');
if (skipRenderer) {
  console.log('[start] --no-renderer: using the dashboard in dist/renderer as it is');
} else if (existsSync(viteConfig)) {
  console.log('[start] building the dashboard (vite)');
  run(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', viteConfig, '--logLevel', 'warn'], 'dashboard build');
} else {
  console.warn('[start] renderer/vite.config.ts not found: the window will have no dashboard');
}
console.log('[start] bundling main and preload (esbuild)');
run(process.execPath, [path.join(root, 'scripts', 'build-electron.mjs')], 'electron bundle');
if (buildOnly) process.exit(0);

let bin = electronBinary();
if (!bin && existsSync(path.join(electronPkg, 'install.js'))) {
  // npm install runs with the electron install script disabled (package.json allowScripts);
  // this is that script, run once on demand. It downloads from GitHub.
  console.log('[start] the Electron runtime is not installed yet; downloading it (one time)…');
  const r = spawnSync(process.execPath, [path.join(electronPkg, 'install.js')], { cwd: electronPkg, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (r.status === 0) bin = electronBinary();
  else {
    // The installer prints a stack; its first line is the reason worth showing.
    const first = String(r.stderr || '').split('\n').find((l) => l.trim()) || `exit ${r.status}`;
    console.error(`[start] download failed: ${first.trim()}`);
  }
}
if (!bin) {
  console.error(
    [
      '',
      'FOGIS Monitor: cannot start the desktop app.',
      '  The desktop app needs the Electron runtime, and it could not be downloaded',
      '  (no internet access to GitHub, where Electron publishes it).',
      '',
      '  The same dashboard runs without Electron:',
      '      npm run headless',
      '  then open http://127.0.0.1:5003/ in a browser.',
      '',
      '  To get the desktop app, run `npm start` once on a machine that can reach github.com,',
      '  or point ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron 45 build.',
      '',
    ].join('\n'),
  );
  process.exit(1);
}

console.log(`[start] launching ${path.relative(root, bin) || bin}`);
// The V8 settings the headless server runs with (scripts/runtime-flags.json, BENCHMARKS.md):
// a 4 MB young generation keeps the main thread from running full collections back to back.
const v8Flags = JSON.parse(readFileSync(path.join(root, 'scripts', 'runtime-flags.json'), 'utf8'));
const child = spawn(bin, [`--js-flags=${v8Flags.join(' ')}`, root, ...passThrough], { cwd: root, stdio: 'inherit', windowsHide: false });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
