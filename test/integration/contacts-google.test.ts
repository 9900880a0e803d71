import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FogisMatch } from '../../shared/messages';
import { ContactsService } from '../../electron/core/contacts/index';
import { PEOPLE_SYNC_FILE } from '../../electron/core/contacts/people-sync-file';
import { MAX_RETRY_AFTER_MS, retryAfterMs } from '../../electron/core/contacts/people-writer';
import { createMemoryLogger } from '../../electron/core/log';
import { CONTACTS_SCOPE, GoogleAuth, TOKEN_SECRET_NAME } from '../../electron/core/sync/google-auth';
import type { AppAlertInput } from '../../electron/core/sync/calendar-sink';
import { fixtureLists, listInput, MemorySecretStore, testConfig, waitFor } from '../harness/calendar-helpers';
import { startFakePeopleServer, type FakePeopleServer, type FakePerson } from '../harness/fake-people-server';

const CAL = 'https://www.googleapis.com/auth/calendar';
const fast = { baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 6 };

function tokenStore(scope: string | null = `${CAL} ${CONTACTS_SCOPE}`): MemorySecretStore {
  const s = new MemorySecretStore();
  s.values.set(TOKEN_SECRET_NAME, JSON.stringify({ refresh_token: 'refresh-ok', access_token: null, expiry_date: null, scope, client_id: 'cid.apps.googleusercontent.com', client_secret: 'csecret', token_uri: null }));
  return s;
}

const referees = (p: FakePerson[]): FakePerson[] => p.filter((x) => (x.externalIds ?? []).some((e) => e.value?.startsWith('FogisId=DomarNr=')));
const extIds = (p: FakePerson[]): string[] => p.flatMap((x) => (x.externalIds ?? []).map((e) => e.value ?? '')).sort();

