import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ICAL from 'ical.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Contact } from '../../shared/contacts';
import type { FogisMatch } from '../../shared/messages';
import { deriveContacts } from '../../electron/core/contacts/contacts-from-matches';
import { ContactsService, MAX_STORED_MATCHES, RECENT_MS, VCARD_FILE } from '../../electron/core/contacts/index';
import { normaliseEmail, toE164 } from '../../electron/core/contacts/phone';
import { contactsToVcf, foldLine } from '../../electron/core/contacts/vcard';
import { createMemoryLogger } from '../../electron/core/log';
import { fixtureLists, listInput, testConfig, waitFor } from '../harness/calendar-helpers';

const byKey = (cs: Contact[]): Record<string, Contact> => Object.fromEntries(cs.map((c) => [c.key, c]));

function match(id: number, o: Partial<FogisMatch> = {}): FogisMatch {
  return { matchid: id, lag1namn: `Hemma ${id}`, lag2namn: `Borta ${id}`, tid: `/Date(${Date.now() + 5 * 86_400_000})/`, domaruppdraglista: [], kontaktpersoner: [], ...o };
}

describe('phone and e-mail normalisation (spec §5.7)', () => {
  it.each([
    ['0701-234567', '+46701234567'],
    ['070 123 45 67', '+46701234567'],
    ['46701234567', '+46701234567'],
    ['+46 70-123 45 67', '+46701234567'],
    ['0046701234567', '+46701234567'],
    ['031-7001234', '+46317001234'],
    ['+4915112345678', '+4915112345678'],
  ])('%s → %s', (raw, want) => expect(toE164(raw)).toBe(want));

  it.each(['', '   ', '-', 'saknas', '12', '0'])('%j is no number', (raw) => expect(toE164(raw)).toBeNull());

  it('e-mail is trimmed and lowercased; junk is dropped', () => {
    expect(normaliseEmail('  Anna.Ekstrom@Example.SE ')).toBe('anna.ekstrom@example.se');
    expect(normaliseEmail('ingen')).toBeNull();
    expect(normaliseEmail('')).toBeNull();
  });
});

describe('contacts from the recorded processor run', () => {
  const lists = fixtureLists();

  it('list 1: every referee once, with role, number, E.164 mobile, e-mail, address and matches; team contacts with their team', () => {
    const { contacts, skippedOwn, skippedProtected } = deriveContacts(lists[0]!, { ownRefereeNumber: '' });
    expect(skippedOwn).toBe(0);
    expect(skippedProtected).toBe(0);
    const k = byKey(contacts);
    expect(Object.keys(k).sort()).toEqual(['ref:61001', 'ref:61002', 'ref:61003', 'ref:61004', 'team:2830101', 'team:2830102', 'team:2830103']);
    expect(k['ref:61001']).toEqual({
      key: 'ref:61001',
      kind: 'referee',
      name: 'Anna Ekström',
      refereeNumber: '61001',
      roles: ['Dom'],
      roleNames: ['Huvuddomare'],
      teams: [],
      phone: '+46701234567',
      email: 'anna.ekstrom@example.se',
      address: { street: 'Storgatan 1', postalCode: '41101', city: 'Göteborg', country: 'Sverige' },
      matches: [{ matchId: '6400101', title: 'Öckerö IF - Torslanda IK', kickoff: new Date(1796047200000).toISOString(), role: 'Dom', cancelled: false }],
    });
    expect(k['ref:61002']).toMatchObject({ name: 'Björn Åberg', roles: ['AD1'], phone: '+46702345678' });
    // Team contacts: the empty address fields are dropped (a country alone is no address).
    expect(k['team:2830101']).toMatchObject({ kind: 'team', name: 'Carin Holm', teams: ['Öckerö IF'], phone: '+46733111222', email: 'carin@example.org', address: null, refereeNumber: null });
    expect(k['team:2830101']!.matches.map((m) => m.role)).toEqual(['Öckerö IF']);
    // Referees first, then team contacts.
    expect(contacts.map((c) => c.kind)).toEqual(['referee', 'referee', 'referee', 'referee', 'team', 'team', 'team']);
  });

  it('the final list: the replaced AD1 is gone, the new referees are in, the cancelled match is marked', () => {
    const last = lists[lists.length - 1]!;
    const k = byKey(deriveContacts(last, { ownRefereeNumber: '' }).contacts);
    expect(k['ref:61002']).toBeUndefined();
    expect(k['ref:61006']).toMatchObject({ name: 'Isak Öhman', roles: ['AD1'], phone: '+46706789012' });
    expect(k['ref:61005']).toMatchObject({ name: 'Hanna Wik', roles: ['AD2'] });
    expect(k['ref:61003']!.matches).toEqual([expect.objectContaining({ matchId: '6400102', cancelled: true })]);
  });

  it('the coordinator\'s own referee number is left out (spec §7 #42)', () => {
    const r = deriveContacts(lists[0]!, { ownRefereeNumber: ' 61001 ' });
    expect(r.contacts.find((c) => c.refereeNumber === '61001')).toBeUndefined();
    expect(r.skippedOwn).toBe(1);
    expect(r.contacts).toHaveLength(6);
  });
});

