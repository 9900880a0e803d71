import type { Contact, ContactAddress, ContactMatch } from '../../../shared/contacts';
import { kickoffOf, STOCKHOLM } from '../../../shared/fogis-time';
import type { FogisMatch } from '../../../shared/messages';
import { normaliseEmail, toE164 } from './phone';

/**
 * The phonebook from the match lists (spec §2.7 keys, §5.7 matching): one person per
 * referee number, falling back to the normalised phone, then the e-mail, as the Python
 * service matches. Protected persons and the coordinator's own number are left out
 * (spec §7 #42, §8.10); empty fields are dropped.
 */

export interface DeriveOptions {
  /** `USER_REFEREE_NUMBER`; '' when not set. */
  ownRefereeNumber: string;
  timeZone?: string;
}

export interface DerivedPhonebook {
  contacts: Contact[];
  skippedOwn: number;
  skippedProtected: number;
  invalidPhones: number;
}

const PROTECTED_RE = /personuppgifter\s*skyddade/i;

export function isProtectedName(name: string): boolean {
  return PROTECTED_RE.test(name);
}

function text(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  // NFC: FOGIS text arrives in either Unicode form ("Ö" as one or two code points), and a
  // search or a duplicate check must not depend on which.
  const s = v.normalize('NFC').replace(/\s+/g, ' ').trim();
  return s === '' ? null : s;
}

/** FOGIS sends 0 for a missing id (§2.7). */
function id(v: unknown): string | null {
  const s = text(v);
  return s === null || s === '0' ? null : s;
}

function addressOf(entry: Record<string, unknown>): ContactAddress | null {
  const a: ContactAddress = { street: text(entry.adress), postalCode: text(entry.postnr), city: text(entry.postort), country: text(entry.land) };
  // A country alone ("Sverige" on every team contact) is no address.
  return a.street || a.postalCode || a.city ? a : null;
}

interface Draft {
  contact: Contact;
  /** Sort key per match: kickoff ms. */
  kickoffs: Map<string, number>;
  /** Roles already listed per match id (one entry per match and role). */
  seen: Map<string, Set<string>>;
}

function matchTitle(m: FogisMatch): string {
  return `${m.lag1namn} - ${m.lag2namn}`;
}

/** What one referee or team contact of a match gives the phonebook, read once. */
interface PersonEntry {
  /** null: no name, the entry is left out. */
  name: string | null;
  protectedName: boolean;
  /** Referee number (`domarnr`) or team contact id (`personid`). */
  id: string | null;
  phone: string | null;
  /** Phone fields that held something not dialable before the one taken. */
  invalidPhones: number;
  email: string | null;
  address: ContactAddress | null;
  /** The role's short name (referee) or the team name (team contact). */
  role: string;
  roleName: string;
}

/** What one match gives the phonebook: read once per match object and time zone. */
interface PreparedMatch {
  timeZone: string;
  matchId: string;
  title: string;
  kickoff: string | null;
  kickoffMs: number;
  cancelled: boolean;
  referees: PersonEntry[];
  team: PersonEntry[];
}

function phoneOf(entry: Record<string, unknown>): { phone: string | null; invalid: number } {
  let invalid = 0;
  // Mobile first: it is what the coordinator calls on match day.
  for (const field of ['mobiltelefon', 'telefon', 'telefonarbete']) {
    const raw = text(entry[field]);
    if (!raw) continue;
    const n = toE164(raw);
    if (n) return { phone: n, invalid };
    invalid++;
  }
  return { phone: null, invalid };
}

function entryOf(e: Record<string, unknown>, name: string | null, id: string | null, role: string, roleName: string): PersonEntry {
  const protectedName = name !== null && isProtectedName(name);
  if (name === null || protectedName) return { name, protectedName, id, phone: null, invalidPhones: 0, email: null, address: null, role, roleName };
  const { phone, invalid } = phoneOf(e);
  return { name, protectedName, id, phone, invalidPhones: invalid, email: normaliseEmail(text(e.epostadress)), address: addressOf(e), role, roleName };
}

function prepare(m: FogisMatch, timeZone: string): PreparedMatch {
  const kickoff = kickoffOf(m, timeZone);
  const referees = (m.domaruppdraglista ?? []).map((raw) => {
    const r = raw as Record<string, unknown>;
    const role = text(r.domarrollkortnamn) ?? text(r.domarrollnamn) ?? '';
    return entryOf(r, text(r.personnamn) ?? text(r.namn), id(r.domarnr), role, text(r.domarrollnamn) ?? role);
  });
  const team = (m.kontaktpersoner ?? []).map((raw) => {
    const k = raw as Record<string, unknown>;
    const lag = text(k.lagnamn) ?? '';
    return entryOf(k, text(k.personnamn), id(k.personid), lag, lag);
  });
  return {
    timeZone,
    matchId: String(m.matchid),
    title: matchTitle(m),
    kickoff: kickoff ? kickoff.toISOString() : null,
    kickoffMs: kickoff ? kickoff.getTime() : Number.POSITIVE_INFINITY,
    cancelled: m.installd === true,
    referees,
    team,
  };
}

/**
 * What each match gives the phonebook, kept beside the match object: the phonebook keeps an
 * unchanged match's object from one list to the next, so a new list reads only its changed
 * matches again (issue 12: deriving a 500-match phonebook took 10-26 ms of the main thread).
 * Only for match objects nobody changes afterwards (the phonebook's own trimmed copies).
 */
export class PreparedMatches {
  private readonly cache = new WeakMap<FogisMatch, PreparedMatch>();

