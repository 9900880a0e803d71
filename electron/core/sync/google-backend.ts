import { createHash } from 'node:crypto';
import type { calendar_v3 } from '@googleapis/calendar';
import { errorText } from '../log';
import { windowStartMs } from './change-window';
import { mergeDescription } from './description';
import { GOOGLE_WRITE_BURST, GOOGLE_WRITES_PER_SECOND, parseRetryAfter, TokenBucket } from './pacing';
import type { BackendContext, BackendInfo, CalendarBackend, RemoteEvent, TaggedEvent } from './backend';
import { googleEventBody } from './google-body';
import type { GoogleAuth } from './google-auth';
import { SyncError, type ExecOutcome, type MatchRecord, type OutboxJob } from './types';

export interface GoogleBackendOptions {
  auth: GoogleAuth;
  calendarId: string;
  syncTag: string;
  /** `http://127.0.0.1:<port>/` in tests; Google's default otherwise. */
  rootUrl?: string;
  /** Per-request deadline, so a hanging answer becomes a retryable error. */
  timeoutMs?: number;
  /** The calendar's clock (change-window.ts); tests pin it. */
  clock?: () => number;
  /** Write pacing (pacing.ts). */
  writesPerSecond?: number;
}

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/**
 * Deterministic event id for a match: Calendar accepts caller ids of 5–1024 base32hex
 * characters (a–v, 0–9). Two instances racing on one calendar pick the same id, so the
 * second insert gets 409 instead of creating a duplicate. The tag is part of the id so two
 * tags on one calendar stay apart.
 */
export function googleEventId(matchId: string, syncTag: string): string {
  const digest = createHash('sha256').update(`${syncTag}\u0000${matchId}`).digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest.subarray(0, 15)) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32HEX[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  const digits = /^\d+$/.test(matchId) ? matchId : '';
  return `fogis${digits}${out}`;
}

/** Google Calendar v3 through @googleapis/calendar. googleapis retries no writes: the outbox does. */
export class GoogleBackend implements CalendarBackend {
  readonly kind = 'google' as const;
  readonly batchSize = 1;
  private api: calendar_v3.Calendar | null = null;
  private apiClient: unknown = null;
  private readonly pace: TokenBucket;

  constructor(
    private readonly opts: GoogleBackendOptions,
    private readonly ctx: BackendContext,
  ) {
    const rate = opts.writesPerSecond ?? GOOGLE_WRITES_PER_SECOND;
    this.pace = new TokenBucket(rate, Math.min(GOOGLE_WRITE_BURST, Math.max(1, rate)));
  }