describe('Google Contacts against a local People API server', () => {
  let fake: FakePeopleServer;
  let dataDir: string;
  let alerts: AppAlertInput[];
  const services: ContactsService[] = [];

  beforeEach(async () => {
    fake = await startFakePeopleServer();
    dataDir = mkdtempSync(path.join(tmpdir(), 'contacts-google-'));
    alerts = [];
  });
  afterEach(async () => {
    for (const s of services.splice(0)) await s.stop();
    await fake.close();
  });

  async function start(o: { googleSync?: boolean; own?: string; store?: MemorySecretStore; retry?: typeof fast } = {}): Promise<{ svc: ContactsService; auth: GoogleAuth }> {
    const log = createMemoryLogger();
    const auth = new GoogleAuth({ secretStore: o.store ?? tokenStore(), log, credentialsPath: path.join(dataDir, 'credentials.json'), tokenImportPath: null, tokenUrl: fake.tokenUrl });
    await auth.load();
    const config = { ...testConfig(), contacts: { ownRefereeNumber: o.own ?? '', googleSync: o.googleSync ?? true } };
    const svc = new ContactsService(config, { dataDir, log, raiseAlert: (a) => alerts.push(a), auth, peopleRootUrl: fake.rootUrl, retry: o.retry ?? fast, peopleTimeoutMs: 5_000 });
    services.push(svc);
    await svc.start();
    return { svc, auth };
  }

  it('is off by default: no request reaches Google', async () => {
    const { svc } = await start({ googleSync: false });
    svc.onMatchList(listInput(fixtureLists()[0]!));
    expect(await svc.drainGoogle(2_000)).toBe(true);
    expect(fake.count()).toBe(0);
    expect(svc.getState().google).toMatchObject({ enabled: false, status: 'off' });
  });

  it('first sync: every referee created once in the Referees group, with the external id the Python service uses; a repeat list writes nothing', async () => {
    const { svc } = await start();
    svc.onMatchList(listInput(fixtureLists()[0]!));
    expect(await svc.drainGoogle(10_000)).toBe(true);
    const people = fake.people();
    expect(extIds(people)).toEqual(['FogisId=DomarNr=61001', 'FogisId=DomarNr=61002', 'FogisId=DomarNr=61003', 'FogisId=DomarNr=61004']);
    // Team contacts are not pushed to Google (the Python service syncs referees only).
    expect(people).toHaveLength(4);
    const anna = people.find((p) => p.externalIds?.[0]?.value === 'FogisId=DomarNr=61001')!;
    expect(anna.phoneNumbers).toEqual([{ value: '+46701234567', type: 'mobile' }]);
    expect(anna.emailAddresses).toEqual([{ value: 'anna.ekstrom@example.se', type: 'work' }]);
    expect(anna.addresses?.[0]).toMatchObject({ formattedValue: 'Storgatan 1, 41101 Göteborg, Sverige', streetAddress: 'Storgatan 1', postalCode: '41101', city: 'Göteborg', country: 'Sverige', type: 'home' });
    expect(anna.names?.[0]).toMatchObject({ givenName: 'Anna', familyName: 'Ekström' });
    const groups = fake.groups().filter((g) => g.name === 'Referees');
    expect(groups).toHaveLength(1);
    for (const p of people) expect(p.memberships).toEqual([{ contactGroupMembership: { contactGroupResourceName: groups[0]!.resourceName } }]);
    expect(fake.count('create')).toBe(4);
    expect(fake.count('groups.create')).toBe(1);
    expect(fake.count('update')).toBe(0);
    // §7 #88: the scan asks for exactly the fields it matches on.
    const scans = fake.requests.filter((r) => r.op === 'connections');
    expect(scans.length).toBeGreaterThan(0);
    for (const r of scans) expect(r.query.personFields?.split(',').sort()).toEqual(['emailAddresses', 'externalIds', 'phoneNumbers']);
    expect(svc.getState().google).toMatchObject({ enabled: true, status: 'ok', pending: 0, failed: 0, counters: expect.objectContaining({ created: 4 }) });
    expect(statSync(path.join(dataDir, PEOPLE_SYNC_FILE)).mode & 0o777).toBe(0o600);

    const before = fake.count();
    svc.onMatchList(listInput(fixtureLists()[1]!));
    expect(await svc.drainGoogle(5_000)).toBe(true);
    expect(fake.count()).toBe(before);
  });

  it('a changed mobile number: one update with the current etag, only the phone list, the coordinator\'s own entries kept', async () => {
    const { svc } = await start();
    const list = fixtureLists()[0]!;
    svc.onMatchList(listInput(list));
    expect(await svc.drainGoogle(10_000)).toBe(true);
    const anna = fake.people().find((p) => p.externalIds?.[0]?.value === 'FogisId=DomarNr=61001')!;
    // The coordinator added a home number and a note in Google Contacts.
    fake.touch(anna.resourceName, { phoneNumbers: [...(anna.phoneNumbers ?? []), { value: '031-112233', type: 'home' }], biographies: [{ value: 'Ringer alltid tillbaka', contentType: 'TEXT_PLAIN' }] });
    const etagBefore = fake.people().find((p) => p.resourceName === anna.resourceName)!.etag;
    const changed = structuredClone(list) as FogisMatch[];
    const ref = changed[0]!.domaruppdraglista![0]!;
    ref.mobiltelefon = '0709-876543';
    const writesBefore = fake.count('update') + fake.count('create');
    svc.onMatchList(listInput(changed));
    // The same list again while the first write may still be pending: still one write.
    svc.onMatchList(listInput(changed));
    expect(await svc.drainGoogle(10_000)).toBe(true);
    expect(fake.count('update') + fake.count('create') - writesBefore).toBe(1);
    const update = fake.requests.filter((r) => r.op === 'update').at(-1)!;
    expect(update.query.updatePersonFields).toBe('phoneNumbers');
    expect((update.body as { etag: string }).etag).toBe(etagBefore);
    const after = fake.people().find((p) => p.resourceName === anna.resourceName)!;
    expect(after.phoneNumbers).toEqual([
      { value: '+46709876543', type: 'mobile' },
      { value: '031-112233', type: 'home' },
    ]);
    expect(after.biographies).toEqual([{ value: 'Ringer alltid tillbaka', contentType: 'TEXT_PLAIN' }]);
    expect(svc.getState().google.counters).toMatchObject({ created: 4, updated: 1 });
  });

  it('an edit in Google between our read and our write (etag changed): read again and write once more, nothing lost', async () => {
    const { svc } = await start();
    const list = fixtureLists()[0]!;
    svc.onMatchList(listInput(list));
    expect(await svc.drainGoogle(10_000)).toBe(true);
    const anna = fake.people().find((p) => p.externalIds?.[0]?.value === 'FogisId=DomarNr=61001')!;
    fake.beforeOnce('update', () => fake.touch(anna.resourceName, { biographies: [{ value: 'edited meanwhile' }] }));
    const changed = structuredClone(list) as FogisMatch[];
    changed[0]!.domaruppdraglista![0]!.epostadress = 'anna@nytt.se';
    svc.onMatchList(listInput(changed));
    expect(await svc.drainGoogle(10_000)).toBe(true);
    const after = fake.people().find((p) => p.resourceName === anna.resourceName)!;
    expect(after.emailAddresses).toEqual([{ value: 'anna@nytt.se', type: 'work' }]);
    expect(after.biographies).toEqual([{ value: 'edited meanwhile' }]);
    expect(svc.getState().google.counters).toMatchObject({ etagConflicts: 1, updated: 1 });
  });

  it('contacts the Python service made are found by external id, by phone and by e-mail: updated, never duplicated', async () => {
    const byExt = fake.seed({ names: [{ displayName: 'Anna E', givenName: 'Anna' }], externalIds: [{ value: 'FogisId=DomarNr=61001', type: 'account' }], phoneNumbers: [{ value: '0701-234567', type: 'mobile' }] });
    const byPhone = fake.seed({ names: [{ givenName: 'Björn' }], phoneNumbers: [{ value: '070 234 56 78', type: 'mobile' }] });
    const byMail = fake.seed({ names: [{ givenName: 'Erik' }], emailAddresses: [{ value: 'ERIK.NYSTROM@example.se', type: 'home' }], organizations: [{ name: 'Kärra KIF' }] });
    const stranger = fake.seed({ names: [{ givenName: 'Okänd' }], phoneNumbers: [{ value: '0700-000000' }] });
    const { svc } = await start();
    svc.onMatchList(listInput(fixtureLists()[0]!));
    expect(await svc.drainGoogle(10_000)).toBe(true);
    const people = fake.people();
    // 4 seeded + Gustav (61004), the only referee nobody had.
    expect(people).toHaveLength(5);
    expect(referees(people)).toHaveLength(4);
    expect(fake.count('create')).toBe(1);
    const get = (rn: string): FakePerson => people.find((p) => p.resourceName === rn)!;
    // Anna: already complete apart from e-mail and address; her name as the coordinator wrote it stays.
    expect(get(byExt.resourceName).names).toEqual([{ displayName: 'Anna E', givenName: 'Anna' }]);
    expect(get(byExt.resourceName).externalIds).toEqual([{ value: 'FogisId=DomarNr=61001', type: 'account' }]);
    expect(get(byExt.resourceName).phoneNumbers).toEqual([{ value: '0701-234567', type: 'mobile' }]);
    expect(get(byPhone.resourceName).externalIds).toEqual([{ value: 'FogisId=DomarNr=61002', type: 'account' }]);
    expect(get(byPhone.resourceName).phoneNumbers).toEqual([{ value: '070 234 56 78', type: 'mobile' }]);
    expect(get(byMail.resourceName).externalIds).toEqual([{ value: 'FogisId=DomarNr=61003', type: 'account' }]);
    // Her e-mail matched (case-insensitively): not added twice; the organisation is untouched.
    expect(get(byMail.resourceName).emailAddresses).toEqual([{ value: 'ERIK.NYSTROM@example.se', type: 'home' }]);
    expect(get(byMail.resourceName).organizations).toEqual([{ name: 'Kärra KIF' }]);
    expect(get(stranger.resourceName)).toEqual(stranger);
    // Every update carried the etag of what it had read (the fake refuses any other).
    expect(fake.requests.filter((r) => r.op === 'update').every((r) => typeof (r.body as { etag?: unknown }).etag === 'string')).toBe(true);
    // A second instance (a restart with an empty state file) finds them all by external id.
    await svc.stop();
    const { rmSync } = await import('node:fs');
    rmSync(path.join(dataDir, PEOPLE_SYNC_FILE));
    rmSync(path.join(dataDir, 'contacts.json'));
    const again = await start();
    again.svc.onMatchList(listInput(fixtureLists()[0]!));
    expect(await again.svc.drainGoogle(10_000)).toBe(true);
    expect(fake.people()).toHaveLength(5);
    expect(fake.count('create')).toBe(1);
  });

  it('the own referee number and protected persons are never sent', async () => {
    const list = structuredClone(fixtureLists()[0]!) as FogisMatch[];
    list[1]!.domaruppdraglista!.push({ domarnr: '61099', personnamn: 'Personuppgifter Skyddade', domarrollkortnamn: 'AD1', mobiltelefon: '0701-999999', epostadress: 'x@example.se' });
    const { svc } = await start({ own: '61001' });
    svc.onMatchList(listInput(list));
    expect(await svc.drainGoogle(10_000)).toBe(true);
    expect(extIds(fake.people())).toEqual(['FogisId=DomarNr=61002', 'FogisId=DomarNr=61003', 'FogisId=DomarNr=61004']);
    const sent = JSON.stringify(fake.requests.map((r) => r.body));
    expect(sent).not.toContain('61001');
    expect(sent).not.toContain('Skyddade');
    expect(sent).not.toContain('+46701999999');
  });

  it('groups are found by paging (no second Referees group), even beyond the first page', async () => {
    for (let i = 0; i < 1005; i++) fake.seedGroup(`Grupp ${i}`);
    const existing = fake.seedGroup('Referees');
    const { svc } = await start();
    svc.onMatchList(listInput(fixtureLists()[0]!));
    expect(await svc.drainGoogle(10_000)).toBe(true);
    expect(fake.groups().filter((g) => g.name === 'Referees')).toEqual([existing]);
    expect(fake.count('groups.create')).toBe(0);
    expect(fake.count('groups.list')).toBe(2);
  });

  it('429 with Retry-After and 5xx are retried; the wait honours Retry-After', async () => {
    fake.inject({ op: 'create', times: 1, status: 429, retryAfter: 1 });
    fake.inject({ op: 'connections', times: 2, status: 503 });
    fake.inject({ op: 'get', times: 1, status: 500 });
    fake.seed({ names: [{ givenName: 'Björn' }], phoneNumbers: [{ value: '0702345678' }] });
    const { svc } = await start();
    svc.onMatchList(listInput(fixtureLists()[0]!));
    expect(await svc.drainGoogle(20_000)).toBe(true);
    expect(referees(fake.people())).toHaveLength(4);
    expect(fake.people()).toHaveLength(4);
    const creates = fake.requests.filter((r) => r.op === 'create');
    // After the refused create nothing is sent until the second Retry-After asked for is over.
    const refusedAt = creates[0]!.at;
    const next = fake.requests.find((r) => r.at > refusedAt && r.op !== 'token')!;
    expect(next.at - refusedAt).toBeGreaterThanOrEqual(950);
    expect(svc.getState().google).toMatchObject({ status: 'ok', failed: 0, counters: expect.objectContaining({ rateLimited: 1, retries: 4 }) });
  });

  it('a 401 gets one fresh access token from the shared sign-in, then the write goes through', async () => {
    const { svc, auth } = await start();
    svc.onMatchList(listInput(fixtureLists()[0]!.slice(2)));
    expect(await svc.drainGoogle(10_000)).toBe(true);
    const tokensBefore = fake.count('token');
    fake.inject({ op: 'get', times: 1, status: 401, reason: 'UNAUTHENTICATED' });
    const changed = structuredClone(fixtureLists()[0]!.slice(2)) as FogisMatch[];
    changed[0]!.domaruppdraglista![0]!.mobiltelefon = '0704-000001';
    svc.onMatchList(listInput(changed));
    expect(await svc.drainGoogle(10_000)).toBe(true);
    expect(fake.count('token')).toBe(tokensBefore + 1);
    expect(fake.people()[0]!.phoneNumbers).toEqual([{ value: '+46704000001', type: 'mobile' }]);
    expect(auth.status()).toBe('signed-in');
    expect(svc.getState().google.status).toBe('ok');
  });

  it('a permanent error fails that person with an alert; the others are written', async () => {
    fake.inject({ op: 'create', times: 1, status: 400, reason: 'INVALID_ARGUMENT' });
    const { svc } = await start();
    svc.onMatchList(listInput(fixtureLists()[0]!));
    await waitFor(() => svc.getState().google.pending === 0, 10_000, 'outbox empty');
    expect(referees(fake.people())).toHaveLength(3);
    expect(svc.getState().google).toMatchObject({ status: 'error', failed: 1 });
    expect(alerts.some((a) => a.alertType === 'contacts' && a.severity === 'error')).toBe(true);
  });

  it('retries are bounded: a Google that keeps failing leaves the person failed, not looping', async () => {
    fake.inject({ op: 'connections', times: 100, status: 503 });
    const { svc } = await start({ retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 } });
    svc.onMatchList(listInput(fixtureLists()[0]!.slice(2)));
    await waitFor(() => svc.getState().google.failed === 1, 10_000, 'failed');
    expect(fake.count('connections')).toBe(3);
    expect(svc.getState().google.pending).toBe(0);
  });

  it('a restart mid-sync resumes from the saved outbox without duplicates (a create whose answer was lost included)', async () => {
    // The first create reaches Google but its answer is lost; then Google is down.
    fake.inject({ op: 'create', times: 1, resetAfterApply: true });
    fake.inject({ op: 'create', times: 1000, status: 503 });
    const first = await start({ retry: { baseDelayMs: 50, maxDelayMs: 200, maxAttempts: 50 } });
    first.svc.onMatchList(listInput(fixtureLists()[0]!));
    await waitFor(() => fake.count('create') >= 2 && first.svc.getState().google.status === 'retrying', 10_000, 'first create and a retry');
    expect(first.svc.getState().google.pending).toBe(4);
    await first.svc.stop();
    expect(fake.people()).toHaveLength(1);

    fake.clearFaults();
    // A new process: the phonebook and the outbox come from the data directory.
    const second = await start({ retry: fast });
    expect(await second.svc.drainGoogle(10_000)).toBe(true);
    expect(extIds(fake.people())).toEqual(['FogisId=DomarNr=61001', 'FogisId=DomarNr=61002', 'FogisId=DomarNr=61003', 'FogisId=DomarNr=61004']);
    expect(fake.people()).toHaveLength(4);
  });

  it('without the contacts permission: status says so, nothing is written; sign-in asks for it (incremental consent) and the sync starts', async () => {
    const store = tokenStore(CAL);
    const { svc, auth } = await start({ store });
    svc.onMatchList(listInput(fixtureLists()[0]!));
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.count()).toBe(0);
    expect(svc.getState().google).toMatchObject({ status: 'permission needed', pending: 4 });

    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(dataDir, 'credentials.json'), JSON.stringify({ installed: { client_id: 'cid.apps.googleusercontent.com', client_secret: 'csecret', token_uri: fake.tokenUrl } }));
    let consentUrl = '';
    const signedIn = auth.signIn((url) => {
      consentUrl = url;
      const u = new URL(url);
      void fetch(`${u.searchParams.get('redirect_uri')}?state=${encodeURIComponent(u.searchParams.get('state') ?? '')}&code=the-code`);
    }, 10_000);
    await signedIn;
    const q = new URL(consentUrl).searchParams;
    expect(q.get('scope')?.split(' ')).toEqual([CAL, CONTACTS_SCOPE]);
    expect(q.get('include_granted_scopes')).toBe('true');
    expect(auth.hasScope(CONTACTS_SCOPE)).toBe(true);
    expect(await svc.drainGoogle(10_000)).toBe(true);
    expect(referees(fake.people())).toHaveLength(4);
    expect(svc.getState().google.status).toBe('ok');
  });

  it('Google answering 403 for Contacts (permission withdrawn) stops the sync with a clear status and an alert', async () => {
    fake.inject({ op: 'connections', times: 1, status: 403, reason: 'PERMISSION_DENIED' });
    const { svc } = await start();
    svc.onMatchList(listInput(fixtureLists()[0]!));
    await waitFor(() => svc.getState().google.status === 'permission needed', 10_000, 'permission needed');
    expect(svc.getState().google.pending).toBe(4);
    expect(alerts.some((a) => a.alertType === 'contacts' && /permission/i.test(a.message))).toBe(true);
  });
});

describe('Retry-After', () => {
  const err = (headers: unknown) => ({ response: { status: 429, headers } });
  it('reads seconds and HTTP dates, from Headers or a plain object, and caps a long wait', () => {
    const now = Date.parse('2026-11-30T12:00:00Z');
    expect(retryAfterMs(err(new Headers({ 'Retry-After': '30' })), now)).toBe(30_000);
    expect(retryAfterMs(err({ 'retry-after': '2' }), now)).toBe(2_000);
    expect(retryAfterMs(err({ 'retry-after': 'Mon, 30 Nov 2026 12:01:00 GMT' }), now)).toBe(60_000);
    expect(retryAfterMs(err({ 'retry-after': '86400' }), now)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs(err({}), now)).toBeNull();
    expect(retryAfterMs(err({ 'retry-after': 'soon' }), now)).toBeNull();
    expect(retryAfterMs(new Error('no response'), now)).toBeNull();
  });
});
