import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { AppConfig } from '../../../shared/config';
import type { Contact, ContactsResponse, ContactsState } from '../../../shared/contacts';
import { kickoffOf } from '../../../shared/fogis-time';
import { fogisMatchSchema, type FogisMatch } from '../../../shared/messages';
import { errorText, type Logger } from '../log';
import { readJsonFile, writeFileAtomic } from '../store/atomic-file';
import { JsonArrayText } from '../store/json-array-text';
import type { AppAlertInput, MatchListInput } from '../sync/calendar-sink';
import type { GoogleAuth } from '../sync/google-auth';
import type { RetryPolicy } from '../retry';
import { deriveContacts, PreparedMatches, type DerivedPhonebook } from './contacts-from-matches';
import type { DesiredPerson } from './people-merge';
import { PeopleSync } from './people-sync';
import { StoredMatches } from './stored-matches';
import { contactsToVcf } from './vcard';

export const CONTACTS_STORE_FILE = 'contacts.json';
export const VCARD_FILE = 'contacts.vcf';
/** Played matches stay in the phonebook this long after kickoff ("current and recent matches"). */
export const RECENT_MS = 30 * 24 * 3600_000;
/** At most this many matches are remembered (DESIGN rule 6); the newest kickoffs stay. */
export const MAX_STORED_MATCHES = 500;
/**
 * Lists arriving within this time share one derivation and one write: a burst of lists must
 * not queue a phonebook file write per list on the message path (issue 12).
 */
export const COALESCE_MS = 200;

const storeSchema = z.object({ version: z.literal(1), updatedAt: z.string().nullable(), matches: z.array(fogisMatchSchema) });

export interface ContactsServiceOptions {
  dataDir: string;
  log: Logger;
  raiseAlert(alert: AppAlertInput): void;
  /** The calendar's Google sign-in, shared (one token, spec §5.8); null when there is none. */
  auth: GoogleAuth | null;
  peopleRootUrl?: string;
  peopleTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  now?: () => number;
}

export function toDesiredPerson(c: Contact): DesiredPerson {
  return { key: c.key, refereeNumber: c.refereeNumber, name: c.name, phone: c.phone, email: c.email, address: c.address };
}

/**
 * The referee phonebook: remembers the current and recent matches, derives the people,
 * writes `contacts.vcf` (0600) and feeds Google Contacts when the coordinator turned it on.
 * Runs beside the calendar, never through it (spec §7 84fd1b4).
 *
 * A list that changes nothing the phonebook reads (a new venue, a changed match elsewhere)
 * keeps every stored match object, and then costs no derivation, no vCard and no Google
 * feed, only the saved file's new date; a list that does re-reads its changed matches only
 * (StoredMatches, PreparedMatches; issue 12).
 */
export class ContactsService {
  private config: AppConfig;
  private matches: FogisMatch[] = [];
  private updatedAt: string | null = null;
  private book: DerivedPhonebook = { contacts: [], skippedOwn: 0, skippedProtected: 0, invalidPhones: 0 };
  private vcard: { writtenAt: string | null; error: string | null; text: string | null } = { writtenAt: null, error: null, text: null };
  private readonly people: PeopleSync | null;
  private readonly listeners = new Set<() => void>();
  private writing: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  /** The stored matches changed since the book was last derived. */
  private dirty = false;
  /** The book changed since it was last written and announced. */
  private unwritten = false;
  private flushTimer: NodeJS.Timeout | null = null;
  /** The last list was longer than the phonebook keeps, and the log said so. */
  private warnedTooLong = false;
  private readonly stored = new StoredMatches();
  private readonly prepared = new PreparedMatches();
  private readonly storedText = new JsonArrayText();
  /** The book last handed to the vCard writer and to Google Contacts (skipped when it is this book). */
  private vcardBook: DerivedPhonebook | null = null;
  private googleBook: DerivedPhonebook | null = null;

