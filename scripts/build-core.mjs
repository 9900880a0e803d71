// Bundles the headless entry (and the core) for plain Node 20. The dashboard is built by Vite.
import { build } from 'esbuild';

await build({
  entryPoints: ['electron/headless.ts'],
  outfile: 'dist/headless.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
});