  get(m: FogisMatch, timeZone: string): PreparedMatch {
    let p = this.cache.get(m);
    if (p === undefined || p.timeZone !== timeZone) {
      p = prepare(m, timeZone);
      this.cache.set(m, p);
    }
    return p;
  }
}

/** The comparisons `localeCompare(x, 'sv')` and `localeCompare(x)` make, built once. */
const SWEDISH = new Intl.Collator('sv');
const DEFAULT_ORDER = new Intl.Collator();

export function deriveContacts(matches: readonly FogisMatch[], opts: DeriveOptions, prepared: PreparedMatches = new PreparedMatches()): DerivedPhonebook {
  const own = opts.ownRefereeNumber.trim();
  const tz = opts.timeZone ?? STOCKHOLM;
  const byKey = new Map<string, Draft>();
  /** phone/e-mail → key of a person already seen, so a fallback entry joins them. */
  const alias = new Map<string, string>();
  const skipped = { own: new Set<string>(), protected: 0 };
  let invalidPhones = 0;
  const list = matches.map((m) => prepared.get(m, tz));

  const join = (kind: Contact['kind'], keyBase: string | null, name: string, phone: string | null, email: string | null): Draft => {
    const prefix = kind === 'team' ? 'team-' : '';
    const candidates = [
      keyBase,
      phone ? alias.get(`${prefix}phone:${phone}`) ?? null : null,
      email ? alias.get(`${prefix}email:${email}`) ?? null : null,
    ];
    let key = candidates.find((k): k is string => k !== null && byKey.has(k)) ?? null;
    key ??= keyBase ?? (phone ? `${prefix}phone:${phone}` : email ? `${prefix}email:${email}` : `${prefix}name:${name.toLowerCase()}`);
    let draft = byKey.get(key);
    if (!draft) {
      draft = {
        contact: { key, kind, name, refereeNumber: null, roles: [], roleNames: [], teams: [], phone: null, email: null, address: null, matches: [] },
        kickoffs: new Map(),
        seen: new Map(),
      };
      byKey.set(key, draft);
    }
    if (phone) alias.set(`${prefix}phone:${phone}`, key);
    if (email) alias.set(`${prefix}email:${email}`, key);
    return draft;
  };

  const addMatch = (d: Draft, m: PreparedMatch, role: string): void => {
    let roles = d.seen.get(m.matchId);
    if (roles?.has(role)) return;
    if (!roles) d.seen.set(m.matchId, (roles = new Set()));
    roles.add(role);
    const entry: ContactMatch = { matchId: m.matchId, title: m.title, kickoff: m.kickoff, role, cancelled: m.cancelled };
    d.contact.matches.push(entry);
    d.kickoffs.set(`${m.matchId}\u0000${role}`, m.kickoffMs);
  };

  const fill = (c: Contact, e: PersonEntry): void => {
    // The first list given is the newest: its values win, older ones only fill gaps.
    c.phone ??= e.phone;
    c.email ??= e.email;
    // A copy: the entry is kept for the next list, the contact is handed out.
    if (c.address === null && e.address !== null) c.address = { ...e.address };
  };

  // Numbered referees first, so an entry without a number can join its numbered person.
  const referees: Array<{ m: PreparedMatch; e: PersonEntry }> = [];
  for (const m of list) for (const e of m.referees) referees.push({ m, e });
  referees.sort((a, b) => Number(b.e.id !== null) - Number(a.e.id !== null));

  for (const { m, e } of referees) {
    const name = e.name;
    if (!name) continue;
    if (e.protectedName) {
      skipped.protected++;
      continue;
    }
    const nr = e.id;
    if (nr !== null && own !== '' && nr === own) {
      skipped.own.add(nr);
      continue;
    }
    invalidPhones += e.invalidPhones;
    const d = join('referee', nr !== null ? `ref:${nr}` : null, name, e.phone, e.email);
    const c = d.contact;
    c.refereeNumber ??= nr;
    fill(c, e);
    if (e.role && !c.roles.includes(e.role)) {
      c.roles.push(e.role);
      c.roleNames.push(e.roleName);
    }
    addMatch(d, m, e.role);
  }

  for (const m of list) {
    for (const e of m.team) {
      const name = e.name;
      if (!name) continue;
      if (e.protectedName) {
        skipped.protected++;
        continue;
      }
      invalidPhones += e.invalidPhones;
      const d = join('team', e.id !== null ? `team:${e.id}` : null, name, e.phone, e.email);
      const c = d.contact;
      fill(c, e);
      if (e.role && !c.teams.includes(e.role)) c.teams.push(e.role);
      addMatch(d, m, e.role);
    }
  }

  const contacts: Contact[] = [];
  for (const d of byKey.values()) {
    // Each entry's kickoff looked up once, not once per comparison.
    const ms = d.contact.matches.map((x) => ({ x, k: d.kickoffs.get(`${x.matchId}\u0000${x.role}`) ?? Number.POSITIVE_INFINITY }));
    ms.sort((a, b) => a.k - b.k || DEFAULT_ORDER.compare(a.x.matchId, b.x.matchId));
    ms.forEach((e, i) => (d.contact.matches[i] = e.x));
    contacts.push(d.contact);
  }
  contacts.sort(
    (a, b) =>
      Number(a.kind === 'team') - Number(b.kind === 'team') ||
      SWEDISH.compare(a.teams[0] ?? '', b.teams[0] ?? '') ||
      SWEDISH.compare(a.name, b.name) ||
      a.key.localeCompare(b.key),
  );
  return { contacts, skippedOwn: skipped.own.size, skippedProtected: skipped.protected, invalidPhones };
}
