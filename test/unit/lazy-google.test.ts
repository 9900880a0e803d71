import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

/**
 * The Google client libraries are loaded on first use, not at start (issue 12: they added
 * ~11 MB to the idle RSS of the headless app although ICS is the default). The headless
 * bundle is built as `npm run build:core` builds it, and its imports are read from esbuild's
 * metafile: a static import loads the package at start, a dynamic one only when reached.
 */
const LAZY = ['google-auth-library', '@googleapis/calendar', '@googleapis/people'];

describe('what the headless app loads at start', () => {
  it('the Google libraries only through import() at first use', async () => {
    const out = await build({ entryPoints: ['electron/headless.ts'], bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', write: false, metafile: true, logLevel: 'silent', outfile: 'lazy-check.js' });
    const imports = Object.values(out.metafile.outputs).flatMap((o) => o.imports);
    const external = (kind: string): string[] => [...new Set(imports.filter((i) => i.external && i.kind === kind).map((i) => i.path))];
    const atStart = external('import-statement');
    for (const pkg of LAZY) expect(atStart, pkg).not.toContain(pkg);
    expect(external('dynamic-import').sort()).toEqual(expect.arrayContaining(LAZY));
    // Still loaded at start: what reception needs.
    expect(atStart).toContain('ioredis');
    // Ajv is required when the first validator is compiled (the ingest worker's, or the
    // inline fallback's): the main thread does not load it at start (~2 MB of idle RSS).
    expect(imports.map((i) => i.path).filter((p) => p.startsWith('ajv'))).toEqual([]);
  }, 30_000);
});
