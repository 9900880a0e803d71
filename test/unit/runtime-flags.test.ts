import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The V8 settings the app runs with live in one file (scripts/runtime-flags.json): `npm start`
 * passes them to Electron, the bench to the headless process it measures. The npm scripts and
 * the README spell them out, so they are checked against that file here.
 */
const root = path.resolve(__dirname, '..', '..');
const flags = JSON.parse(readFileSync(path.join(root, 'scripts', 'runtime-flags.json'), 'utf8')) as unknown;
const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('runtime flags', () => {
  it('is a list of flags', () => {
    expect(Array.isArray(flags) && flags.length > 0 && flags.every((f) => typeof f === 'string' && f.startsWith('--'))).toBe(true);
  });

  it.each(['headless', 'demo'])('npm run %s starts node with every flag', (name) => {
    for (const f of flags as string[]) expect(scripts[name], name).toContain(`node ${f} dist/headless.js`);
  });

  it('the README gives the same command for starting the server by hand', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toContain(`node ${(flags as string[]).join(' ')} dist/headless.js`);
  });

  it('this Node accepts them and they take effect (a young generation of about 8 MB, at most half of what V8 grows to by default)', () => {
    // Objects that survive a scavenge or two make V8 grow the young generation to its limit
    // (16 MB per semi-space by default on 64-bit: 32 MB in all).
    const program = `
      const v8 = require('v8');
      let keep = [];
      let max = 0;
      for (let i = 0; i < 2e6; i++) {
        keep.push({ a: i, b: 'x' + i });
        if (keep.length > 200000) keep = keep.slice(100000);
        if (i % 10000 === 0) max = Math.max(max, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
      }
      console.log(max);`;
    const run = (extra: string[]): number => {
      const r = spawnSync(process.execPath, [...extra, '-e', program], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return Number(r.stdout.trim());
    };
    // V8 reports a little over the two semi-spaces on some versions (9 MB on Node 24.21).
    const bounded = run(flags as string[]);
    const unbounded = run([]);
    expect(bounded).toBeLessThanOrEqual(12 * 1024 * 1024);
    expect(unbounded).toBeGreaterThanOrEqual(2 * bounded);
  });
});