describe('identity and merging', () => {
  it('one person per referee number across matches, roles collected, matches sorted by kickoff', () => {
    const now = Date.now();
    const ref = (nr: string, role: string, extra: Record<string, unknown> = {}) => ({ domarnr: nr, personnamn: 'Anna Ekström', domarrollkortnamn: role, domarrollnamn: role === 'Dom' ? 'Huvuddomare' : 'Assisterande 1', mobiltelefon: '0701-234567', ...extra });
    const a = match(2, { tid: `/Date(${now + 9 * 86_400_000})/`, domaruppdraglista: [ref('61001', 'AD1')] });
    const b = match(1, { tid: `/Date(${now + 2 * 86_400_000})/`, domaruppdraglista: [ref('61001', 'Dom')] });
    const { contacts } = deriveContacts([a, b], { ownRefereeNumber: '' });
    expect(contacts).toHaveLength(1);
    expect(contacts[0]!.roles).toEqual(['AD1', 'Dom']);
    expect(contacts[0]!.matches.map((m) => m.matchId)).toEqual(['1', '2']);
  });

  it('without a number: joined by normalised phone, then by e-mail; alone: keyed by phone', () => {
    const m = match(1, {
      domaruppdraglista: [
        { domarnr: '61001', personnamn: 'Anna Ekström', mobiltelefon: '0701-234567', epostadress: 'anna@example.se', domarrollkortnamn: 'Dom' },
        { domarnr: '', personnamn: 'Anna Ekström', mobiltelefon: '+46 70 123 45 67', domarrollkortnamn: 'AD1' },
        { personnamn: 'A. Ekström', mobiltelefon: '', epostadress: 'ANNA@example.se', domarrollkortnamn: 'AD2' },
        { personnamn: 'Okänd Domare', mobiltelefon: '0709-999999', domarrollkortnamn: '4:e' },
      ],
    });
    const { contacts } = deriveContacts([m], { ownRefereeNumber: '' });
    expect(contacts.map((c) => c.key)).toEqual(['ref:61001', 'phone:+46709999999']);
    expect(contacts[0]!.roles).toEqual(['Dom', 'AD1', 'AD2']);
  });

  it('protected persons ("Personuppgifter skyddade", any case) and nameless entries are left out; empty fields dropped', () => {
    const m = match(1, {
      domaruppdraglista: [
        { domarnr: '61009', personnamn: 'Personuppgifter Skyddade', mobiltelefon: '0701-111111' },
        { domarnr: '61010', personnamn: 'PERSONUPPGIFTER SKYDDADE' },
        { domarnr: '61011', personnamn: '' },
        { domarnr: '61012', personnamn: 'Bo Ek', mobiltelefon: '', telefon: '  ', epostadress: '', adress: '', postnr: '', postort: '' },
      ],
      kontaktpersoner: [{ lagnamn: 'IFK', personnamn: 'personuppgifter skyddade', mobiltelefon: '0733-000000' }],
    });
    const r = deriveContacts([m], { ownRefereeNumber: '' });
    expect(r.skippedProtected).toBe(3);
    expect(r.contacts).toHaveLength(1);
    expect(r.contacts[0]).toMatchObject({ key: 'ref:61012', phone: null, email: null, address: null });
  });

  it('names in decomposed Unicode are read as NFC (one person, searchable)', () => {
    const m = match(1, { domaruppdraglista: [{ domarnr: '7', personnamn: 'Isak O\u0308hman' }], kontaktpersoner: [{ lagnamn: 'O\u0308ckero\u0308 IF', personnamn: 'Carin Holm' }] });
    const { contacts } = deriveContacts([m], { ownRefereeNumber: '' });
    expect(contacts[0]!.name).toBe('Isak \u00d6hman');
    expect(contacts[1]!.teams).toEqual(['\u00d6cker\u00f6 IF']);
  });

  it('a number that is not a number is counted and kept out; the next phone field is used', () => {
    const m = match(1, { domaruppdraglista: [{ domarnr: '1', personnamn: 'Bo Ek', mobiltelefon: 'saknas', telefon: '031-123456' }] });
    const r = deriveContacts([m], { ownRefereeNumber: '' });
    expect(r.invalidPhones).toBe(1);
    expect(r.contacts[0]!.phone).toBe('+4631123456');
  });
});

