// `npm test`: checks the prerequisites, builds what the end-to-end tests run, runs vitest and
// ends with one line "N passed, N failed[, N skipped]" computed from vitest's own JSON report
// (counting rules in scripts/test-summary.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { summarize } from './test-summary.mjs';

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

// The layer rules first: they take about a second and name the offending import
// (scripts/layers/rules.ts, README "Layers").
const layers = run('npm', ['run', '--silent', 'check:layers']);
if (layers.status !== 0) {
  console.error('Layer check failed; see the [layers] lines above.');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// ESLint with the TypeScript rules the code follows (eslint.config.js); no type information,
// so it stays quick.
const eslint = run('npx', ['eslint', '--max-warnings=0', '.']);
if (eslint.status !== 0) {
  console.error('ESLint found problems; see above (npx eslint . --fix mends some).');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// The end-to-end tests start the headless app and the dashboard as a user would.
const build = run('npm', ['run', '--silent', 'build']);
if (build.status !== 0) {
  console.error('Build failed; see above.');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// One TypeScript project per layer (shared: neither Node nor DOM; node: no DOM; web: no Node; tests).
const typecheck = run('npm', ['run', '--silent', 'typecheck']);
if (typecheck.status !== 0) {
  console.error('Type check failed; see above.');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const reportFile = '.vitest-results.json';
rmSync(reportFile, { force: true });
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`, ...process.argv.slice(2)];
const res = run('npx', args);

let report = null;
if (existsSync(reportFile)) {
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8'));
  } catch {
    report = null;
  }
}
const summary = summarize(report, res.status);
if (summary.failedFiles > 0) console.error(`${summary.failedFiles} test file(s) failed without a failing test (did not load, or a hook threw).`);
console.log(summary.line);
process.exit(summary.failed > 0 ? 1 : 0);
