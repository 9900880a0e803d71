import type { people_v1 } from '@googleapis/people';
import type { Logger } from '../log';
import { classifyGoogleError } from '../sync/google-backend';
import type { GoogleAuth } from '../sync/google-auth';
import { SyncError } from '../sync/types';
import { ConnectionIndex, MATCH_FIELDS, mergeOwnedFields, newContactBody, OWNED_FIELDS } from './people-merge';
import type { Job, PersonRecord, SyncFile } from './people-sync-file';

/**
 * The Google People API side of the contacts sync: one person written per job (find, merge
 * only the fields we own, create in the `Referees` group when missing), the shared sign-in's
 * token refreshed once on a 401, and how Google's refusals read (Retry-After, permission).
 * The outbox, retries and state are people-sync.ts's.
 */

export const GROUP_NAME = 'Referees';
/** A Retry-After longer than this is capped: the outbox must keep moving. */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;

/** Retry-After (seconds or an HTTP date), capped at MAX_RETRY_AFTER_MS; null when absent or unreadable. */
export function retryAfterMs(err: unknown, now: number): number | null {
  const headers = (err as { response?: { headers?: unknown } }).response?.headers;
  let value: string | null = null;
  if (headers && typeof (headers as Headers).get === 'function') value = (headers as Headers).get('retry-after');
  else if (headers && typeof headers === 'object') {
    const v = (headers as Record<string, unknown>)['retry-after'];
    value = typeof v === 'string' ? v : null;
  }
  if (!value) return null;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return Math.min(MAX_RETRY_AFTER_MS, secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - now));
}

