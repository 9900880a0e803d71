import path from 'node:path';
import type { ContactsState } from '../../../shared/contacts';
import { errorText, type Logger } from '../log';
import { readJsonFile, writeFileAtomic } from '../store/atomic-file';
import { classifyGoogleError } from '../sync/google-backend';
import { CONTACTS_SCOPE, type GoogleAuth } from '../sync/google-auth';
import { backoffDelay, DEFAULT_RETRY, type RetryPolicy } from '../retry';
import type { AppAlertInput } from '../sync/calendar-sink';
import type { DesiredPerson } from './people-merge';
import { emptySyncFile, fileSchema, PEOPLE_SYNC_FILE, personHash, type Job, type SyncFile } from './people-sync-file';
import { isPermissionError, PeopleWriter, retryAfterMs } from './people-writer';

/**
 * Google Contacts sync for the referees (issue 13, spec §5.7), independent of the calendar
 * (spec §7 84fd1b4): its own persisted outbox, records and retries. One job per person; a
 * newer state of a person replaces their pending job, so a person costs at most one write
 * per list. Nothing is ever deleted.
 */

export interface PeopleSyncOptions {
  dataDir: string;
  log: Logger;
  auth: GoogleAuth;
  raiseAlert(alert: AppAlertInput): void;
  /** People API root, e.g. the local fake server in tests. */
  rootUrl?: string;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  now?: () => number;
}

export class PeopleSync {
  private data: SyncFile = emptySyncFile();
  private enabled = false;
  private started = false;
  private pumping: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly writer: PeopleWriter;
  private permissionDenied: string | null = null;
  private lastFailure: string | null = null;
  /** After a 429 or a Retry-After, no call at all until then: the limit is per account, not per person. */
  private holdUntil = 0;
  private saving: Promise<void> = Promise.resolve();
  private readonly retry: RetryPolicy;
  private readonly now: () => number;
  private readonly listeners = new Set<() => void>();
  private readonly file: string;
  private seq = 0;
  private unsubscribeAuth: (() => void) | null = null;

