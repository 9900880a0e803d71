import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.dirname(fileURLToPath(import.meta.url));

// The dev server injects an inline React-refresh preamble that the strict CSP would block;
// the CSP stays in every build, only `vite dev` drops it.
function dropCspInDev(): Plugin {
  return {
    name: 'fogis-drop-csp-in-dev',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[\s\S]*?\/>/, ''),
  };
}

export default defineConfig({
  root: here,
  base: './',
  plugins: [react(), dropCspInDev()],
  build: {
    outDir: path.resolve(here, '../dist/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // No inline scripts anywhere: the CSP has no 'unsafe-inline' for scripts.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: {
      // zod ships /*#__PURE__*/ comments Rollup cannot place; harmless, and it hid real warnings.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
    },
  },
  server: {
    // `npm run headless` listens on 5003; proxy the API so dev:renderer talks to a real core.
    proxy: { '/api': 'http://127.0.0.1:5003', '/redis-restart': 'http://127.0.0.1:5003', '/redis-test': 'http://127.0.0.1:5003' },
  },
});