export function isPermissionError(e: SyncError): boolean {
  return e.status === 403 && (e.reason === 'PERMISSION_DENIED' || e.reason === 'insufficientPermissions' || e.reason === 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' || /scope|permission/i.test(e.message));
}

export interface PeopleWriterDeps {
  auth: GoogleAuth;
  log: Logger;
  /** People API root, e.g. the local fake server in tests. */
  rootUrl?: string;
  timeoutMs?: number;
  /** The sync state, read each time: start() replaces it with the one on disk. */
  data(): SyncFile;
  save(): void;
  bump(counter: string): void;
  now(): number;
}

export class PeopleWriter {
  private index: ConnectionIndex | null = null;
  private api: people_v1.People | null = null;
  private apiAuth: unknown = null;

  constructor(private readonly deps: PeopleWriterDeps) {}

  /** The connections are listed once per run of the outbox; the next run lists them again. */
  forgetConnections(): void {
    this.index = null;
  }

  private async client(): Promise<people_v1.People> {
    const auth = this.deps.auth.client();
    if (!auth) throw new SyncError('sign-in needed', 'auth');
    if (!this.api || this.apiAuth !== auth) {
      // Loaded on first use, not at start: Google Contacts is off by default (issue 12, idle RSS).
      const { people } = await import('@googleapis/people');
      this.api = people({
        version: 'v1',
        // googleapis-common bundles its own google-auth-library copy; the client is the same at runtime.
        auth: auth as unknown as people_v1.Options['auth'],
        ...(this.deps.rootUrl ? { rootUrl: this.deps.rootUrl } : {}),
        // The outbox is the one retry authority (spec §5.7: the Python service blocked 15 min in 429 sleeps).
        retry: false,
        timeout: this.deps.timeoutMs ?? 30_000,
      });
      this.apiAuth = auth;
    }
    return this.api;
  }

  /** One People call; a 401 gets one fresh access token from the shared sign-in, as the calendar does. */
  private async call<T>(fn: (api: people_v1.People) => Promise<{ data: T }>): Promise<T> {
    let refreshed = false;
    for (;;) {
      const api = await this.client();
      this.deps.bump('apiCalls');
      try {
        return (await fn(api)).data;
      } catch (err) {
        const e = classifyGoogleError(err, 'contacts');
        if (e.status !== 401 || refreshed) throw err;
        refreshed = true;
        try {
          await this.deps.auth.refreshAfterUnauthorized();
        } catch (refreshErr) {
          throw classifyGoogleError(refreshErr, 'token refresh');
        }
      }
    }
  }

  private async connections(): Promise<ConnectionIndex> {
    if (this.index) return this.index;
    const index = new ConnectionIndex();
    let pageToken: string | undefined;
    do {
      const page = await this.call((api) =>
        api.people.connections.list({ resourceName: 'people/me', pageSize: 1000, personFields: MATCH_FIELDS, ...(pageToken ? { pageToken } : {}) }),
      );
      for (const p of page.connections ?? []) index.add(p);
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    this.index = index;
    return index;
  }

  /** The `Referees` group: found by paging through all groups (spec §8.10), created once. */
  private async group(): Promise<string> {
    const known = this.deps.data().group;
    if (known) return known;
    let pageToken: string | undefined;
    do {
      const page = await this.call((api) => api.contactGroups.list({ pageSize: 1000, ...(pageToken ? { pageToken } : {}) }));
      const found = (page.contactGroups ?? []).find((g) => g.name === GROUP_NAME && g.groupType !== 'SYSTEM_CONTACT_GROUP' && g.resourceName);
      if (found?.resourceName) {
        this.deps.data().group = found.resourceName;
        return found.resourceName;
      }
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    const created = await this.call((api) => api.contactGroups.create({ requestBody: { contactGroup: { name: GROUP_NAME } } }));
    if (!created.resourceName) throw new SyncError('contactGroups.create returned no resourceName', 'permanent');
    this.deps.data().group = created.resourceName;
    this.deps.save();
    return created.resourceName;
  }

  /** Writes one person: updates their contact (ours by record, or found by number/name), else creates it in the group. */
  async execute(job: Job): Promise<'created' | 'updated' | 'unchanged'> {
    const want = job.person;
    let target = this.deps.data().records[job.key]?.resourceName ?? null;
    if (!target) target = (await this.connections()).find(want)?.resourceName ?? null;
    if (target) {
      const result = await this.updateExisting(target, job);
      if (result) return result;
      // Gone (deleted by hand): fall through and create it again.
      delete this.deps.data().records[job.key];
      const again = (await this.connections()).find(want)?.resourceName ?? null;
      if (again && again !== target) {
        const r = await this.updateExisting(again, job);
        if (r) return r;
      }
    }
    const group = await this.group();
    const created = await this.call((api) => api.people.createContact({ personFields: OWNED_FIELDS, requestBody: newContactBody(want, group) }));
    if (!created.resourceName) throw new SyncError('createContact returned no resourceName', 'permanent');
    this.index?.add(created);
    this.record(job, created.resourceName, created.etag ?? null);
    this.deps.log.info('contacts', `created ${job.key} in Google Contacts`);
    return 'created';
  }

  /** null when the contact no longer exists. */
  private async updateExisting(resourceName: string, job: Job): Promise<'updated' | 'unchanged' | null> {
    for (let tries = 0; ; tries++) {
      let existing: people_v1.Schema$Person;
      try {
        existing = await this.call((api) => api.people.get({ resourceName, personFields: OWNED_FIELDS }));
      } catch (err) {
        const e = classifyGoogleError(err, 'people.get');
        if (e.status === 404 || e.status === 410) return null;
        throw e;
      }
      const { fields, body } = mergeOwnedFields(existing, job.person);
      if (fields.length === 0) {
        this.record(job, resourceName, existing.etag ?? null);
        return 'unchanged';
      }
      try {
        const updated = await this.call((api) =>
          api.people.updateContact({ resourceName, updatePersonFields: fields.join(','), personFields: OWNED_FIELDS, requestBody: body }),
        );
        this.record(job, resourceName, updated.etag ?? null);
        this.deps.log.info('contacts', `updated ${job.key} in Google Contacts (${fields.join(', ')})`);
        return 'updated';
      } catch (err) {
        const e = classifyGoogleError(err, 'people.updateContact');
        // The contact changed between our read and write (someone edited it): read again, once.
        const stale = e.status === 412 || e.status === 409 || (e.status === 400 && /etag|FAILED_PRECONDITION/i.test(`${e.reason ?? ''} ${e.message}`));
        if (stale && tries === 0) {
          this.deps.bump('etagConflicts');
          continue;
        }
        throw e;
      }
    }
  }

  private record(job: Job, resourceName: string, etag: string | null): void {
    const rec: PersonRecord = { resourceName, etag, hash: job.hash, syncedAt: new Date(this.deps.now()).toISOString() };
    this.deps.data().records[job.key] = rec;
  }
}