describe('vCard 3.0, read back with ical.js', () => {
  it('every card parses, with a stable UID from the referee number, E.164 TEL, EMAIL, ADR, N and ORG', () => {
    const { contacts } = deriveContacts(fixtureLists()[0]!, { ownRefereeNumber: '' });
    const text = contactsToVcf(contacts);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    const parsed = ICAL.parse(text) as unknown[];
    const cards = (Array.isArray(parsed[0]) ? parsed : [parsed]).map((p) => new ICAL.Component(p as unknown[]));
    expect(cards).toHaveLength(7);
    const anna = cards.find((c) => c.getFirstPropertyValue('fn') === 'Anna Ekström')!;
    expect(anna.getFirstPropertyValue('version')).toBe('3.0');
    expect(anna.getFirstPropertyValue('uid')).toBe('fogis-domarnr-61001@fogis-monitor');
    expect(anna.getFirstPropertyValue('tel')).toBe('+46701234567');
    expect(anna.getFirstPropertyValue('email')).toBe('anna.ekstrom@example.se');
    expect(anna.getFirstPropertyValue('adr')).toEqual(['', '', 'Storgatan 1', 'Göteborg', '', '41101', 'Sverige']);
    expect(anna.getFirstPropertyValue('n')).toEqual(['Ekström', 'Anna', '', '', '']);
    const carin = cards.find((c) => c.getFirstPropertyValue('fn') === 'Carin Holm')!;
    expect(carin.getFirstPropertyValue('org')).toBe('Öckerö IF');
    expect(carin.getFirstPropertyValue('tel')).toBe('+46733111222');
    // UIDs are unique and the same in the next list's export (re-import updates, no duplicates).
    const uids = cards.map((c) => String(c.getFirstPropertyValue('uid')));
    expect(new Set(uids).size).toBe(uids.length);
    const again = contactsToVcf(deriveContacts(fixtureLists()[1]!, { ownRefereeNumber: '' }).contacts);
    const uids2 = (ICAL.parse(again) as unknown[][]).map((p) => String(new ICAL.Component(p).getFirstPropertyValue('uid')));
    expect(uids2.sort()).toEqual([...uids].sort());
  });

  it('special characters are escaped and long lines folded without splitting a character', () => {
    const c: Contact = { key: 'ref:1', kind: 'referee', name: 'Åsa; Ö,hman\\Lång', refereeNumber: '1', roles: [], roleNames: [], teams: [], phone: null, email: null, address: { street: 'Väg, 1; uppg. B', postalCode: null, city: 'Ö'.repeat(60), country: null }, matches: [] };
    const text = contactsToVcf([c]);
    const card = new ICAL.Component(ICAL.parse(text) as unknown[]);
    expect(card.getFirstPropertyValue('fn')).toBe('Åsa; Ö,hman\\Lång');
    expect(card.getFirstPropertyValue('adr')).toEqual(['', '', 'Väg, 1; uppg. B', 'Ö'.repeat(60), '', '', '']);
    expect(foldLine('x'.repeat(200)).split('\r\n ').map((l) => l.length)).toEqual([75, 74, 51]);
  });
});

