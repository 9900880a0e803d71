import { createHash } from 'node:crypto';
import type { Contact } from '../../../shared/contacts';

/**
 * vCard 3.0 (RFC 2426), the version Android, iOS, Outlook and Thunderbird all import. Every
 * card carries a UID that stays the same from list to list (the FOGIS referee number, or a
 * digest of a team contact's identity), so importing the file again updates the cards
 * instead of adding a second copy.
 */

/**
 * RFC 2426 §5: backslash, comma and newlines are escaped in text; semicolons only where they
 * separate components (N, ADR, ORG), which is where every reader expects them escaped.
 */
export function escapeText(value: string, structured = false): string {
  const s = value.replace(/\\/g, '\\\\').replace(/\r\n|\r|\n/g, '\\n').replace(/,/g, '\\,');
  return structured ? s.replace(/;/g, '\\;') : s;
}
const part = (v: string): string => escapeText(v, true);

/** Lines longer than 75 octets are folded (CRLF + space), never inside a UTF-8 sequence. */
export function foldLine(line: string): string {
  // Most lines fit (a UTF-16 unit is at most 3 octets): the per-character walk is for the rest.
  if (line.length <= 25 || Buffer.byteLength(line) <= 75) return line;
  const out: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch);
    const limit = out.length === 0 ? 75 : 74;
    if (bytes + n > limit) {
      out.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += n;
  }
  out.push(current);
  return out.join('\r\n ');
}

export function contactUid(c: Contact): string {
  if (c.refereeNumber) return `fogis-domarnr-${c.refereeNumber}@fogis-monitor`;
  const digest = createHash('sha256').update(c.key).digest('hex').slice(0, 24);
  return `fogis-${c.kind}-${digest}@fogis-monitor`;
}

/** "Anna Maria Ekström" → given "Anna Maria", family "Ekström". */
export function splitName(name: string): { given: string; family: string } {
  const parts = name.trim().split(/\s+/);
  if (parts.length < 2) return { given: parts[0] ?? '', family: '' };
  return { given: parts.slice(0, -1).join(' '), family: parts[parts.length - 1] ?? '' };
}

export function contactCard(c: Contact): string {
  const { given, family } = splitName(c.name);
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `UID:${escapeText(contactUid(c))}`, `FN:${escapeText(c.name)}`, `N:${part(family)};${part(given)};;;`];
  if (c.phone) lines.push(`TEL;TYPE=CELL,VOICE:${c.phone}`);
  if (c.email) lines.push(`EMAIL;TYPE=INTERNET:${escapeText(c.email)}`);
  if (c.address) {
    const a = c.address;
    lines.push(`ADR;TYPE=HOME:;;${part(a.street ?? '')};${part(a.city ?? '')};;${part(a.postalCode ?? '')};${part(a.country ?? '')}`);
  }
  if (c.kind === 'team') {
    if (c.teams.length > 0) lines.push(`ORG:${part(c.teams[0] ?? '')}`);
    lines.push('TITLE:Lagkontakt');
    lines.push('CATEGORIES:FOGIS,Lagkontakter');
  } else {
    if (c.roleNames.length > 0) lines.push(`TITLE:${escapeText(c.roleNames.join(' / '))}`);
    lines.push('CATEGORIES:FOGIS,Referees');
    if (c.refereeNumber) lines.push(`NOTE:${escapeText(`FOGIS domarnr ${c.refereeNumber}`)}`);
  }
  lines.push('END:VCARD');
  return lines.map(foldLine).join('\r\n');
}

export function contactsToVcf(contacts: readonly Contact[]): string {
  return contacts.length === 0 ? '' : contacts.map(contactCard).join('\r\n') + '\r\n';
}
