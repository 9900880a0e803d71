// `npm run check:layers`: the dependency rules between the app's layers (scripts/layers/rules.ts).
// Prints every violation with file:line and the rule, and exits 1 if there is any.
// `--root DIR` checks another tree (the layer test uses it on a synthetic tree).
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkLayers } from './layers/rules';

const at = process.argv.indexOf('--root');
const root = path.resolve(at >= 0 ? (process.argv[at + 1] ?? '.') : path.join(import.meta.dirname, '..'));
const started = performance.now();
const report = checkLayers(root);
const ms = Math.round(performance.now() - started);
for (const v of report.violations) console.error(`[layers] ${v.message}`);
const head = `[layers] ${report.files} files, ${report.imports} imports checked in ${ms} ms`;
if (report.violations.length) {
  console.error(`${head}: ${report.violations.length} violation(s)`);
  process.exit(1);
}
console.log(`${head}: no violations`);
