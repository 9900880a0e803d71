/**
 * Preloaded into the real headless process (`node --expose-gc --import dist/bench/probe.js
 * dist/headless.js`) to measure it from the inside without changing it. A message counts (and
 * its latency is taken) once its result is applied to the state:
 * - with the ingest pipeline (electron/core/ingest), when the pipeline announces the applied
 *   result on its diagnostics channel (the worker parses, validates and diffs; the main
 *   thread applies);
 * - with an older build that handles messages synchronously in the `messageBuffer` listener
 *   (`--headless=` another commit), when ioredis' emit of that event returns.
 * The only cost in the measured process is this wrapper and one counter increment.
 */
import diagnostics_channel from 'node:diagnostics_channel';
import { Redis } from 'ioredis';
import { installControl } from './control';

const control = installControl();
let pipeline = false;
diagnostics_channel.subscribe('fogis-monitor:ingest-pipeline', () => {
  pipeline = true;
});
diagnostics_channel.subscribe('fogis-monitor:ingest-applied', (m) => {
  // The bench's message ids carry the publish time (bench/messages.ts); `stampOf` reads it at
  // its offset in the message text, which starts with this prefix.
  const id = (m as { messageId: string | null }).messageId;
  if (id !== null) control.onMessage(`{"message_id": "${id}`);
});
const proto = Redis.prototype as unknown as { emit: (event: string | symbol, ...args: unknown[]) => boolean };
const emit = proto.emit;
proto.emit = function patchedEmit(this: unknown, event: string | symbol, ...args: unknown[]): boolean {
  const r = emit.call(this, event, ...args);
  if (event === 'messageBuffer' && !pipeline) control.onMessage(args[1] as Buffer);
  return r;
};
