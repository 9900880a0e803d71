/**
 * Baseline subscribers, each in its own process so memory and CPU are its own:
 *   count      bare ioredis subscriber that only counts (messageBuffer, no decoding)
 *   parse      ioredis 'message' (string) + JSON.parse: the least work a real subscriber can do
 *   parsebuf   ioredis 'messageBuffer' + UTF-8 decode + JSON.parse (the road our subscriber takes)
 * Usage: node baseline-sub.js <mode> <redisUrl> <channel>...
 */
import { Redis } from 'ioredis';
import { installControl } from './control';

const [mode, url, ...channels] = process.argv.slice(2) as [string, string, ...string[]];
const control = installControl();
const redis = new Redis(url, { lazyConnect: true });
let sink = 0;
if (mode === 'count') {
  redis.on('messageBuffer', (_ch: Buffer, msg: Buffer) => control.onMessage(msg));
} else if (mode === 'parse') {
  redis.on('message', (_ch: string, msg: string) => {
    const v = JSON.parse(msg) as { type?: string };
    if (v.type) sink++;
    control.onMessage(msg);
  });
} else if (mode === 'parsebuf') {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  redis.on('messageBuffer', (_ch: Buffer, msg: Buffer) => {
    const v = JSON.parse(decoder.decode(msg)) as { type?: string };
    if (v.type) sink++;
    control.onMessage(msg);
  });
} else throw new Error(`unknown mode ${mode}`);
await redis.connect();
await redis.subscribe(...channels);
control.send({ ev: 'ready' });
process.on('SIGTERM', () => {
  redis.disconnect();
  process.exit(sink >= 0 ? 0 : 1);
});
