import { parentPort } from 'node:worker_threads';
import { runIngestWorker } from './ingest-worker-loop';

/**
 * Entry of the ingest worker thread (a separate bundle entry: scripts/build-core.mjs,
 * build-electron.mjs). Everything it does is in ingest-worker-loop.ts.
 */
if (parentPort) runIngestWorker(parentPort);
