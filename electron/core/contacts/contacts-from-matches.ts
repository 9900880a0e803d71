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
}

function matchTitle(m: FogisMatch): string {
  return `${m.lag1namn} - ${m.lag2namn}`;
}

export function deriveContacts(matches: readonly FogisMatch[], opts: DeriveOptions): DerivedPhonebook {
  const own = opts.ownRefereeNumber.trim();
  const tz = opts.timeZone ?? STOCKHOLM;
  const byKey = new Map<string, Draft>();
  /** phone/e-mail → key of a person already seen, so a fallback entry joins them. */
  const alias = new Map<string, string>();
  const skipped = { own: new Set<string>(), protected: 0 };
  let invalidPhones = 0;

  const phoneOf = (entry: Record<string, unknown>): string | null => {
    // Mobile first: it is what the coordinator calls on match day.
    for (const field of ['mobiltelefon', 'telefon', 'telefonarbete']) {
      const raw = text(entry[field]);
      if (!raw) continue;
      const n = toE164(raw);
      if (n) return n;
      invalidPhones++;
    }
    return null;
  };

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
      };
      byKey.set(key, draft);
    }
    if (phone) alias.set(`${prefix}phone:${phone}`, key);
    if (email) alias.set(`${prefix}email:${email}`, key);
    return draft;
  };

  const addMatch = (d: Draft, m: FogisMatch, role: string): void => {
    const matchId = String(m.matchid);
    if (d.contact.matches.some((x) => x.matchId === matchId && x.role === role)) return;
    const kickoff = kickoffOf(m, tz);
    const entry: ContactMatch = { matchId, title: matchTitle(m), kickoff: kickoff ? kickoff.toISOString() : null, role, cancelled: m.installd === true };
    d.contact.matches.push(entry);
    d.kickoffs.set(`${matchId}\u0000${role}`, kickoff ? kickoff.getTime() : Number.POSITIVE_INFINITY);
  };

  const fill = (c: Contact, phone: string | null, email: string | null, address: ContactAddress | null): void => {
    // The first list given is the newest: its values win, older ones only fill gaps.
    c.phone ??= phone;
    c.email ??= email;
    c.address ??= address;
  };

  // Numbered referees first, so an entry without a number can join its numbered person.
  const referees: Array<{ m: FogisMatch; r: Record<string, unknown> }> = [];
  for (const m of matches) for (const r of m.domaruppdraglista ?? []) referees.push({ m, r: r as Record<string, unknown> });
  referees.sort((a, b) => Number(id(b.r.domarnr) !== null) - Number(id(a.r.domarnr) !== null));

  for (const { m, r } of referees) {
    const name = text(r.personnamn) ?? text(r.namn);
    if (!name) continue;
    if (isProtectedName(name)) {
      skipped.protected++;
      continue;
    }
    const nr = id(r.domarnr);
    if (nr !== null && own !== '' && nr === own) {
      skipped.own.add(nr);
      continue;
    }
    const phone = phoneOf(r);
    const email = normaliseEmail(text(r.epostadress));
    const d = join('referee', nr !== null ? `ref:${nr}` : null, name, phone, email);
    const c = d.contact;
    c.refereeNumber ??= nr;
    fill(c, phone, email, addressOf(r));
    const role = text(r.domarrollkortnamn) ?? text(r.domarrollnamn) ?? '';
    const roleName = text(r.domarrollnamn) ?? role;
    if (role && !c.roles.includes(role)) {
      c.roles.push(role);
      c.roleNames.push(roleName);
    }
    addMatch(d, m, role);
  }

  for (const m of matches) {
    for (const raw of m.kontaktpersoner ?? []) {
      const k = raw as Record<string, unknown>;
      const name = text(k.personnamn);
      if (!name) continue;
      if (isProtectedName(name)) {
        skipped.protected++;
        continue;
      }
      const team = text(k.lagnamn) ?? '';
      const phone = phoneOf(k);
      const email = normaliseEmail(text(k.epostadress));
      const pid = id(k.personid);
      const d = join('team', pid !== null ? `team:${pid}` : null, name, phone, email);
      const c = d.contact;
      fill(c, phone, email, addressOf(k));
      if (team && !c.teams.includes(team)) c.teams.push(team);
      addMatch(d, m, team);
    }
  }

  const contacts: Contact[] = [];
  for (const d of byKey.values()) {
    const order = (x: ContactMatch): number => d.kickoffs.get(`${x.matchId}\u0000${x.role}`) ?? Number.POSITIVE_INFINITY;
    d.contact.matches.sort((a, b) => order(a) - order(b) || a.matchId.localeCompare(b.matchId));
    contacts.push(d.contact);
  }
  contacts.sort(
    (a, b) =>
      Number(a.kind === 'team') - Number(b.kind === 'team') ||
      (a.teams[0] ?? '').localeCompare(b.teams[0] ?? '', 'sv') ||
      a.name.localeCompare(b.name, 'sv') ||
      a.key.localeCompare(b.key),
  );
  return { contacts, skippedOwn: skipped.own.size, skippedProtected: skipped.protected, invalidPhones };
}
