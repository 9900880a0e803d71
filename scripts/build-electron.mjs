#!/usr/bin/env node
// Bundles the Electron main process and the preload into dist/electron/*.cjs.
// - main: every dependency is bundled, so the packaged app does not depend on which
//   node_modules electron-builder decides to copy; only `electron` stays external.
// - preload: one file, because a sandboxed preload can require nothing but `electron`.
// Usage: node scripts/build-electron.mjs [--watch]
import { build, context } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  external: ['electron'],
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
};

/**
 * CommonJS has no `import.meta`: the core's `import.meta.url` (ingest-pipeline.ts finds its
 * worker beside its own bundle) becomes the bundle's file URL.
 */
const importMetaUrl = {
  define: { 'import.meta.url': '__bundleFileUrl' },
  banner: { js: "const __bundleFileUrl = require('node:url').pathToFileURL(__filename).href;" },
};

const targets = [
  { ...common, ...importMetaUrl, entryPoints: ['electron/main.ts'], outfile: 'dist/electron/main.cjs' },
  // The ingest worker thread (electron/core/ingest): its own entry, started by main.cjs from beside it.
  { ...common, ...importMetaUrl, entryPoints: ['electron/core/ingest/ingest-worker.ts'], outfile: 'dist/electron/ingest-worker.cjs' },
  // The preload runs in the renderer's sandbox: browser-ish, no Node built-ins to lean on.
  // Minified: the sandbox parses it on every load. It imports only shared/contract-channels.ts
  // (no zod): about 2.7 kB.
  { ...common, entryPoints: ['electron/preload.ts'], outfile: 'dist/electron/preload.cjs', sourcemap: false, minify: true },
];

if (watch) {
  for (const t of targets) await (await context(t)).watch();
  console.log('[build-electron] watching');
} else {
  await Promise.all(targets.map((t) => build(t)));
  console.log('[build-electron] dist/electron/main.cjs, ingest-worker.cjs, preload.cjs');
}
