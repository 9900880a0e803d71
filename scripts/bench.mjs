// `npm run bench [-- --quick] [-- --only=startup,memory,throughput,latency,drain,change,dashboard,http,calendar]`:
// builds the headless app (dist/headless.js, what users run) and the benchmark's own
// processes (dist/bench/*.js, plain Node: no TypeScript loader in any measured process), then
// runs bench/run.ts. See BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';

const has = spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0;
if (!has) {
  console.error('redis-server is needed (the benchmark starts its own on a free port).\n  Debian/Ubuntu: sudo apt-get install -y redis-server\n  macOS: brew install redis');
  process.exit(1);
}
const core = spawnSync('npm', ['run', '--silent', 'build:core'], { stdio: 'inherit' });
if (core.status !== 0) process.exit(core.status ?? 1);
await build({
  entryPoints: ['bench/run.ts', 'bench/probe.ts', 'bench/baseline-sub.ts', 'bench/loadgen.ts', 'bench/calendar.ts'],
  outdir: 'dist/bench',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
const run = spawnSync(process.execPath, ['--enable-source-maps', 'dist/bench/run.js', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(run.status ?? 1);
