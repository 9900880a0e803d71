import { z } from 'zod';

/**
 * The referee phonebook (issue 13): people derived from the match lists' referee
 * assignments (`domaruppdraglista`) and team contacts (`kontaktpersoner`), spec §2.7, §5.7.
 * Shared by the core (derivation, vCard, Google Contacts), the HTTP/IPC bridge and the
 * Contacts page.
 */

export const contactMatchSchema = z.object({
  matchId: z.string(),
  /** "Home - Away" */
  title: z.string(),
  /** Kickoff (ISO UTC); null when the list's `tid` is unusable. */
  kickoff: z.string().nullable(),
  /** Referee role short name (`Dom`, `AD1` …) or, for a team contact, the team. */
  role: z.string(),
  cancelled: z.boolean(),
});
export type ContactMatch = z.infer<typeof contactMatchSchema>;

export const contactAddressSchema = z.object({
  street: z.string().nullable(),
  postalCode: z.string().nullable(),
  city: z.string().nullable(),
  country: z.string().nullable(),
});
export type ContactAddress = z.infer<typeof contactAddressSchema>;

export const contactSchema = z.object({
  /** Stable identity: `ref:<domarnr>`, `phone:<E.164>`, `email:<lowercase>` or `team:<personid>`. */
  key: z.string(),
  kind: z.enum(['referee', 'team']),
  name: z.string(),
  refereeNumber: z.string().nullable(),
  /** Role short names over all their matches (`Dom`, `AD1`); `Lagkontakt` has none. */
  roles: z.array(z.string()),
  /** Long role names (`Huvuddomare`), same order as `roles`. */
  roleNames: z.array(z.string()),
  /** Team contacts: their team(s). */
  teams: z.array(z.string()),
  /** E.164 (+46…). */
  phone: z.string().nullable(),
  email: z.string().nullable(),
  address: contactAddressSchema.nullable(),
  /** Their matches in the current and recent lists, by kickoff. */
  matches: z.array(contactMatchSchema),
});
export type Contact = z.infer<typeof contactSchema>;

export const contactsResponseSchema = z.object({
  contacts: z.array(contactSchema),
  /** When the phonebook was last derived from a list; null before the first list. */
  updatedAt: z.string().nullable(),
});
export type ContactsResponse = z.infer<typeof contactsResponseSchema>;

export const GOOGLE_CONTACTS_STATUSES = ['off', 'ok', 'syncing', 'sign-in needed', 'permission needed', 'retrying', 'error'] as const;

export const contactsStateSchema = z.object({
  total: z.number().int(),
  referees: z.number().int(),
  teamContacts: z.number().int(),
  /** Left out: the coordinator's own referee number (spec §7 #42). */
  skippedOwn: z.number().int(),
  /** Left out: "Personuppgifter skyddade" (spec §2.7, §8.10). */
  skippedProtected: z.number().int(),
  /** Phone numbers that could not be read as a number (kept out of the card). */
  invalidPhones: z.number().int(),
  updatedAt: z.string().nullable(),
  vcard: z.object({ writtenAt: z.string().nullable(), error: z.string().nullable() }),
  google: z.object({
    enabled: z.boolean(),
    status: z.enum(GOOGLE_CONTACTS_STATUSES),
    reason: z.string().nullable(),
    pending: z.number().int(),
    failed: z.number().int(),
    lastSyncAt: z.string().nullable(),
    /** created, updated, unchanged, failed, retries, rateLimited, apiCalls, etagConflicts */
    counters: z.record(z.string(), z.number().int()),
  }),
});
export type ContactsState = z.infer<typeof contactsStateSchema>;

export function emptyContactsState(): ContactsState {
  return {
    total: 0,
    referees: 0,
    teamContacts: 0,
    skippedOwn: 0,
    skippedProtected: 0,
    invalidPhones: 0,
    updatedAt: null,
    vcard: { writtenAt: null, error: null },
    google: { enabled: false, status: 'off', reason: null, pending: 0, failed: 0, lastSyncAt: null, counters: {} },
  };
}
