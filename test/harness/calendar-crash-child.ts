/**
 * Child process for the crash test: a Google calendar sink on a data dir, fed one burst of
 * matches, left writing until the parent SIGKILLs it. Usage: node --import tsx <this> <dataDir> <rootUrl> <tokenUrl> <matchesFile>
 */
import { readFileSync } from 'node:fs';
import { configSchema } from '../../shared/config';
import type { FogisMatch } from '../../shared/messages';
import { createCalendarSink } from '../../electron/core/sync';
import { createMemoryLogger } from '../../electron/core/log';
import { signedInStore } from './calendar-helpers';

const [dataDir, rootUrl, tokenUrl, matchesFile, mode] = process.argv.slice(2) as [string, string, string, string, string | undefined];
const matches = JSON.parse(readFileSync(matchesFile, 'utf8')) as FogisMatch[];
const sink = createCalendarSink(
  configSchema.parse({ calendar: { backend: 'google' } }),
  { dataDir, log: createMemoryLogger(), raiseAlert: () => undefined, publicBaseUrl: () => 'http://127.0.0.1:5003' },
  { secretStore: signedInStore(), googleRootUrl: rootUrl, tokenUrl, tokenImportPath: null, retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 8 }, saveDelayMs: 5 },
);
await sink.start();
if (mode !== 'resume') sink.onMatchList({ matches, changes: [], messageId: 'burst', receivedAt: new Date().toISOString() });
process.stdout.write('fed\n');
const done = await sink.drain(60_000);
process.stdout.write(done ? 'drained\n' : 'not-drained\n');
await sink.stop();
process.exit(0);
