// `npm run simulate -- --redis redis://localhost:6379`: plays a realistic FOGIS processor run
// (the recorded one in test/fixtures, re-stamped to now) so a user can watch the app work
// without the FOGIS stack: new matches, a kickoff change, a referee change, a cancellation,
// a removal and a failed cycle with its alert.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { dayShift, parseRecording, recordedAt, recordingSteps, restamp } from '../electron/core/demo/recorded-run';

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

const USAGE = `usage: npm run simulate -- [--redis redis://host:6379] [--interval ms] [--as-recorded]

  --redis URL      the Redis FOGIS Monitor listens to (default: $REDIS_URL or redis://localhost:6379)
  --interval MS    pause between the 8 processor cycles (default 2000)
  --as-recorded    keep the recorded match dates; by default every date field of a match
                   (tid, speldatum, avsparkstid, tidsangivelse) moves by the same whole days,
                   so the run looks like it happens now
  --help           this text`;

function fail(message: string): never {
  console.error(`[simulate] ${message}\n\n${USAGE}`);
  process.exit(2);
}

let values: { redis: string; interval: string; help: boolean; 'as-recorded': boolean };
try {
  ({ values } = parseArgs({
    options: {
      redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://localhost:6379' },
      interval: { type: 'string', default: '2000' },
      'as-recorded': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (err) {
  // parseArgs' own words ("Option '--redis <value>' argument missing"), without a stack trace.
  fail((err as Error).message.replace(/\s*To specify an option argument.*$/s, ''));
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const interval = Number(values.interval);
if (!/^\d+$/.test(values.interval) || interval > 600_000) fail(`--interval must be a whole number of milliseconds up to 600000, not "${values.interval}"`);
const masked = values.redis.replace(/\/\/[^@/]*@/, '//****@');
try {
  const u = new URL(values.redis);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error('not redis');
} catch {
  fail(`--redis must be a Redis address like redis://localhost:6379, not "${masked}"`);
}

const file = path.join(import.meta.dirname, '..', 'test', 'fixtures', 'processor-run-default.jsonl');
const lines = parseRecording(readFileSync(file, 'utf8'));
const days = values['as-recorded'] ? 0 : dayShift(recordedAt(lines), Date.now());
console.log(
  days === 0
    ? '[simulate] match dates as recorded (tid, speldatum, avsparkstid and tidsangivelse unchanged)'
    : `[simulate] match dates moved ${days} days forward (tid, speldatum, avsparkstid and tidsangivelse alike), clock times kept`,
);

const redis = new Redis(values.redis, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
redis.on('error', () => undefined);
try {
  await redis.connect();
} catch (err) {
  console.error(`[simulate] cannot connect to ${masked}: ${(err as Error).message}`);
  process.exit(1);
}
const steps = recordingSteps(lines);
for (const [i, step] of steps.entries()) {
  let receivers = 0;
  for (const line of step) receivers = Math.max(receivers, await redis.publish(line.channel, restamp(line.raw, { days })));
  console.log(`[simulate] step ${i + 1}/${steps.length}: ${STEP_TEXT[i] ?? ''} (${step.length} messages, ${receivers} subscriber${receivers === 1 ? '' : 's'})`);
  if (receivers === 0) console.log('[simulate]   nobody is subscribed: is FOGIS Monitor running against this Redis?');
  if (i < steps.length - 1) await new Promise((r) => setTimeout(r, interval));
}
redis.disconnect();
console.log('[simulate] done');
