/**
 * Preloaded into the real headless process (`node --expose-gc --import dist/bench/probe.js
 * dist/headless.js`) to measure it from the inside without changing it: ioredis delivers each
 * pub/sub message by emitting `messageBuffer`, and our subscriber handles that synchronously
 * (Monitor.ingest: parse → validate → classify → diff → state → calendar sink). When the emit
 * returns, the state is updated; that is when the message counts and its latency is taken.
 * The only cost in the measured process is this wrapper and one counter increment.
 */
import { Redis } from 'ioredis';
import { installControl } from './control';

const control = installControl();
const proto = Redis.prototype as unknown as { emit: (event: string | symbol, ...args: unknown[]) => boolean };
const emit = proto.emit;
proto.emit = function patchedEmit(this: unknown, event: string | symbol, ...args: unknown[]): boolean {
  const r = emit.call(this, event, ...args);
  if (event === 'messageBuffer') control.onMessage(args[1] as Buffer);
  return r;
};
