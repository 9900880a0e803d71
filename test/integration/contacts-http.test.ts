import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactsResponseSchema } from '../../shared/contacts';
import { snapshotSchema, type Snapshot } from '../../shared/state';
import { FAST_REDIS_ENV, startCore, waitUntil, type TestCore } from '../harness/app';
import { fixtureSteps, liveFixture, publishLines } from '../harness/fixture';
import { startRedis, type TestRedis } from '../harness/redis-server';

/** The phonebook end to end: real PUBLISH of the recorded run, the core, its HTTP routes and files. */
describe('referee phonebook over HTTP, from the recorded processor run through real Redis', () => {
  let redis: TestRedis;
  let app: TestCore;
  const snap = (): Snapshot => app.core.snapshot();

  beforeAll(async () => {
    redis = await startRedis();
    app = await startCore({ REDIS_URL: redis.url, ...FAST_REDIS_ENV, USER_REFEREE_NUMBER: '61004', GOOGLE_CREDENTIALS_PATH: '/nonexistent/credentials.json', GOOGLE_CALENDAR_TOKEN_FILE: '/nonexistent/token.json' });
    await waitUntil(() => snap().connection.subscribed, 5000, 'subscribed');
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
  });

  it('before the first list: GET /contacts.vcf is 404, /api/contacts is empty, /api/state has the contacts status', async () => {
    const vcf = await fetch(`${app.baseUrl}/contacts.vcf`);
    expect(vcf.status).toBe(404);
    const list = contactsResponseSchema.parse(await (await fetch(`${app.baseUrl}/api/contacts`)).json());
    expect(list).toEqual({ contacts: [], updatedAt: null });
    const state = snapshotSchema.parse(await (await fetch(`${app.baseUrl}/api/state`)).json());
    expect(state.contacts).toMatchObject({ total: 0, google: { enabled: false, status: 'off' } });
  });

  it('after step 1: names, numbers, roles and matches; the own referee number (USER_REFEREE_NUMBER) left out', async () => {
    const steps = fixtureSteps(liveFixture());
    await publishLines(redis.url, steps[0]!);
    await waitUntil(() => snap().contacts.total > 0, 5000, 'phonebook derived');
    const body = contactsResponseSchema.parse(await (await fetch(`${app.baseUrl}/api/contacts`)).json());
    const refs = body.contacts.filter((c) => c.kind === 'referee');
    expect(refs.map((c) => [c.refereeNumber, c.name, c.roles.join('/'), c.phone, c.matches.map((m) => m.matchId).join(',')])).toEqual([
      ['61001', 'Anna Ekström', 'Dom', '+46701234567', '6400101'],
      ['61002', 'Björn Åberg', 'AD1', '+46702345678', '6400101'],
      ['61003', 'Erik Nyström', 'Dom', '+46703456789', '6400102'],
    ]);
    // Sorted by team in Swedish order: Ö after T.
    expect(body.contacts.filter((c) => c.kind === 'team').map((c) => `${c.name} (${c.teams.join()})`)).toEqual(['Frida Berg (Kärra KIF)', 'David Lind (Torslanda IK)', 'Carin Holm (Öckerö IF)']);
    expect(snap().contacts).toMatchObject({ total: 6, referees: 3, teamContacts: 3, skippedOwn: 1 });
  });

  it('GET /contacts.vcf: vCard 3.0 as in the 0600 file of the data directory, read back by ical.js', async () => {
    await waitUntil(() => snap().contacts.vcard.writtenAt !== null, 5000, 'vcard written');
    const res = await fetch(`${app.baseUrl}/contacts.vcf`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/vcard; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    const file = path.join(app.dataDir, 'contacts.vcf');
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const cards = (ICAL.parse(text) as unknown[][]).map((p) => new ICAL.Component(p));
    expect(cards.map((c) => c.getFirstPropertyValue('uid'))).toContain('fogis-domarnr-61001@fogis-monitor');
    expect(cards.map((c) => String(c.getFirstPropertyValue('fn')))).not.toContain('Gustav Sjöberg');
  });

  it('step 4 (AD1 replaced): the phonebook follows the list', async () => {
    const steps = fixtureSteps(liveFixture());
    for (const i of [1, 2, 3]) await publishLines(redis.url, steps[i]!);
    await waitUntil(() => snap().contacts.referees === 4 && snap().matches.list[0]?.domaruppdraglista?.length === 3, 5000, 'new referees');
    const keys = contactsResponseSchema.parse(await (await fetch(`${app.baseUrl}/api/contacts`)).json()).contacts.map((c) => c.key);
    expect(keys).toContain('ref:61006');
    expect(keys).toContain('ref:61005');
    expect(keys).not.toContain('ref:61002');
  });

  it('turning Google Contacts on without a sign-in: the status says so, the calendar is not touched', async () => {
    const res = await app.authedFetch(`${app.baseUrl}/api/config`, { method: 'PUT', body: JSON.stringify({ contacts: { googleSync: true } }) });
    expect(res.status).toBe(200);
    await waitUntil(() => snap().contacts.google.enabled, 5000, 'enabled');
    expect(snap().contacts.google.status).toBe('sign-in needed');
    expect(snap().calendar.backend).toBe('ics');
    const bad = await app.authedFetch(`${app.baseUrl}/api/config`, { method: 'PUT', body: JSON.stringify({ contacts: { ownRefereeNumber: 'DROP TABLE;' } }) });
    expect(bad.status).toBe(400);
  });
});
