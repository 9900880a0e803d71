import { findCycles } from './cycles';
import { importsOf, listSourceFiles, type ImportEdge, type ImportTarget } from './imports';

/**
 * The layer rules of the app (README "Layers"). Each rule names the importing files it
 * governs, what they must not import and why; `checkLayers` applies them to a tree.
 */
export interface LayerRule {
  name: string;
  /** Does this rule govern imports made by `file` (root-relative, `/` separators)? */
  appliesTo: (file: string) => boolean;
  /** Is this import forbidden for such a file? */
  forbids: (target: ImportTarget) => boolean;
  why: string;
}

/** The folders whose files ship in the app; tests and tools may reach across layers. */
export const PRODUCTION_DIRS = ['shared', 'electron', 'renderer/src'] as const;
/** Folders where an import circle is an error (type-only circles included). */
export const ACYCLIC_DIRS = ['shared', 'electron/core', 'renderer/src'] as const;

const under = (dir: string) => (file: string): boolean => file.startsWith(`${dir}/`);
const ourFile = (t: ImportTarget, test: (f: string) => boolean): boolean => t.kind === 'file' && test(t.path);
const isElectron = (t: ImportTarget): boolean => t.kind === 'package' && t.name === 'electron';

/**
 * The Electron adapters: electron/desktop/, plus electron/preload.ts, which is the
 * renderer-side half of the IPC adapter (it must sit at electron/ level because the build
 * bundles it on its own, scripts/build-electron.mjs). electron/main.ts only joins core and
 * desktop and imports no `electron` itself.
 */
export const isDesktopAdapter = (file: string): boolean => under('electron/desktop')(file) || file === 'electron/preload.ts';

export const RULES: readonly LayerRule[] = [
  {
    name: 'shared-stands-alone',
    appliesTo: under('shared'),
    forbids: (t) => ourFile(t, (f) => !under('shared')(f)) || t.kind === 'builtin' || isElectron(t),
    why: 'shared/ runs in the core, the desktop adapters and the browser: it imports only shared/ and npm packages (no Node built-ins, no electron)',
  },
  {
    name: 'core-is-the-bottom',
    appliesTo: under('electron/core'),
    forbids: (t) => ourFile(t, (f) => under('electron')(f) && !under('electron/core')(f)),
    why: 'electron/core/ imports neither the desktop adapters nor the entry points (nor the renderer: renderer-stays-in-the-browser)',
  },
  {
    name: 'electron-only-in-desktop-adapters',
    appliesTo: (f) => PRODUCTION_DIRS.some((d) => under(d)(f)) && !isDesktopAdapter(f),
    forbids: isElectron,
    why: 'only the desktop adapters (electron/desktop/, electron/preload.ts) import the electron package; core and headless run in plain Node',
  },
  {
    name: 'renderer-uses-only-shared',
    appliesTo: under('renderer/src'),
    forbids: (t) => ourFile(t, (f) => !under('renderer/src')(f) && !under('shared')(f)) || t.kind === 'builtin',
    why: 'the renderer runs in a browser: from outside renderer/src it imports only shared/ (no Node built-ins)',
  },
  {
    name: 'renderer-stays-in-the-browser',
    appliesTo: (f) => under('shared')(f) || under('electron')(f),
    forbids: (t) => ourFile(t, under('renderer')),
    why: 'the Node side (core, desktop adapters, preload, shells) takes nothing from renderer/; what both sides need lives in shared/',
  },
  {
    name: 'no-test-code-in-the-app',
    appliesTo: (f) => PRODUCTION_DIRS.some((d) => under(d)(f)),
    forbids: (t) => ourFile(t, under('test')),
    why: 'test doubles and harnesses stay in test/; the app gets them as options',
  },
];

export interface Violation {
  rule: string;
  file: string;
  line: number;
  message: string;
}

export interface LayerReport {
  files: number;
  imports: number;
  violations: Violation[];
}

/** Applies RULES and the no-circle rule to the tree at `root`. */
export function checkLayers(root: string, rules: readonly LayerRule[] = RULES): LayerReport {
  const files = listSourceFiles(root, PRODUCTION_DIRS);
  const violations: Violation[] = [];
  const graph = new Map<string, string[]>();
  let imports = 0;
  for (const file of files) {
    const edges: ImportEdge[] = importsOf(root, file);
    imports += edges.length;
    graph.set(
      file,
      edges.flatMap((e) => (e.target.kind === 'file' ? [e.target.path] : [])),
    );
    for (const rule of rules) {
      if (!rule.appliesTo(file)) continue;
      for (const e of edges) {
        if (!rule.forbids(e.target)) continue;
        const what = e.target.kind === 'file' ? e.target.path : `'${e.specifier}'`;
        violations.push({ rule: rule.name, file, line: e.line, message: `${file}:${e.line} imports ${what} [${rule.name}]: ${rule.why}` });
      }
    }
  }
  for (const dir of ACYCLIC_DIRS) {
    const inDir = files.filter((f) => f.startsWith(`${dir}/`));
    for (const loop of findCycles(inDir, graph)) {
      violations.push({
        rule: 'no-circles',
        file: loop[0]!,
        line: 1,
        message: `${loop.join(' -> ')} [no-circles]: imports in ${dir}/ form a circle (type-only imports count); move the shared piece to the module it belongs to`,
      });
    }
  }
  return { files: files.length, imports, violations };
}
