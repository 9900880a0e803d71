import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLayers } from '../../scripts/layers/rules';
import { findCycles } from '../../scripts/layers/cycles';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** A tree mirroring the app's folders, written to a temporary directory. */
function writeTree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fogis-layers-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** Every import the rules allow, one of each kind. */
const ALLOWED: Record<string, string> = {
  'shared/ok.ts': "import { z } from 'zod';\nexport const ok = z.string();\n",
  'shared/uses-ok.ts': "import { ok } from './ok';\nexport const again = ok;\n",
  'electron/core/x.ts': "import { ok } from '../../shared/ok';\nimport { readFileSync } from 'node:fs';\nexport const x = [ok, readFileSync];\n",
  'electron/desktop/win.ts': "import { BrowserWindow } from 'electron';\nimport { x } from '../core/x';\nexport const w = [BrowserWindow, x];\n",
  'electron/preload.ts': "import { contextBridge } from 'electron';\nexport const p = contextBridge;\n",
  'electron/main.ts': "import { x } from './core/x';\nimport { w } from './desktop/win';\nexport const m = [x, w];\n",
  'renderer/src/view.tsx': "import { useState } from 'react';\nimport { ok } from '../../shared/ok';\nimport './styles.css';\nexport const v = [useState, ok];\n",
  'renderer/src/main.tsx': "export const load = () => import('./view');\n",
};

/** One forbidden import per rule, each on a known line. */
const FORBIDDEN: Record<string, string> = {
  'shared/reaches-core.ts': "import { x } from '../electron/core/x';\nexport const bad = x;\n",
  'shared/reads-disk.ts': "export {};\nimport { readFileSync } from 'node:fs';\nexport const bad = readFileSync;\n",
  'electron/core/calls-desktop.ts': "import { w } from '../desktop/win';\nexport const bad = w;\n",
  'electron/core/types-from-renderer.ts': "import type { v } from '../../renderer/src/view';\nexport type Bad = typeof v;\n",
  'electron/desktop/takes-renderer.ts': "import { v } from '../../renderer/src/view';\nexport const bad = v;\n",
  'electron/core/uses-electron.ts': "import type { App } from 'electron';\nexport type Bad = App;\n",
  'electron/headless.ts': "const { app } = require('electron');\nexport const bad = app;\n",
  'renderer/src/reads-disk.ts': "import { readFile } from 'fs/promises';\nexport const bad = readFile;\n",
  'renderer/src/calls-core.ts': "export const bad = () => import('../../electron/core/x');\n",
  'electron/core/uses-test-double.ts': "import { Recorder } from '../../test/harness/recorder';\nexport const bad = Recorder;\n",
  'test/harness/recorder.ts': 'export class Recorder {}\n',
  'shared/circle-a.ts': "import type { B } from './circle-b';\nexport interface A { b: B }\n",
  'shared/circle-b.ts': "import type { A } from './circle-a';\nexport interface B { a: A | null }\n",
};

describe('layer rules (scripts/check-layers.ts)', () => {
  let clean: string;
  let dirty: string;
  beforeAll(() => {
    clean = writeTree(ALLOWED);
    dirty = writeTree({ ...ALLOWED, ...FORBIDDEN });
  });
  afterAll(() => {
    rmSync(clean, { recursive: true, force: true });
    rmSync(dirty, { recursive: true, force: true });
  });

  it('accepts every allowed kind of import', () => {
    const report = checkLayers(clean);
    expect(report.violations).toEqual([]);
    expect(report.files).toBe(Object.keys(ALLOWED).length);
    expect(report.imports).toBe(13);
  });

  it('reports each forbidden import with file:line, the target and the rule', () => {
    const messages = checkLayers(dirty).violations.map((v) => v.message.split(']:')[0] + ']');
    expect(messages.sort()).toEqual(
      [
        'shared/reaches-core.ts:1 imports electron/core/x.ts [shared-stands-alone]',
        "shared/reads-disk.ts:2 imports 'node:fs' [shared-stands-alone]",
        'electron/core/calls-desktop.ts:1 imports electron/desktop/win.ts [core-is-the-bottom]',
        'electron/core/types-from-renderer.ts:1 imports renderer/src/view.tsx [renderer-stays-in-the-browser]',
        'electron/desktop/takes-renderer.ts:1 imports renderer/src/view.tsx [renderer-stays-in-the-browser]',
        "electron/core/uses-electron.ts:1 imports 'electron' [electron-only-in-desktop-adapters]",
        "electron/headless.ts:1 imports 'electron' [electron-only-in-desktop-adapters]",
        "renderer/src/reads-disk.ts:1 imports 'fs/promises' [renderer-uses-only-shared]",
        'renderer/src/calls-core.ts:1 imports electron/core/x.ts [renderer-uses-only-shared]',
        'electron/core/uses-test-double.ts:1 imports test/harness/recorder.ts [no-test-code-in-the-app]',
        'shared/circle-a.ts -> shared/circle-b.ts -> shared/circle-a.ts [no-circles]',
      ].sort(),
    );
  });

  it('the command fails on a forbidden import and says why', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-layers.ts', '--root', dirty], { cwd: ROOT, encoding: 'utf8' });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(
      '[layers] shared/reaches-core.ts:1 imports electron/core/x.ts [shared-stands-alone]: shared/ runs in the core, the desktop adapters and the browser',
    );
    expect(res.stderr).toMatch(/\[layers\] \d+ files, \d+ imports checked in \d+ ms: 11 violation\(s\)/);
  });

  it('the app itself keeps every rule', () => {
    const report = checkLayers(ROOT);
    expect(report.violations.map((v) => v.message)).toEqual([]);
    expect(report.files).toBeGreaterThan(100);
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/check-layers.ts'], { cwd: ROOT, encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/^\[layers\] \d+ files, \d+ imports checked in \d+ ms: no violations\n$/);
    expect(res.status).toBe(0);
  });
});

describe('findCycles', () => {
  const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

  it('gives one loop per circle, starting at its first file, and none for a tree', () => {
    const edges = graph({ a: ['b'], b: ['c', 'd'], c: ['a'], d: [], e: ['e'], f: ['g'], g: [] });
    expect(findCycles(['a', 'b', 'c', 'd', 'e', 'f', 'g'], edges)).toEqual([
      ['a', 'b', 'c', 'a'],
      ['e', 'e'],
    ]);
    expect(findCycles(['d', 'f', 'g'], edges)).toEqual([]);
  });

  it('ignores edges that leave the checked folder', () => {
    expect(findCycles(['a', 'b'], graph({ a: ['x'], x: ['a'], b: [] }))).toEqual([]);
  });

  it('finds the shortest way round a tangle', () => {
    const edges = graph({ a: ['b', 'c'], b: ['c'], c: ['a', 'b'] });
    expect(findCycles(['a', 'b', 'c'], edges)).toEqual([['a', 'c', 'a']]);
  });
});
