import { Worker } from 'node:worker_threads';

/**
 * Polls the app's /health from a worker thread of the test process, so that what the test
 * itself does synchronously (building a 100 MB message, serializing its PUBLISH) is not counted
 * as the app's slowness: the probe's event loop is its own. A request that fails or takes more
 * than 5 s counts as the time it took.
 */
const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
let busy = true;
let slowest = 0;
let count = 0;
parentPort.on('message', () => { busy = false; });
(async () => {
  while (busy) {
    const t0 = Date.now();
    try {
      const res = await fetch(workerData.url, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
    } catch {}
    slowest = Math.max(slowest, Date.now() - t0);
    count++;
    await new Promise((r) => setTimeout(r, workerData.intervalMs));
  }
  parentPort.postMessage({ slowest, count });
})();
`;

export interface HealthProbe {
  stop(): Promise<{ slowestMs: number; requests: number }>;
}

export function startHealthProbe(baseUrl: string, intervalMs = 100): HealthProbe {
  const worker = new Worker(PROBE, { eval: true, workerData: { url: `${baseUrl}/health`, intervalMs } });
  let result: Promise<{ slowestMs: number; requests: number }> | null = null;
  return {
    // Idempotent: a scenario's cleanup may stop it again after a failure.
    stop: () =>
      (result ??= new Promise((resolve, reject) => {
        worker.once('message', (m: { slowest: number; count: number }) => {
          void worker.terminate();
          resolve({ slowestMs: m.slowest, requests: m.count });
        });
        worker.once('error', reject);
        worker.postMessage('stop');
      })),
  };
}
