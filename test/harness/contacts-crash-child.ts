/**
 * Child process for the contacts crash test: the phonebook with Google Contacts on, fed one
 * list, left writing until the parent SIGKILLs it; `resume` only starts and drains.
 * Usage: node --import tsx <this> <dataDir> <rootUrl> <tokenUrl> <matchesFile> <burst|resume>
 */
import { readFileSync } from 'node:fs';
import { configSchema } from '../../shared/config';
import type { FogisMatch } from '../../shared/messages';
import { ContactsService } from '../../electron/core/contacts/index';
import { createMemoryLogger } from '../../electron/core/log';
import { CONTACTS_SCOPE, GoogleAuth, TOKEN_SECRET_NAME } from '../../electron/core/sync/google-auth';
import { MemorySecretStore } from './calendar-helpers';

const [dataDir, rootUrl, tokenUrl, matchesFile, mode] = process.argv.slice(2) as [string, string, string, string, string];
const matches = JSON.parse(readFileSync(matchesFile, 'utf8')) as FogisMatch[];
const store = new MemorySecretStore();
store.values.set(TOKEN_SECRET_NAME, JSON.stringify({ refresh_token: 'r', access_token: null, expiry_date: null, scope: `https://www.googleapis.com/auth/calendar ${CONTACTS_SCOPE}`, client_id: 'cid', client_secret: 's', token_uri: null }));
const log = createMemoryLogger();
const auth = new GoogleAuth({ secretStore: store, log, credentialsPath: '/nonexistent', tokenImportPath: null, tokenUrl });
await auth.load();
const svc = new ContactsService(
  { ...configSchema.parse({}), contacts: { ownRefereeNumber: '', googleSync: true } },
  { dataDir, log, raiseAlert: () => undefined, auth, peopleRootUrl: rootUrl, retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 8 } },
);
await svc.start();
if (mode !== 'resume') svc.onMatchList({ matches, changes: [], messageId: 'burst', receivedAt: new Date().toISOString() });
process.stdout.write('fed\n');
const done = await svc.drainGoogle(60_000);
process.stdout.write(done ? 'drained\n' : 'not-drained\n');
await svc.stop();
process.exit(0);
