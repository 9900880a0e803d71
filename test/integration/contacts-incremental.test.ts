import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FogisMatch } from '../../shared/messages';
import { deriveContacts } from '../../electron/core/contacts/contacts-from-matches';
import { CONTACTS_STORE_FILE, ContactsService, VCARD_FILE } from '../../electron/core/contacts/index';
import { contactsToVcf } from '../../electron/core/contacts/vcard';
import { createMemoryLogger } from '../../electron/core/log';
import { diffMatchList } from '../../electron/core/monitor/match-diff';
import { CONTACTS_SCOPE, GoogleAuth, TOKEN_SECRET_NAME } from '../../electron/core/sync/google-auth';
import type { MatchListInput } from '../../electron/core/sync/calendar-sink';
import { FIXTURE_NOW, fixtureLists, MemorySecretStore, testConfig } from '../harness/calendar-helpers';
import { startFakePeopleServer, type FakePeopleServer } from '../harness/fake-people-server';

/**
 * The phonebook is derived again only when a list changes something it reads (issue 12): the
 * lists carry the monitor's change model (match-diff.ts diffMatchList, against the list
 * taken before), as the monitor hands them over. Real files, the recorded processor run.
 */

const dirs: string[] = [];
const services: ContactsService[] = [];
const servers: FakePeopleServer[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  for (const f of servers.splice(0)) await f.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const config = testConfig();
const opts = { ownRefereeNumber: '', timeZone: config.calendar.timeZone };

/** Hands lists to the phonebook with their change model, as Monitor.applyMatchList does. */
function feeder(svc: ContactsService): (list: FogisMatch[]) => MatchListInput {
  let prev: FogisMatch[] = [];
  let basis: { messageId: string; receivedAt: string } | null = null;
  let n = 0;
  return (list) => {
    n++;
    const at = new Date(FIXTURE_NOW + n * 1000).toISOString();
    const id = `list-${n}`;
    const { changes, quiet } = diffMatchList(prev, list, at, id);
    const input: MatchListInput = { matches: list, changes, quiet, basis, messageId: id, receivedAt: at };
    svc.onMatchList(input);
    prev = list;
    basis = { messageId: id, receivedAt: at };
    return input;
  };
}

async function service(dataDir?: string, auth: GoogleAuth | null = null, peopleRootUrl?: string): Promise<{ svc: ContactsService; dir: string }> {
  const dir = dataDir ?? mkdtempSync(path.join(tmpdir(), 'contacts-incremental-'));
  if (!dataDir) dirs.push(dir);
  const googleConfig = auth ? { ...config, contacts: { ...config.contacts, googleSync: true } } : config;
  const svc = new ContactsService(googleConfig, {
    dataDir: dir,
    log: createMemoryLogger(),
    raiseAlert: () => undefined,
    auth,
    ...(peopleRootUrl ? { peopleRootUrl } : {}),
    retry: { baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 3 },
    now: () => FIXTURE_NOW,
  });
  services.push(svc);
  await svc.start();
  return { svc, dir };
}

/** The list with match `i` replaced by a changed copy (a changed match arrives as a new object). */
function changed(list: FogisMatch[], i: number, change: (m: FogisMatch) => void): FogisMatch[] {
  const next = [...list];
  const m = structuredClone(list[i]!);
  change(m);
  next[i] = m;
  return next;
}

const fileId = (file: string): string => {
  const st = statSync(file);
  return `${st.ino}:${st.mtimeMs}`;
};

describe('phonebook: derived again only when a list changes what it reads', () => {
  const lists = fixtureLists();

  it('the recorded run list by list (first list, new kickoff, referees swapped, a match removed): the book and contacts.vcf equal a fresh derivation each time', async () => {
    const { svc, dir } = await service();
    const feed = feeder(svc);
    for (const [i, list] of lists.entries()) {
      feed(list);
      const want = deriveContacts(list, opts).contacts;
      expect(svc.contacts().contacts, `list ${i + 1}`).toEqual(want);
      expect(await svc.readVcard()).toBe(contactsToVcf(want));
      expect(readFileSync(path.join(dir, VCARD_FILE), 'utf8'), `contacts.vcf after list ${i + 1}`).toBe(contactsToVcf(want));
    }
    const keys = svc.contacts().contacts.map((c) => c.key);
    // List 3 swapped AD1 (61002 → 61006) and added AD2 61005; list 5 removed 6400103 (Gustav, 61004).
    expect(keys).toEqual(expect.arrayContaining(['ref:61001', 'ref:61003', 'ref:61005', 'ref:61006']));
    expect(keys).not.toContain('ref:61002');
    expect(keys).not.toContain('ref:61004');
  });

  it('a new venue (nothing the phonebook reads): the same book, contacts.vcf not rewritten, the saved phonebook dated by the new list', async () => {
    const { svc, dir } = await service();
    const feed = feeder(svc);
    feed(lists[1]!);
    const book = svc.contacts().contacts;
    await svc.readVcard();
    const vcf = path.join(dir, VCARD_FILE);
    const before = { file: fileId(vcf), writtenAt: svc.getState().vcard.writtenAt };
    const input = feed(changed(lists[1]!, 0, (m) => (m.anlaggningnamn = 'Nya arenan')));
    expect(input.changes.map((c) => c.matchId)).toEqual(['6400101']);
    // The very same array: nothing was derived again.
    expect(svc.contacts().contacts).toBe(book);
    await svc.readVcard();
    expect(fileId(vcf)).toBe(before.file);
    expect(svc.getState().vcard.writtenAt).toBe(before.writtenAt);
    expect(svc.getState().updatedAt).toBe(input.receivedAt);
    await svc.stop();
    const saved = JSON.parse(readFileSync(path.join(dir, CONTACTS_STORE_FILE), 'utf8')) as { updatedAt: string; matches: FogisMatch[] };
    expect(saved.updatedAt).toBe(input.receivedAt);
    expect(saved.matches.map((m) => m.matchid)).toEqual(lists[1]!.map((m) => m.matchid));
  });

  it('a referee phone changed: the book and contacts.vcf follow', async () => {
    const { svc, dir } = await service();
    const feed = feeder(svc);
    feed(lists[1]!);
    await svc.readVcard();
    const vcf = path.join(dir, VCARD_FILE);
    const before = fileId(vcf);
    const next = changed(lists[1]!, 0, (m) => (m.domaruppdraglista![0]!.mobiltelefon = '0709-111222'));
    feed(next);
    const anna = svc.contacts().contacts.find((c) => c.key === 'ref:61001');
    expect(anna?.phone).toBe('+46709111222');
    expect(svc.contacts().contacts).toEqual(deriveContacts(next, opts).contacts);
    await svc.readVcard();
    expect(fileId(vcf)).not.toBe(before);
    expect(readFileSync(vcf, 'utf8')).toContain('+46709111222');
  });

  it('a change the dashboard does not show (a referee number: a quiet change) still reaches the book', async () => {
    const { svc } = await service();
    const feed = feeder(svc);
    feed(lists[1]!);
    const next = changed(lists[1]!, 1, (m) => (m.domaruppdraglista![0]!.domarnr = 61999));
    const input = feed(next);
    expect(input.changes).toEqual([]);
    expect(input.quiet).toEqual(['6400102']);
    const keys = svc.contacts().contacts.map((c) => c.key);
    expect(keys).toContain('ref:61999');
    expect(keys).not.toContain('ref:61003');
    expect(svc.contacts().contacts).toEqual(deriveContacts(next, opts).contacts);
  });

  it('lists in a burst (one flush), a list without a change model, and a restart: the book is always the fresh derivation', async () => {
    const { svc, dir } = await service();
    const feed = feeder(svc);
    for (const list of lists) feed(list);
    expect(svc.contacts().contacts).toEqual(deriveContacts(lists[4]!, opts).contacts);
    // No model (as after a start): every match is compared; a swapped referee is still seen.
    const swapped = changed(lists[4]!, 0, (m) => (m.domaruppdraglista![1]!.personnamn = 'Ny Domare'));
    svc.onMatchList({ matches: swapped, changes: [], messageId: 'no-model', receivedAt: new Date(FIXTURE_NOW + 60_000).toISOString() });
    expect(svc.contacts().contacts).toEqual(deriveContacts(swapped, opts).contacts);
    expect(svc.contacts().contacts.find((c) => c.key === 'ref:61006')?.name).toBe('Ny Domare');
    await svc.stop();
    services.splice(services.indexOf(svc), 1);

    const again = await service(dir);
    const vcf = path.join(dir, VCARD_FILE);
    const before = fileId(vcf);
    const feedAgain = feeder(again.svc);
    feedAgain(swapped);
    expect(again.svc.contacts().contacts).toEqual(deriveContacts(swapped, opts).contacts);
    await again.svc.readVcard();
    // The same people as before the restart: contacts.vcf is not written again.
    expect(fileId(vcf)).toBe(before);
  });

  it('Google Contacts: a new venue sends nothing; a changed phone updates that one referee', async () => {
    const fake = await startFakePeopleServer();
    servers.push(fake);
    const store = new MemorySecretStore();
    store.values.set(TOKEN_SECRET_NAME, JSON.stringify({ refresh_token: 'refresh-ok', access_token: null, expiry_date: null, scope: `https://www.googleapis.com/auth/calendar ${CONTACTS_SCOPE}`, client_id: 'cid.apps.googleusercontent.com', client_secret: 'csecret', token_uri: null }));
    const dir = mkdtempSync(path.join(tmpdir(), 'contacts-incremental-google-'));
    dirs.push(dir);
    const auth = new GoogleAuth({ secretStore: store, log: createMemoryLogger(), credentialsPath: path.join(dir, 'credentials.json'), tokenImportPath: null, tokenUrl: fake.tokenUrl });
    await auth.load();
    const { svc } = await service(dir, auth, fake.rootUrl);
    const feed = feeder(svc);
    feed(lists[1]!);
    expect(await svc.drainGoogle(10_000)).toBe(true);
    expect(fake.count('create')).toBe(4);

    const calls = fake.count();
    feed(changed(lists[1]!, 0, (m) => (m.anlaggningnamn = 'Nya arenan')));
    expect(await svc.drainGoogle(5_000)).toBe(true);
    expect(fake.count()).toBe(calls);
    expect(svc.getState().google.pending).toBe(0);

    feed(changed(lists[1]!, 0, (m) => (m.domaruppdraglista![0]!.mobiltelefon = '0709-111222')));
    expect(await svc.drainGoogle(5_000)).toBe(true);
    expect(fake.count('update')).toBe(1);
    expect(fake.count('create')).toBe(4);
    const anna = fake.people().find((p) => p.externalIds?.[0]?.value === 'FogisId=DomarNr=61001');
    expect(anna?.phoneNumbers).toEqual([{ value: '+46709111222', type: 'mobile' }]);
  });
});
