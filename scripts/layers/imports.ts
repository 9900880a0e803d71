import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

/** What an import points at: one of our files, an npm package, or a Node built-in. */
export type ImportTarget =
  | { kind: 'file'; path: string }
  | { kind: 'package'; name: string }
  | { kind: 'builtin'; name: string };

export interface ImportEdge {
  /** Importing file, relative to the root, with `/` separators. */
  from: string;
  line: number;
  specifier: string;
  target: ImportTarget;
}

const SOURCE_EXT = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'build', '.git', 'test-results']);
const BUILTINS = new Set(builtinModules);

// The same resolution the type-checker and the bundlers use (tsconfig.base.json), so an
// import counts as what it really loads; `allowJs` lets `.mjs` scripts be followed too.
const RESOLVE_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowJs: true,
  resolveJsonModule: true,
  jsx: ts.JsxEmit.ReactJSX,
};

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** Every source file under `dirs` (relative to root), as root-relative posix paths, sorted. */
export function listSourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (abs: string): void => {
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return; // a folder the tree does not have (e.g. a fixture tree without bench/)
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(path.join(abs, e.name));
      } else if (SOURCE_EXT.test(e.name)) {
        out.push(toPosix(path.relative(root, path.join(abs, e.name))));
      }
    }
  };
  for (const d of dirs) walk(path.join(root, d));
  return out.sort();
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(packageName(specifier));
}

/**
 * The imports of one file: static, type-only, re-exports, dynamic `import()` (also in type
 * positions) and `require()`. Read with the compiler's pre-processor, which only scans
 * import syntax, so a whole tree takes well under a second.
 */
export function importsOf(root: string, file: string): ImportEdge[] {
  const abs = path.join(root, file);
  const text = readFileSync(abs, 'utf8');
  const info = ts.preProcessFile(text, true, true);
  const lineOf = (pos: number): number => text.slice(0, pos).split('\n').length;
  return info.importedFiles.map(({ fileName: specifier, pos }) => {
    const edge = { from: file, line: lineOf(pos), specifier };
    if (specifier.startsWith('.') || specifier.startsWith('/')) {
      const resolved = ts.resolveModuleName(specifier, abs, RESOLVE_OPTIONS, ts.sys).resolvedModule;
      // Unresolvable relative imports (a stylesheet, a file that is not there) still point
      // into a folder, and the folder is what the layer rules judge.
      const target = resolved?.resolvedFileName ?? path.resolve(path.dirname(abs), specifier);
      return { ...edge, target: { kind: 'file', path: toPosix(path.relative(root, target)) } };
    }
    if (isBuiltin(specifier)) return { ...edge, target: { kind: 'builtin', name: specifier } };
    return { ...edge, target: { kind: 'package', name: packageName(specifier) } };
  });
}
