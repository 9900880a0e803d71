import type { people_v1 } from '@googleapis/people';
import type { ContactAddress } from '../../../shared/contacts';
import { normaliseEmail, toE164 } from './phone';
import { splitName } from './vcard';

/**
 * What one referee should look like in Google Contacts, and how that is laid over a
 * contact that already exists (spec §5.7) without touching what the app does not own.
 */

export interface DesiredPerson {
  key: string;
  refereeNumber: string | null;
  name: string;
  phone: string | null;
  email: string | null;
  address: ContactAddress | null;
}

/** The Python service's external id (spec §5.7): contacts it made are found by it. */
export function fogisExternalId(refereeNumber: string): string {
  return `FogisId=DomarNr=${refereeNumber}`;
}

/** The fields we match on, and nothing else (spec §7 #88: a missing field made duplicates). */
export const MATCH_FIELDS = 'externalIds,phoneNumbers,emailAddresses';
/** The fields we may change on an existing contact (names only when it has none). */
export const OWNED_FIELDS = 'names,externalIds,phoneNumbers,emailAddresses,addresses';

export function formattedAddress(a: ContactAddress): string {
  const place = [a.postalCode, a.city].filter(Boolean).join(' ');
  return [a.street, place, a.country].filter(Boolean).join(', ');
}

function addressBody(a: ContactAddress): people_v1.Schema$Address {
  return {
    formattedValue: formattedAddress(a),
    ...(a.street ? { streetAddress: a.street } : {}),
    ...(a.postalCode ? { postalCode: a.postalCode } : {}),
    ...(a.city ? { city: a.city } : {}),
    ...(a.country ? { country: a.country } : {}),
    type: 'home',
  };
}

function namesBody(name: string): people_v1.Schema$Name[] {
  const { given, family } = splitName(name);
  return [{ givenName: given, ...(family ? { familyName: family } : {}), unstructuredName: name }];
}

/** The body of a new contact (spec §5.7 fields, empty ones dropped), in `groupResourceName`. */
export function newContactBody(p: DesiredPerson, groupResourceName: string | null): people_v1.Schema$Person {
  return {
    names: namesBody(p.name),
    ...(p.phone ? { phoneNumbers: [{ value: p.phone, type: 'mobile' }] } : {}),
    ...(p.email ? { emailAddresses: [{ value: p.email, type: 'work' }] } : {}),
    ...(p.address ? { addresses: [addressBody(p.address)] } : {}),
    ...(p.refereeNumber ? { externalIds: [{ value: fogisExternalId(p.refereeNumber), type: 'account' }] } : {}),
    ...(groupResourceName ? { memberships: [{ contactGroupMembership: { contactGroupResourceName: groupResourceName } }] } : {}),
  };
}

export function phoneMatches(entry: people_v1.Schema$PhoneNumber, e164: string): boolean {
  return toE164(entry.value) === e164 || toE164(entry.canonicalForm) === e164;
}

const typeIs = (t: string | null | undefined, want: string): boolean => (t ?? '').toLowerCase() === want;

/**
 * Lays the FOGIS data over an existing contact. The app owns: its external id, one mobile
 * number, one work e-mail and one home address. Every other entry, and every other field,
 * is sent back exactly as Google gave it. Returns the fields that changed (empty: no write).
 */
export function mergeOwnedFields(existing: people_v1.Schema$Person, want: DesiredPerson): { fields: string[]; body: people_v1.Schema$Person } {
  const fields: string[] = [];
  const body: people_v1.Schema$Person = { etag: existing.etag ?? null };

  if ((existing.names ?? []).length === 0 && want.name) {
    body.names = namesBody(want.name);
    fields.push('names');
  }

  if (want.refereeNumber) {
    const value = fogisExternalId(want.refereeNumber);
    const ids = existing.externalIds ?? [];
    if (!ids.some((x) => x.value === value)) {
      body.externalIds = [...ids, { value, type: 'account' }];
      fields.push('externalIds');
    }
  }

  if (want.phone) {
    const phones = existing.phoneNumbers ?? [];
    if (!phones.some((p) => phoneMatches(p, want.phone as string))) {
      const i = phones.findIndex((p) => typeIs(p.type, 'mobile'));
      body.phoneNumbers = i >= 0 ? phones.map((p, j) => (j === i ? { value: want.phone, type: p.type ?? 'mobile' } : p)) : [{ value: want.phone, type: 'mobile' }, ...phones];
      fields.push('phoneNumbers');
    }
  }

  if (want.email) {
    const mails = existing.emailAddresses ?? [];
    if (!mails.some((m) => normaliseEmail(m.value) === want.email)) {
      const i = mails.findIndex((m) => typeIs(m.type, 'work'));
      body.emailAddresses = i >= 0 ? mails.map((m, j) => (j === i ? { value: want.email, type: m.type ?? 'work' } : m)) : [...mails, { value: want.email, type: 'work' }];
      fields.push('emailAddresses');
    }
  }

  if (want.address) {
    const a = want.address;
    const formatted = formattedAddress(a);
    const list = existing.addresses ?? [];
    const same = list.some((x) => x.formattedValue === formatted || ((x.streetAddress ?? null) === a.street && (x.postalCode ?? null) === a.postalCode && (x.city ?? null) === a.city));
    if (!same) {
      const i = list.findIndex((x) => typeIs(x.type, 'home'));
      body.addresses = i >= 0 ? list.map((x, j) => (j === i ? addressBody(a) : x)) : [...list, addressBody(a)];
      fields.push('addresses');
    }
  }
  return { fields, body };
}

/** One scan of the coordinator's contacts, indexed the three ways we match (spec §5.7). */
export class ConnectionIndex {
  private readonly byExternal = new Map<string, string>();
  private readonly byPhone = new Map<string, string>();
  private readonly byEmail = new Map<string, string>();

  add(p: people_v1.Schema$Person): void {
    const rn = p.resourceName;
    if (!rn) return;
    for (const x of p.externalIds ?? []) if (x.value && !this.byExternal.has(x.value)) this.byExternal.set(x.value, rn);
    for (const ph of p.phoneNumbers ?? []) {
      for (const n of [toE164(ph.value), toE164(ph.canonicalForm)]) if (n && !this.byPhone.has(n)) this.byPhone.set(n, rn);
    }
    for (const m of p.emailAddresses ?? []) {
      const e = normaliseEmail(m.value);
      if (e && !this.byEmail.has(e)) this.byEmail.set(e, rn);
    }
  }

  /** External id first, then phone, then e-mail. */
  find(p: DesiredPerson): { resourceName: string; by: 'externalId' | 'phone' | 'email' } | null {
    const ext = p.refereeNumber ? this.byExternal.get(fogisExternalId(p.refereeNumber)) : undefined;
    if (ext) return { resourceName: ext, by: 'externalId' };
    const ph = p.phone ? this.byPhone.get(p.phone) : undefined;
    if (ph) return { resourceName: ph, by: 'phone' };
    const em = p.email ? this.byEmail.get(p.email) : undefined;
    if (em) return { resourceName: em, by: 'email' };
    return null;
  }
}