  /** While sign-in is needed: a newer token.json in the data directory heals it (README). */
  async recheck(): Promise<void> {
    await this.opts.auth.importNewerTokenFile();
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async flush(): Promise<void> {}

  eventIdFor(matchId: string): string {
    return googleEventId(matchId, this.opts.syncTag);
  }

  blockedReason(): string | null {
    const s = this.opts.auth.status();
    if (s === 'signed-in') return null;
    if (s === 'signing-in') return 'signing in';
    return 'sign-in needed';
  }

  info(): BackendInfo {
    const s = this.opts.auth.status();
    const reason = this.opts.auth.statusReason();
    return {
      status: s === 'signed-in' ? 'ok' : s === 'signing-in' ? 'signing in' : reason ? `sign-in needed: ${reason}` : 'sign-in needed',
      signedIn: s === 'signed-in',
      subscribeUrl: null,
    };
  }

  private async client(): Promise<calendar_v3.Calendar> {
    const auth = this.opts.auth.client();
    if (!auth) throw new SyncError('sign-in needed', 'auth');
    if (!this.api || this.apiClient !== auth) {
      // Loaded on first use, not at start: the ICS default never needs it (issue 12, idle RSS).
      const { calendar } = await import('@googleapis/calendar');
      this.api = calendar({
        version: 'v3',
        // googleapis-common bundles its own google-auth-library copy; the client is the same at runtime (duck-typed).
        auth: auth as unknown as calendar_v3.Options['auth'],
        ...(this.opts.rootUrl ? { rootUrl: this.opts.rootUrl } : {}),
        // Our outbox is the one retry authority (counted, jittered, bounded).
        retry: false,
        timeout: this.opts.timeoutMs ?? 30_000,
      });
      this.apiClient = auth;
    }
    return this.api;
  }

  /**
   * One Calendar call. Writes are paced. A 401 gets one token refresh and one retry: only a
   * refused refresh (invalid_grant) means sign-in; then a newer token.json, if one was
   * dropped into the data directory, is tried once before giving up.
   */
  private async call<T>(what: string, fn: (api: calendar_v3.Calendar) => Promise<T>): Promise<T> {
    if (what !== 'events.list' && what !== 'events.get') await this.pace.take();
    let refreshed = false;
    let reimported = false;
    for (;;) {
      const api = await this.client();
      this.ctx.countApiCall();
      let e: SyncError;
      try {
        return await fn(api);
      } catch (err) {
        e = classifyGoogleError(err, what);
      }
      if (e.status === 401 && !refreshed) {
        refreshed = true;
        try {
          await this.opts.auth.refreshAfterUnauthorized();
          continue;
        } catch (err) {
          e = classifyGoogleError(err, 'token refresh');
        }
      }
      if (e.kind !== 'auth') throw e;
      this.opts.auth.markSignInNeeded(e.message);
      if (!reimported && (await this.opts.auth.importNewerTokenFile())) {
        reimported = true;
        refreshed = false;
        continue;
      }
      throw e;
    }
  }

  async listOwnEvents(): Promise<RemoteEvent[]> {
    const out: RemoteEvent[] = [];
    let pageToken: string | undefined;
    // §5.4/§5.5 with one window for lookup and orphan detection (§7 #40): only events that have
    // not ended can be changed, so only they are listed. Every page (the Python service read one).
    const timeMin = new Date(windowStartMs(this.opts.clock ? this.opts.clock() : Date.now())).toISOString();
    do {
      const res = await this.call('events.list', (api) =>
        api.events.list({
          calendarId: this.opts.calendarId,
          privateExtendedProperty: [`syncTag=${this.opts.syncTag}`],
          timeMin,
          singleEvents: true,
          showDeleted: false,
          maxResults: 2500,
          ...(pageToken ? { pageToken } : {}),
        }),
      );
      for (const ev of res.data.items ?? []) {
        if (!ev.id || ev.status === 'cancelled') continue;
        const priv = ev.extendedProperties?.private ?? {};
        out.push({
          eventId: ev.id,
          matchId: priv.matchId ?? null,
          // §5.2: older events carry matchHash instead.
          calendarHash: priv.calendarHash ?? priv.matchHash ?? null,
          summary: ev.summary ?? '',
          created: ev.created ?? null,
          endMs: eventEndMs(ev),
        });
      }
      pageToken = res.data.nextPageToken ?? undefined;
    } while (pageToken);
    return out;
  }

  async listTaggedEvents(): Promise<TaggedEvent[]> {
    const out: TaggedEvent[] = [];
    let pageToken: string | undefined;
    do {
      const res = await this.call('events.list', (api) =>
        api.events.list({
          calendarId: this.opts.calendarId,
          singleEvents: true,
          showDeleted: false,
          maxResults: 2500,
          ...(pageToken ? { pageToken } : {}),
        }),
      );
      for (const ev of res.data.items ?? []) {
        const priv = ev.extendedProperties?.private ?? {};
        if (!ev.id || ev.status === 'cancelled' || !priv.matchId) continue;
        out.push({
          eventId: ev.id,
          matchId: priv.matchId,
          calendarHash: priv.calendarHash ?? priv.matchHash ?? null,
          summary: ev.summary ?? '',
          created: ev.created ?? null,
          endMs: eventEndMs(ev),
          syncTag: priv.syncTag ?? null,
        });
      }
      pageToken = res.data.nextPageToken ?? undefined;
    } while (pageToken);
    return out;
  }

  async execute(job: OutboxJob, record: MatchRecord | null): Promise<ExecOutcome> {
    const calendarId = this.opts.calendarId;
    if (job.kind === 'delete') {
      const eventId = job.eventId ?? record?.eventId ?? null;
      if (!eventId) return { action: 'noop', eventId: null };
      try {
        await this.call('events.delete', (api) => api.events.delete({ calendarId, eventId, sendUpdates: 'none' }));
        return { action: 'deleted', eventId };
      } catch (err) {
        // Already gone: after an earlier attempt, that attempt deleted it and its answer was
        // lost (it counts as our deletion); on the first attempt someone deleted it by hand.
        if (err instanceof SyncError && (err.status === 404 || err.status === 410)) return { action: job.attempts > 0 ? 'deleted' : 'noop', eventId };
        throw err;
      }
    }
    if (!job.event) throw new SyncError('upsert job without an event', 'permanent');
    const ours = googleEventBody(job.event);
    // status: a revived match's event may have been deleted (kept as cancelled by Google).
    const requestBody: calendar_v3.Schema$Event = { ...ours, status: 'confirmed' };
    const known = record?.eventId ?? null;
    if (known) {
      try {
        // The coordinator's notes around our part of the description survive (description.ts).
        const current = await this.call('events.get', (api) => api.events.get({ calendarId, eventId: known }));
        const body = { ...requestBody, description: mergeDescription(current.data.status === 'cancelled' ? null : current.data.description, ours.description) };
        await this.call('events.patch', (api) => api.events.patch({ calendarId, eventId: known, requestBody: body, sendUpdates: 'none' }));
        return { action: record?.present ? 'updated' : 'inserted', eventId: known };
      } catch (err) {
        if (!(err instanceof SyncError && (err.status === 404 || err.status === 410))) throw err;
      }
    }
    const id = this.eventIdFor(job.matchId);
    try {
      await this.call('events.insert', (api) => api.events.insert({ calendarId, requestBody: { ...requestBody, id }, sendUpdates: 'none' }));
      return { action: 'inserted', eventId: id };
    } catch (err) {
      if (!(err instanceof SyncError && err.status === 409)) throw err;
    }
    // 409: the id exists (another instance won the race, or an earlier attempt's answer was lost).
    const current = await this.call('events.get', (api) => api.events.get({ calendarId, eventId: id }));
    const body = { ...requestBody, description: mergeDescription(current.data.description, ours.description) };
    await this.call('events.patch', (api) => api.events.patch({ calendarId, eventId: id, requestBody: body, sendUpdates: 'none' }));
    return { action: record?.present ? 'updated' : 'inserted', eventId: id };
  }
}

export function eventEndMs(ev: calendar_v3.Schema$Event): number | null {
  const raw = ev.end?.dateTime ?? ev.end?.date ?? null;
  if (!raw) return null;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? null : ms;
}

interface ErrorShape {
  status?: number;
  code?: string | number;
  response?: { status?: number; data?: unknown; headers?: unknown };
  message?: string;
}

/** gaxios 7 answers with a fetch Headers; older shapes are plain objects. */
function headerOf(headers: unknown, name: string): string | null {
  if (!headers || typeof headers !== 'object') return null;
  const h = headers as { get?: (n: string) => string | null } & Record<string, unknown>;
  if (typeof h.get === 'function') return h.get(name);
  const v = h[name] ?? h[name.toLowerCase()];
  return typeof v === 'string' ? v : null;
}

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'UND_ERR_SOCKET', 'ABORT_ERR']);