  constructor(
    config: AppConfig,
    private readonly opts: ContactsServiceOptions,
  ) {
    this.config = config;
    this.now = opts.now ?? Date.now;
    this.people = opts.auth
      ? new PeopleSync({
          dataDir: opts.dataDir,
          log: opts.log,
          auth: opts.auth,
          raiseAlert: (a) => opts.raiseAlert(a),
          ...(opts.peopleRootUrl ? { rootUrl: opts.peopleRootUrl } : {}),
          ...(opts.peopleTimeoutMs ? { timeoutMs: opts.peopleTimeoutMs } : {}),
          ...(opts.retry ? { retry: opts.retry } : {}),
          now: this.now,
        })
      : null;
    this.people?.onStateChange(() => this.emit());
  }

  get vcardPath(): string {
    return path.join(this.opts.dataDir, VCARD_FILE);
  }

  async start(): Promise<void> {
    const loaded = await readJsonFile(path.join(this.opts.dataDir, CONTACTS_STORE_FILE), storeSchema, this.opts.log);
    if (loaded.status === 'ok') {
      this.matches = loaded.value.matches;
      this.updatedAt = loaded.value.updatedAt;
      this.stored.seed(this.matches);
    }
    this.derive();
    try {
      this.vcard.text = await fs.readFile(this.vcardPath, 'utf8');
    } catch {
      this.vcard.text = null;
    }
    if (this.updatedAt) this.writeVcard();
    await this.people?.start(this.config.contacts.googleSync);
    this.feedGoogle();
  }

  async stop(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.flush();
    await this.people?.stop();
    await this.writing;
  }

  onStateChange(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Called with every accepted full list; returns at once (writes run in the background). */
  onMatchList(input: MatchListInput): void {
    const now = this.now();
    const current = this.stored.take(input);
    const ids = new Set(current.map((m) => String(m.matchid)));
    // Played matches that left the list stay a while; a future match that left the list was
    // taken from the coordinator, so its referees go too.
    const recent = this.matches.filter((m) => {
      if (ids.has(String(m.matchid))) return false;
      const k = kickoffOf(m, this.config.calendar.timeZone)?.getTime();
      return k !== undefined && k <= now && now - k <= RECENT_MS;
    });
    recent.sort((a, b) => (kickoffOf(b)?.getTime() ?? 0) - (kickoffOf(a)?.getTime() ?? 0));
    const next = [...current, ...recent].slice(0, MAX_STORED_MATCHES);
    // Said once while lists stay that long, not for every list (a line per list is a write to
    // stdout on the message path: ~0.3 ms of each 1000-match list in the drain's profile).
    if (current.length > MAX_STORED_MATCHES && !this.warnedTooLong) this.opts.log.warn('contacts', `list of ${current.length} matches: the phonebook keeps the first ${MAX_STORED_MATCHES}`);
    this.warnedTooLong = current.length > MAX_STORED_MATCHES;
    // The book is a function of these objects (and the settings): the same objects, the same book.
    if (next.length !== this.matches.length || next.some((m, i) => m !== this.matches[i])) {
      this.matches = next;
      this.dirty = true;
    }
    this.updatedAt = input.receivedAt;
    this.unwritten = true;
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, COALESCE_MS);
    this.flushTimer.unref?.();
  }

  /** Derives, saves, writes the vCard and feeds Google once for every list since the last flush. */
  private flush(): void {
    if (!this.unwritten) return;
    this.unwritten = false;
    this.ensureDerived();
    this.persist();
    // Neither is redone for a book already handed over (a failed vCard write is retried).
    if (this.vcardBook !== this.book || this.vcard.error !== null) this.writeVcard();
    if (this.googleBook !== this.book) this.feedGoogle();
    this.emit();
  }

  private ensureDerived(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.derive();
  }

  updateConfig(config: AppConfig): void {
    const prev = this.config;
    this.config = config;
    const c = config.contacts;
    if (prev.contacts.ownRefereeNumber !== c.ownRefereeNumber || prev.calendar.timeZone !== config.calendar.timeZone) {
      this.derive();
      if (this.updatedAt) this.writeVcard();
      this.emit();
    }
    this.people?.setEnabled(c.googleSync);
    this.feedGoogle();
  }