  constructor(private readonly opts: PeopleSyncOptions) {
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.now = opts.now ?? Date.now;
    this.file = path.join(opts.dataDir, PEOPLE_SYNC_FILE);
    this.writer = new PeopleWriter({
      auth: opts.auth,
      log: opts.log,
      ...(opts.rootUrl ? { rootUrl: opts.rootUrl } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      data: () => this.data,
      save: () => this.save(),
      bump: (name) => this.bump(name),
      now: () => this.now(),
    });
  }

  onStateChange(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  async start(enabled: boolean): Promise<void> {
    const loaded = await readJsonFile(this.file, fileSchema, this.opts.log);
    if (loaded.status === 'ok') this.data = loaded.value;
    else if (loaded.status === 'corrupt') this.opts.raiseAlert({ alertType: 'contacts', severity: 'warning', message: `The Google Contacts sync state was unreadable and was set aside: ${loaded.error}`, text: { key: 'appAlert.contactsStateCorrupt', params: { error: loaded.error } } });
    this.seq = this.data.outbox.reduce((m, j) => Math.max(m, j.seq), 0);
    this.started = true;
    this.unsubscribeAuth = this.opts.auth.onChange(() => {
      this.permissionDenied = null;
      this.emit();
      this.kick();
    });
    this.setEnabled(enabled);
    if (this.data.outbox.length > 0) this.opts.log.info('contacts', `resuming ${this.data.outbox.length} pending Google Contacts write(s)`);
    this.kick();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.unsubscribeAuth?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.pumping;
    await this.saving;
  }

  setEnabled(enabled: boolean): void {
    this.opts.auth.wantScope(CONTACTS_SCOPE, enabled);
    if (this.enabled === enabled) return;
    this.enabled = enabled;
    this.opts.log.info('contacts', `Google Contacts sync ${enabled ? 'on' : 'off'}`);
    this.emit();
    this.kick();
  }

  /**
   * The referees of the newest list. A person whose data is what we last wrote (or last
   * failed on) costs nothing; anyone else gets one job, replacing a pending one.
   */
  setPeople(persons: readonly DesiredPerson[]): void {
    if (!this.enabled) return;
    let queued = 0;
    const now = this.now();
    for (const p of persons) {
      const hash = personHash(p);
      const pending = this.data.outbox.find((j) => j.key === p.key);
      if (pending?.hash === hash) continue;
      if (!pending && this.data.records[p.key]?.hash === hash) continue;
      if (!pending && this.data.failed[p.key]?.hash === hash) continue;
      const job: Job = { key: p.key, person: p, hash, attempts: 0, nextAttemptAt: now, lastError: null, seq: ++this.seq };
      this.data.outbox = [...this.data.outbox.filter((j) => j.key !== p.key), job];
      delete this.data.failed[p.key];
      queued++;
    }
    if (queued === 0) return;
    this.opts.log.info('contacts', `${queued} referee(s) to write to Google Contacts`);
    this.save();
    this.emit();
    this.kick();
  }

  state(): ContactsState['google'] {
    return {
      enabled: this.enabled,
      ...this.status(),
      pending: this.data.outbox.length,
      failed: Object.keys(this.data.failed).length,
      lastSyncAt: this.data.lastSyncAt,
      counters: { ...this.data.counters },
    };
  }

  /** Resolves true once nothing is pending (tests, shutdown). */
  async drain(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.data.outbox.length === 0 && !this.pumping) {
        await this.saving;
        return true;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    return false;
  }

  private status(): { status: ContactsState['google']['status']; reason: string | null } {
    if (!this.enabled) return { status: 'off', reason: null };
    const blocked = this.blockedReason();
    if (blocked) return blocked;
    const retrying = this.data.outbox.find((j) => j.attempts > 0);
    if (retrying) return { status: 'retrying', reason: retrying.lastError };
    if (this.data.outbox.length > 0) return { status: 'syncing', reason: null };
    if (Object.keys(this.data.failed).length > 0) return { status: 'error', reason: this.lastFailure ?? Object.values(this.data.failed)[0]?.error ?? null };
    return { status: 'ok', reason: null };
  }

  private blockedReason(): { status: 'sign-in needed' | 'permission needed'; reason: string | null } | null {
    const auth = this.opts.auth;
    const s = auth.status();
    if (s !== 'signed-in') return { status: 'sign-in needed', reason: s === 'signing-in' ? 'signing in' : auth.statusReason() };
    if (this.permissionDenied) return { status: 'permission needed', reason: this.permissionDenied };
    if (auth.hasScope(CONTACTS_SCOPE) === false) return { status: 'permission needed', reason: 'the Google sign-in does not include Contacts; sign in again to allow it' };
    return null;
  }

  private kick(): void {
    if (!this.started || !this.enabled) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pumping = this.pump()
      .catch((err: unknown) => this.opts.log.error('contacts', `Google Contacts sync stopped: ${errorText(err)}`))
      .finally(() => {
        this.pumping = null;
        this.writer.forgetConnections();
        this.emit();
        if (this.again) {
          this.again = false;
          this.kick();
        } else this.scheduleNext();
      });
  }

  private scheduleNext(): void {
    if (!this.started || !this.enabled || this.blockedReason()) return;
    let next: number | null = null;
    for (const j of this.data.outbox) if (next === null || j.nextAttemptAt < next) next = j.nextAttemptAt;
    if (next === null) return;
    next = Math.max(next, this.holdUntil);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, Math.max(0, next - this.now()));
    this.timer.unref?.();
  }

  private async pump(): Promise<void> {
    while (this.started && this.enabled && !this.blockedReason()) {
      const now = this.now();
      if (now < this.holdUntil) return;
      const due = this.data.outbox.filter((j) => j.nextAttemptAt <= now).sort((a, b) => a.seq - b.seq)[0];
      if (!due) return;
      const stop = await this.runOne(due);
      this.emit();
      if (stop) return;
    }
  }

  /** Runs one job; true when the sync must stop (sign-in or permission missing). */
  private async runOne(job: Job): Promise<boolean> {
    try {
      const outcome = await this.writer.execute(job);
      this.count(outcome);
      this.finish(job);
      this.data.lastSyncAt = new Date(this.now()).toISOString();
      this.save();
      return false;
    } catch (err) {
      const e = classifyGoogleError(err, 'contacts');
      const current = this.data.outbox.find((j) => j.key === job.key);
      if (e.kind === 'auth') {
        this.opts.auth.markSignInNeeded(e.message);
        return true;
      }
      if (isPermissionError(e)) {
        this.permissionDenied = 'Google refused access to Contacts; sign in again and allow Contacts';
        this.opts.log.warn('contacts', `${e.message}`);
        this.opts.raiseAlert({ alertType: 'contacts', severity: 'warning', message: 'Google Contacts: permission missing. Sign in to Google again and allow Contacts.', text: { key: 'appAlert.contactsPermission', params: {} } });
        return true;
      }
      if (e.kind === 'retryable' && current === job && job.attempts + 1 < this.retry.maxAttempts) {
        const attempts = job.attempts + 1;
        const after = retryAfterMs(err, this.now());
        const delay = Math.max(backoffDelay(attempts, this.retry), after ?? 0);
        Object.assign(job, { attempts, lastError: e.message, nextAttemptAt: this.now() + delay });
        this.bump('retries');
        const limited = e.status === 429 || e.reason === 'rateLimitExceeded' || e.reason === 'RESOURCE_EXHAUSTED';
        if (limited) this.bump('rateLimited');
        if (limited || after !== null) this.holdUntil = this.now() + delay;
        this.opts.log.warn('contacts', `${job.key}: ${e.message}; retry ${attempts} in ${Math.round(delay / 1000)} s`);
        this.save();
        return false;
      }
      // Permanent, or out of retries: note it and move on; a changed person is tried again.
      if (current === job) {
        this.data.outbox = this.data.outbox.filter((j) => j !== job);
        this.data.failed[job.key] = { hash: job.hash, error: e.message, at: new Date(this.now()).toISOString() };
      }
      this.lastFailure = e.message;
      this.bump('failed');
      this.opts.log.error('contacts', `${job.key}: ${e.message}`);
      this.opts.raiseAlert({
        alertType: 'contacts',
        severity: 'error',
        message: `Google Contacts: ${job.person.name} could not be saved: ${e.message}`,
        details: { key: job.key },
        text: { key: 'appAlert.contactsWriteFailed', params: { name: job.person.name, error: e.message } },
      });
      this.save();
      return false;
    }
  }

  private finish(job: Job): void {
    // A newer state that arrived meanwhile stays queued.
    this.data.outbox = this.data.outbox.filter((j) => j !== job);
  }

  private count(outcome: 'created' | 'updated' | 'unchanged'): void {
    this.bump(outcome);
  }

  private bump(name: string): void {
    this.data.counters[name] = (this.data.counters[name] ?? 0) + 1;
  }

  private save(): void {
    const text = JSON.stringify(this.data);
    this.saving = this.saving
      .then(() => writeFileAtomic(this.file, text, 0o600))
      .catch((err: unknown) => {
        this.opts.log.error('contacts', `cannot save the Google Contacts sync state: ${errorText(err)}`);
      });
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
