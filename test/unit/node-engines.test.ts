import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Issue 14.6: each use names the Node it needs, and `engines` does not warn on a supported
 * setup (README "Node versions"): the production packages run on Node 20.19+, everything
 * (Electron 45's tooling included) on 22.12+.
 */
const semver = createRequire(import.meta.url)('semver') as { satisfies(version: string, range: string): boolean };
const root = path.join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[]; dev?: boolean; optional?: boolean; devOptional?: boolean }>;
};

function nodeRange(e: { node?: string } | string[] | undefined): string | null {
  if (!e || Array.isArray(e)) return null;
  return e.node ?? null;
}

describe('Node versions', () => {
  it('package.json accepts 20.19+, 22.12+ and 24, not 21 or 22.11', () => {
    for (const v of ['20.19.0', '20.20.2', '22.12.0', '24.0.0', '24.21.0']) expect(semver.satisfies(v, pkg.engines.node), v).toBe(true);
    for (const v of ['20.18.0', '21.7.0', '22.11.0', '18.20.0']) expect(semver.satisfies(v, pkg.engines.node), v).toBe(false);
    expect(lock.packages['']?.engines).toEqual(pkg.engines);
  });

  const entries = Object.entries(lock.packages).filter(([name]) => name !== '');

  it('every production package runs on Node 20.19 (npm ci --omit=dev on Node 20 prints no warning)', () => {
    const prod = entries.filter(([, p]) => !p.dev && !p.devOptional);
    expect(prod.length).toBeGreaterThan(20);
    const bad = prod.filter(([, p]) => {
      const r = nodeRange(p.engines);
      return r !== null && (!semver.satisfies('20.19.0', r) || !semver.satisfies('24.0.0', r));
    });
    expect(bad.map(([n, p]) => `${n} ${nodeRange(p.engines)}`)).toEqual([]);
  });

  it('every package, Electron tooling included, runs on Node 22.12 and 24 (a full install there prints no warning)', () => {
    const bad = entries.filter(([, p]) => {
      const r = nodeRange(p.engines);
      return r !== null && !p.optional && (!semver.satisfies('22.12.0', r) || !semver.satisfies('24.0.0', r));
    });
    expect(bad.map(([n, p]) => `${n} ${nodeRange(p.engines)}`)).toEqual([]);
  });

  it('the packages that need more than Node 20 are build and desktop tooling (dev dependencies), Electron among them', () => {
    const needMore = entries.filter(([, p]) => {
      const r = nodeRange(p.engines);
      return r !== null && !p.optional && !semver.satisfies('20.19.0', r);
    });
    expect(needMore.map(([n]) => n)).toContain('node_modules/electron');
    for (const [n, p] of needMore) expect(p.dev || p.devOptional, n).toBe(true);
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toContain('### Node versions');
    expect(readme).toContain(pkg.engines.node);
  });
});