describe('ContactsService: files, recent matches, caps', () => {
  const dirs: string[] = [];
  const services: ContactsService[] = [];
  afterEach(async () => {
    for (const s of services.splice(0)) await s.stop();
  });
  const make = (dataDir: string, now = Date.now) => {
    const alerts: unknown[] = [];
    const s = new ContactsService(testConfig(), { dataDir, log: createMemoryLogger(), raiseAlert: (a) => alerts.push(a), auth: null, now });
    services.push(s);
    return s;
  };
  const tmp = (): string => {
    const d = mkdtempSync(path.join(tmpdir(), 'contacts-'));
    dirs.push(d);
    return d;
  };

  it('writes contacts.vcf (0600) and contacts.json (0600) and restores the phonebook after a restart', async () => {
    const dir = tmp();
    const s = make(dir);
    await s.start();
    expect(await s.readVcard()).toBeNull();
    s.onMatchList(listInput(fixtureLists()[0]!));
    await waitFor(() => s.getState().vcard.writtenAt !== null, 5_000, 'vcard written');
    const file = path.join(dir, VCARD_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'contacts.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(await s.readVcard());
    expect(s.getState()).toMatchObject({ total: 7, referees: 4, teamContacts: 3 });
    await s.stop();
    const s2 = make(dir);
    await s2.start();
    expect(s2.contacts().contacts.map((c) => c.key)).toEqual(s.contacts().contacts.map((c) => c.key));
  });

  it('keeps recently played matches that left the list, drops future ones that left and old ones', async () => {
    const dir = tmp();
    const now = Date.now();
    const s = make(dir, () => now);
    await s.start();
    const ref = (nr: string) => [{ domarnr: nr, personnamn: `Domare ${nr}`, domarrollkortnamn: 'Dom' }];
    const played = match(1, { tid: `/Date(${now - 2 * 86_400_000})/`, domaruppdraglista: ref('1') });
    const future = match(2, { tid: `/Date(${now + 2 * 86_400_000})/`, domaruppdraglista: ref('2') });
    const old = match(3, { tid: `/Date(${now - RECENT_MS - 86_400_000})/`, domaruppdraglista: ref('3') });
    s.onMatchList(listInput([played, future, old]));
    expect(s.contacts().contacts.map((c) => c.key).sort()).toEqual(['ref:1', 'ref:2', 'ref:3']);
    s.onMatchList(listInput([match(4, { domaruppdraglista: ref('4') })]));
    expect(s.contacts().contacts.map((c) => c.key).sort()).toEqual(['ref:1', 'ref:4']);
  });

  it(`remembers at most ${MAX_STORED_MATCHES} matches`, async () => {
    const s = make(tmp());
    await s.start();
    const many = Array.from({ length: MAX_STORED_MATCHES + 20 }, (_, i) => match(i + 1, { domaruppdraglista: [{ domarnr: String(i + 1), personnamn: `D ${i + 1}` }] }));
    s.onMatchList(listInput(many));
    expect(s.getState().referees).toBe(MAX_STORED_MATCHES);
  });

  it('a list longer than the phonebook keeps is logged once while lists stay that long, not for every list', async () => {
    const log = createMemoryLogger();
    const s = new ContactsService(testConfig(), { dataDir: tmp(), log, raiseAlert: () => undefined, auth: null });
    services.push(s);
    await s.start();
    const many = Array.from({ length: MAX_STORED_MATCHES + 20 }, (_, i) => match(i + 1, { domaruppdraglista: [{ domarnr: String(i + 1), personnamn: `D ${i + 1}` }] }));
    const warned = (): number => log.lines.filter((l) => l.includes('the phonebook keeps the first')).length;
    for (let k = 0; k < 5; k++) s.onMatchList(listInput(many));
    expect(warned()).toBe(1);
    // A short list in between: the next long one is said again.
    s.onMatchList(listInput(many.slice(0, 10)));
    s.onMatchList(listInput(many));
    expect(warned()).toBe(2);
  });

  it('changing the own referee number re-derives the phonebook and the file', async () => {
    const dir = tmp();
    const s = make(dir);
    await s.start();
    s.onMatchList(listInput(fixtureLists()[0]!));
    s.updateConfig({ ...testConfig(), contacts: { ownRefereeNumber: '61001', googleSync: false } });
    expect(s.getState()).toMatchObject({ total: 6, skippedOwn: 1 });
    const read = (): string => {
      try {
        return readFileSync(path.join(dir, VCARD_FILE), 'utf8');
      } catch {
        return '';
      }
    };
    await waitFor(() => read().includes('61002') && !read().includes('61001'), 5_000, 'file rewritten');
  });
});
