import { Worker } from 'node:worker_threads';

/** Which script an ingest worker runs. */
export interface WorkerSpec {
  url: URL;
  /** A TypeScript source (tests, tsx): loaded through tsx's ESM hooks. */
  typescript: boolean;
}

/**
 * The worker beside this module: the TypeScript source under tsx/vitest (loaded with tsx's
 * loader), or the bundle's sibling (`dist/ingest-worker.js`, `dist/electron/ingest-worker.cjs`).
 */
export function defaultWorkerSpec(): WorkerSpec {
  const here = new URL(import.meta.url);
  const ext = /\.(c|m)?(t|j)s$/.exec(here.pathname)?.[0] ?? '.js';
  const url = new URL(`./ingest-worker${ext}`, here);
  return { url, typescript: ext.endsWith('ts') };
}

/**
 * A worker for `spec`. It never inherits the parent's --import preloads (the benchmark's
 * probe must not run in it). Node 20 does not apply `--import tsx` to a worker's own entry,
 * so a TypeScript entry is started by a two-line bootstrap that registers tsx first (tsx is
 * resolved from the working directory: the repository, when tests or tsx scripts run).
 */
export function spawnWorker(spec: WorkerSpec): Worker {
  const options = { execArgv: [], stdout: false, stderr: false };
  if (!spec.typescript) return new Worker(spec.url, options);
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(spec.url.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}
