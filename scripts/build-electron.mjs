#!/usr/bin/env node
// Bundles the Electron main process, its ingest worker and the preload into dist/electron/*.cjs
// (the options: scripts/electron-bundles.mjs).
// Usage: node scripts/build-electron.mjs [--watch]
import { build, context } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mainProcessBundle, preloadBundle } from './electron-bundles.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');

const targets = [
  mainProcessBundle(root, 'electron/main.ts', 'dist/electron/main.cjs'),
  // The ingest worker thread (electron/core/ingest): its own entry, started by main.cjs from beside it.
  mainProcessBundle(root, 'electron/core/ingest/ingest-worker.ts', 'dist/electron/ingest-worker.cjs'),
  preloadBundle(root, 'electron/preload.ts', 'dist/electron/preload.cjs'),
];

if (watch) {
  for (const t of targets) await (await context(t)).watch();
  console.log('[build-electron] watching');
} else {
  await Promise.all(targets.map((t) => build(t)));
  console.log('[build-electron] dist/electron/main.cjs, ingest-worker.cjs, preload.cjs');
}
