// Bundles the headless entry (and the core) for plain Node 20, and the ingest worker beside it
// (dist/ingest-worker.js: electron/core/ingest/ingest-pipeline.ts starts it from there). The
// dashboard is built by Vite.
import { build } from 'esbuild';

await build({
  entryPoints: { headless: 'electron/headless.ts', 'ingest-worker': 'electron/core/ingest/ingest-worker.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
});
