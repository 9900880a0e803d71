// The esbuild options of the Electron bundles, in one place: scripts/build-electron.mjs
// builds the app's, and the Electron end-to-end test builds its own entry the same way.
// - main process: every dependency is bundled, so the packaged app does not depend on which
//   node_modules electron-builder decides to copy; only `electron` stays external.
// - preload: one file, because a sandboxed preload can require nothing but `electron`.

function common(root) {
  return {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['electron'],
    sourcemap: true,
    logLevel: 'warning',
    legalComments: 'none',
  };
}

/**
 * CommonJS has no `import.meta`: the core's `import.meta.url` (ingest-pipeline.ts finds its
 * worker beside its own bundle) becomes the bundle's file URL.
 */
const importMetaUrl = {
  define: { 'import.meta.url': '__bundleFileUrl' },
  banner: { js: "const __bundleFileUrl = require('node:url').pathToFileURL(__filename).href;" },
};

/** A main-process bundle (the main entry, the ingest worker thread). */
export function mainProcessBundle(root, entry, outfile) {
  return { ...common(root), ...importMetaUrl, entryPoints: [entry], outfile };
}

/**
 * The preload runs in the renderer's sandbox: browser-ish, no Node built-ins to lean on.
 * Minified: the sandbox parses it on every load. It imports only shared/contract-channels.ts
 * (no zod): about 2.7 kB.
 */
export function preloadBundle(root, entry, outfile) {
  return { ...common(root), entryPoints: [entry], outfile, sourcemap: false, minify: true };
}
