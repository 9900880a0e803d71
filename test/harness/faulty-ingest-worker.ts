import { parentPort } from 'node:worker_threads';
import { runIngestWorker } from '../../electron/core/ingest/ingest-worker-loop';

/**
 * The real ingest worker with faults on cue, for the pipeline's containment tests: a message
 * on channel `fault:throw` throws inside the handler, `fault:exit` ends the thread, and
 * `fault:slow:<ms>` makes the worker take that long (a worker slower than the wire).
 */
if (parentPort) {
  runIngestWorker(parentPort, {
    beforeMessage(msg) {
      if (msg.channel === 'fault:throw') throw new Error('injected fault');
      if (msg.channel === 'fault:exit') process.exit(7);
      if (msg.channel.startsWith('fault:slow:')) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(msg.channel.slice('fault:slow:'.length)));
    },
  });
}
