/**
 * The hot path alone, in one process, for profiling: Monitor.ingest (recording sink) of N
 * messages of one size with unique ids. Prints µs per message.
 *   node --import tsx --cpu-prof --cpu-prof-dir=.scratch/prof bench/profile-ingest.ts m10 5000
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configSchema } from '../shared/config';
import { createMemoryLogger } from '../electron/core/log';
import { Monitor } from '../electron/core/monitor/monitor';
import { warmValidators } from '../electron/core/messages/validator';
import { RecordingSink } from '../test/harness/recording-sink';
import { messageText, stamp, type SizeName } from './messages';

const size = (process.argv[2] ?? 'm10') as SizeName;
const n = Number(process.argv[3] ?? 3000);
const listeners = process.argv.includes('--listener');
const dir = mkdtempSync(path.join(tmpdir(), 'fogis-prof-'));
const config = configSchema.parse({});
warmValidators();
const monitor = new Monitor(config, { log: createMemoryLogger(), dataDir: dir, sink: new RecordingSink() });
if (listeners) monitor.onEvent(() => undefined);
const template = Buffer.from(messageText(process.cwd(), size), 'utf8');
const channel = size === 'small' ? 'fogis:processor:status' : 'fogis:matches:updates';
const msgs: Buffer[] = [];
for (let i = 0; i < Math.min(n, size === 'm1000' ? 20 : n); i++) {
  const b = Buffer.from(template);
  stamp(b, 0, i + 1, 0);
  msgs.push(b);
}
let seq = 1_000_000;
const t0 = performance.now();
for (let i = 0; i < n; i++) {
  const b = msgs[i % msgs.length]!;
  stamp(b, 0, ++seq, 0);
  monitor.ingest(channel, b);
}
const ms = performance.now() - t0;
const c = monitor.getCounters();
console.log(`${size}: ${n} messages, ${((ms * 1000) / n).toFixed(1)} µs/msg (${Math.round((n / ms) * 1000)}/s); processed ${c.messages_processed}, errors ${c.errors}, duplicates ${c.duplicates}`);
await monitor.flush();
monitor.dispose();
process.exit(0);