/**
 * Calendar errors guide: 429, 403 with a rate-limit reason and 5xx are retried; other 4xx
 * fail with Google's reason; a refused refresh token (invalid_grant) or a 401 means sign-in.
 */
export function classifyGoogleError(err: unknown, what: string): SyncError {
  if (err instanceof SyncError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorShape;
  const retryAfterMs = parseRetryAfter(headerOf(e.response?.headers, 'retry-after'));
  const status = e.response?.status ?? (typeof e.status === 'number' ? e.status : undefined);
  const data = e.response?.data as { error?: unknown; error_description?: string } | undefined;
  if (data && (data.error === 'invalid_grant' || data.error === 'unauthorized_client' || data.error === 'invalid_client')) {
    return new SyncError(`Google refused the saved sign-in (${data.error}${data.error_description ? `: ${data.error_description}` : ''})`, 'auth', status ?? null, String(data.error));
  }
  const apiError = data && typeof data.error === 'object' && data.error !== null ? (data.error as { message?: string; errors?: Array<{ reason?: string }>; status?: string }) : null;
  const reason = apiError?.errors?.[0]?.reason ?? apiError?.status ?? null;
  const message = apiError?.message ?? errorText(err);
  if (status === undefined) {
    const code = typeof e.code === 'string' ? e.code : '';
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? '';
    const note = code || cause || 'network error';
    if (NETWORK_CODES.has(code) || NETWORK_CODES.has(cause) || /fetch failed|socket|network|timeout|aborted|ECONN/i.test(errorText(err))) {
      return new SyncError(`${what}: ${note}: ${errorText(err)}`, 'retryable', null, 'network');
    }
    return new SyncError(`${what}: ${errorText(err)}`, 'retryable', null, 'network');
  }
  if (status === 401) return new SyncError(`${what}: 401 ${message}`, 'auth', 401, reason);
  if (status === 429 || status >= 500 || status === 408) return new SyncError(`${what}: ${status} ${message}`, 'retryable', status, reason, retryAfterMs);
  if (status === 403 && reason && RATE_LIMIT_REASONS.has(reason)) return new SyncError(`${what}: 403 ${reason}`, 'retryable', status, reason, retryAfterMs);
  // The calendar itself: a list or an insert (no event in the path) answered 404, or a 403 that is no rate limit.
  if (status === 404 && (what === 'events.list' || what === 'events.insert')) {
    return new SyncError(`the calendar was not found (${what}: 404 ${message})`, 'calendar', 404, reason, null, 'calendar-not-found');
  }
  if (status === 403) {
    return new SyncError(`no write access to the calendar (${what}: 403${reason ? ` ${reason}` : ''}: ${message})`, 'calendar', 403, reason, null, 'no-write-access');
  }
  return new SyncError(`${what}: ${status}${reason ? ` ${reason}` : ''}: ${message}`, 'permanent', status, reason);
}
