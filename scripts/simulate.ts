// `npm run simulate -- --redis redis://localhost:6379`: plays a realistic FOGIS processor run
// (the recorded one in test/fixtures, re-stamped to now) so a user can watch the app work
// without the FOGIS stack: new matches, a kickoff change, a referee change, a cancellation,
// a removal and a failed cycle with its alert.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { fixtureSteps, loadFixture } from '../test/harness/fixture';

const STEP_TEXT = [
  'first sighting of 3 matches',
  'kickoff of Öckerö IF - Torslanda IK moved 15:00 → 16:30; venue of Kärra KIF - Lerums IS renamed',
  'a referee added (the processor publishes only "started" for referee-only changes)',
  'AD1 replaced and kickoff moved 16:30 → 17:00',
  'Kärra KIF - Lerums IS cancelled',
  'IFK Björkö - Hovås Billdal IF removed from the list',
  'a cycle without changes',
  'a failed cycle with a system alert',
];

const { values } = parseArgs({
  options: {
    redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://localhost:6379' },
    interval: { type: 'string', default: '2000' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('usage: npm run simulate -- [--redis redis://host:6379] [--interval ms]');
  process.exit(0);
}

const lines = loadFixture();
const recordedAt = Date.parse(/"timestamp": "([^"]+)"/.exec(lines[0]?.raw ?? '')?.[1] ?? '') || Date.now();
// Whole days, so kickoffs keep their clock times (15:00 stays 15:00).
const DAY = 86_400_000;
const shift = Math.max(0, Math.round((Date.now() - recordedAt) / DAY)) * DAY;

function restamp(raw: string): string {
  const now = new Date().toISOString().replace('Z', '000Z').replace(/\.(\d{6})\d*Z$/, '.$1Z');
  return raw
    .replace(/"message_id": "[^"]+"/, `"message_id": "${randomUUID()}"`)
    .replace(/"(timestamp|processing_timestamp)": "[^"]+"/g, `"$1": "${now}"`)
    .replace(/\/Date\((\d+)\)\//g, (_m, ms: string) => `/Date(${Number(ms) + shift})/`);
}

const redis = new Redis(values.redis, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
redis.on('error', () => undefined);
try {
  await redis.connect();
} catch (err) {
  console.error(`[simulate] cannot connect to ${values.redis.replace(/\/\/[^@]*@/, '//****@')}: ${(err as Error).message}`);
  process.exit(1);
}
const interval = Number(values.interval);
const steps = fixtureSteps(lines);
for (const [i, step] of steps.entries()) {
  let receivers = 0;
  for (const line of step) receivers = Math.max(receivers, await redis.publish(line.channel, restamp(line.raw)));
  console.log(`[simulate] step ${i + 1}/${steps.length}: ${STEP_TEXT[i] ?? ''} (${step.length} messages, ${receivers} subscriber${receivers === 1 ? '' : 's'})`);
  if (receivers === 0) console.log('[simulate]   nobody is subscribed: is FOGIS Monitor running against this Redis?');
  if (i < steps.length - 1) await new Promise((r) => setTimeout(r, interval));
}
redis.disconnect();
console.log('[simulate] done');
