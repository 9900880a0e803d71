// `npm test`: checks the prerequisites, builds what the end-to-end tests run, runs vitest and
// ends with one line "N passed, N failed[, N skipped]" computed from vitest's own JSON report.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const missing = [];
if (!has('redis-server')) {
  missing.push(
    'redis-server (the tests start their own Redis on a free port)\n' +
      '    Debian/Ubuntu: sudo apt-get install -y redis-server\n' +
      '    macOS:         brew install redis',
  );
}
if (missing.length) {
  console.error(`Cannot run the tests; missing:\n  - ${missing.join('\n  - ')}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env: process.env });

// The end-to-end tests start the headless app and the dashboard as a user would.
const build = run('npm', ['run', '--silent', 'build']);
if (build.status !== 0) {
  console.error('Build failed; see above.');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const typecheck = run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
if (typecheck.status !== 0) {
  console.error('Type check failed; see above.');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const report = '.vitest-results.json';
rmSync(report, { force: true });
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const res = run('npx', args);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0);
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
} else {
  failed = 1;
}
if (res.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
