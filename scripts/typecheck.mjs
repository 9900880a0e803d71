// `npm run typecheck`: one TypeScript project per layer (README "Layers"), two at a time on
// the two cores; each project's errors are printed together, after it ends, never interleaved.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const PROJECTS = ['tsconfig.shared.json', 'tsconfig.web.json', 'tsconfig.node.json', 'tsconfig.test.json'];
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function check(project) {
  const started = performance.now();
  return new Promise((resolve) => {
    // Incremental: a second run re-checks only what changed since the last one (cache per checkout).
    const cache = `.cache/tsc/${project.replace(/\.json$/, '')}.tsbuildinfo`;
    const args = [tsc, '-p', project, '--pretty', 'false', '--incremental', '--tsBuildInfoFile', cache];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ project, ok: code === 0, out, seconds: (performance.now() - started) / 1000 }));
  });
}

const queue = [...PROJECTS];
const results = [];
async function worker() {
  for (let p = queue.shift(); p; p = queue.shift()) {
    const r = await check(p);
    results.push(r);
    if (!r.ok) process.stdout.write(r.out);
    console.log(`[typecheck] ${r.project}: ${r.ok ? 'ok' : 'FAILED'} (${r.seconds.toFixed(1)} s)`);
  }
}
await Promise.all([worker(), worker()]);
process.exit(results.every((r) => r.ok) ? 0 : 1);