  contacts(): ContactsResponse {
    this.flush();
    return { contacts: this.book.contacts, updatedAt: this.updatedAt };
  }

  /** The vCard text, or null before the first list. */
  async readVcard(): Promise<string | null> {
    this.flush();
    await this.writing;
    return this.updatedAt ? contactsToVcf(this.book.contacts) : null;
  }

  getState(): ContactsState {
    // A reader gets the book of the newest list: the coalesced work runs now if it is due.
    this.flush();
    const c = this.book.contacts;
    const google = this.people?.state() ?? { enabled: this.config.contacts.googleSync, status: this.config.contacts.googleSync ? 'sign-in needed' : 'off', reason: null, pending: 0, failed: 0, lastSyncAt: null, counters: {} };
    return {
      total: c.length,
      referees: c.filter((x) => x.kind === 'referee').length,
      teamContacts: c.filter((x) => x.kind === 'team').length,
      skippedOwn: this.book.skippedOwn,
      skippedProtected: this.book.skippedProtected,
      invalidPhones: this.book.invalidPhones,
      updatedAt: this.updatedAt,
      vcard: { writtenAt: this.vcard.writtenAt, error: this.vcard.error },
      google,
    };
  }

  drainGoogle(timeoutMs?: number): Promise<boolean> {
    this.flush();
    return this.people ? this.people.drain(timeoutMs) : Promise.resolve(true);
  }

  private derive(): void {
    this.dirty = false;
    this.book = deriveContacts(this.matches, { ownRefereeNumber: this.config.contacts.ownRefereeNumber, timeZone: this.config.calendar.timeZone }, this.prepared);
  }

  private feedGoogle(): void {
    if (!this.people || !this.config.contacts.googleSync || !this.updatedAt) return;
    // Referees only, as the Python service (spec §5.7); someone known by name alone cannot be matched.
    const persons = this.book.contacts.filter((c) => c.kind === 'referee' && !c.key.startsWith('name:')).map(toDesiredPerson);
    // The same persons again queue nothing (people-sync.ts setPeople compares hashes).
    this.googleBook = this.book;
    this.people.setPeople(persons);
  }

  private persist(): void {
    // The same text as JSON.stringify({ version: 1, updatedAt, matches }), in pieces from per-match texts (never joined: issue 12).
    const text = [`{"version":1,"updatedAt":${JSON.stringify(this.updatedAt)},"matches":`, ...this.storedText.parts(this.matches), '}'];
    this.writing = this.writing
      .then(() => writeFileAtomic(path.join(this.opts.dataDir, CONTACTS_STORE_FILE), text, 0o600))
      .catch((err: unknown) => this.opts.log.error('contacts', `cannot save the phonebook: ${errorText(err)}`));
  }

  private writeVcard(): void {
    this.vcardBook = this.book;
    const text = contactsToVcf(this.book.contacts);
    if (text === this.vcard.text && this.vcard.error === null) return;
    this.writing = this.writing.then(async () => {
      try {
        await writeFileAtomic(this.vcardPath, text, 0o600);
        const first = this.vcard.error !== null;
        this.vcard = { writtenAt: new Date(this.now()).toISOString(), error: null, text };
        if (first) this.opts.log.info('contacts', `${VCARD_FILE} written again`);
      } catch (err) {
        const was = this.vcard.error;
        this.vcard = { ...this.vcard, error: errorText(err) };
        this.opts.log.error('contacts', `cannot write ${VCARD_FILE}: ${errorText(err)}`);
        if (was === null) {
          this.opts.raiseAlert({
            alertType: 'contacts',
            severity: 'error',
            message: `The phonebook file ${VCARD_FILE} could not be written: ${errorText(err)}`,
            text: { key: 'appAlert.contactsFileFailed', params: { error: errorText(err) } },
          });
        }
      }
      this.emit();
    });
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
