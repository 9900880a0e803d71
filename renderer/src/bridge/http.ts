import { z } from 'zod';
import {
  actionResultSchema,
  configUpdateResultSchema,
  messagesResponseSchema,
  redisTestResultSchema,
  syncReportSchema,
  type AckAlertsBody,
  type Bridge,
  type ConfigPatch,
  type MessagesQuery,
} from '../../../shared/api';
import { contactsResponseSchema } from '../../../shared/contacts';
import { monitorEventSchema, snapshotSchema, type MonitorEvent } from '../../../shared/state';
import { failedAction, failedConfig, failedSync, failedTest } from './results';

export interface HttpBridgeOptions {
  /** Origin + path prefix of the local server; '' means the page's own origin. */
  baseUrl?: string;
  /** Bearer token when the server asks for one (page opened with `?token=`). */
  token?: string | null;
  fetchImpl?: typeof fetch;
  EventSourceImpl?: typeof EventSource;
  /** First delay before re-creating a stream the browser gave up on. */
  reopenDelayMs?: number;
}

const MAX_REOPEN_DELAY_MS = 10_000;

const seedTestSchema = z.union([
  redisTestResultSchema,
  z
    .object({
      success: z.boolean(),
      test_results: z.object({ ping_ms: z.number().nullable().optional(), pubsub_roundtrip_ms: z.number().nullable().optional() }).optional(),
      error: z.string().optional(),
      message: z.string().optional(),
    })
    .transform((b) => ({
      success: b.success,
      ping_ms: b.test_results?.ping_ms ?? null,
      pubsub_roundtrip_ms: b.test_results?.pubsub_roundtrip_ms ?? null,
      ...(b.error || b.message ? { error: b.error ?? b.message } : {}),
    })),
]);

function errorFrom(json: unknown, status: number): string {
  if (json && typeof json === 'object' && 'error' in json && typeof json.error === 'string') return json.error;
  return status >= 200 && status < 300 ? 'unexpected answer from the server' : `HTTP ${status}`;
}

export function createHttpBridge(opts: HttpBridgeOptions = {}): Bridge {
  const base = (opts.baseUrl ?? '').replace(/\/$/, '');
  const token = opts.token ?? null;
  const doFetch = opts.fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const ES = opts.EventSourceImpl ?? (typeof EventSource === 'undefined' ? undefined : EventSource);

  const headers = (json: boolean): Record<string, string> => {
    const h: Record<string, string> = { Accept: 'application/json' };
    if (json) h['Content-Type'] = 'application/json';
    if (token) h.Authorization = `Bearer ${token}`;
    return h;
  };

  /**
   * Resolves with the parsed body when it matches `schema` — also for 4xx answers, which
   * carry `success:false` bodies — and with `fallback(error)` otherwise. Rejects only when
   * the server cannot be reached (fetch throws).
   */
  async function call<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    schema: S,
    fallback: (error: string) => z.output<S>,
    body?: unknown,
  ): Promise<z.output<S>> {
    const isWrite = method !== 'GET';
    const res = await doFetch(base + path, {
      method,
      headers: headers(isWrite),
      // The server requires JSON on every write, even those without a body (CSRF guard).
      body: isWrite ? JSON.stringify(body ?? {}) : undefined,
      credentials: 'same-origin',
      cache: 'no-store',
    });
    let json: unknown = null;
    try {
      json = await res.json();
    } catch {
      json = null;
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    return fallback(errorFrom(json, res.status));
  }

  return {
    kind: 'http',
    async getSnapshot() {
      const res = await doFetch(`${base}/api/state`, { headers: headers(false), credentials: 'same-origin', cache: 'no-store' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return snapshotSchema.parse(await res.json());
    },
    async getMessages(query?: MessagesQuery) {
      const params = new URLSearchParams();
      if (query?.limit !== undefined) params.set('limit', String(query.limit));
      if (query?.before !== undefined) params.set('before', String(query.before));
      const qs = params.size > 0 ? `?${params.toString()}` : '';
      const res = await doFetch(`${base}/api/messages${qs}`, { headers: headers(false), credentials: 'same-origin', cache: 'no-store' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return messagesResponseSchema.parse(await res.json());
    },
    async getContacts() {
      const res = await doFetch(`${base}/api/contacts`, { headers: headers(false), credentials: 'same-origin', cache: 'no-store' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return contactsResponseSchema.parse(await res.json());
    },
    syncNow: () => call('POST', '/api/sync', syncReportSchema, failedSync),
    confirmDeletions: () => call('POST', '/api/deletions/confirm', syncReportSchema, failedSync),
    confirmTakeover: () => call('POST', '/api/calendar/takeover/confirm', syncReportSchema, failedSync),
    restartSubscription: () => call('POST', '/redis-restart', actionResultSchema, failedAction),
    // `/redis-test` keeps the Python service's body: the timings sit in `test_results`.
    testConnection: () => call('POST', '/redis-test', seedTestSchema, failedTest),
    acknowledgeAlerts: (body: AckAlertsBody) => call('POST', '/api/alerts/ack', actionResultSchema, failedAction, body),
    setPaused: (paused: boolean) => call('POST', '/api/pause', actionResultSchema, failedAction, { paused }),
    muteNotifications: (until: string | null) =>
      call('POST', '/api/notifications/mute', actionResultSchema, failedAction, { until }),
    updateConfig: (patch: ConfigPatch) => call('PUT', '/api/config', configUpdateResultSchema, failedConfig, patch),
    googleSignIn: () => call('POST', '/api/google/signin', actionResultSchema, failedAction),
    googleSignOut: () => call('POST', '/api/google/signout', actionResultSchema, failedAction),

    subscribe(onEvent: (event: MonitorEvent) => void, onLink?: (up: boolean) => void) {
      if (!ES) {
        onLink?.(false);
        return () => undefined;
      }
      const EventSourceCtor = ES;
      const url = `${base}/api/events${token ? `?token=${encodeURIComponent(token)}` : ''}`;
      let source: EventSource | null = null;
      let stopped = false;
      let reopenTimer: ReturnType<typeof setTimeout> | null = null;
      let delay = opts.reopenDelayMs ?? 1000;
      let up = false;

      const setUp = (value: boolean): void => {
        if (value === up) return;
        up = value;
        onLink?.(value);
      };

      const open = (): void => {
        if (stopped) return;
        const es = new EventSourceCtor(url);
        source = es;
        es.onopen = () => {
          delay = opts.reopenDelayMs ?? 1000;
          setUp(true);
        };
        es.onmessage = (msg: MessageEvent<string>) => {
          let data: unknown;
          try {
            data = JSON.parse(msg.data);
          } catch {
            console.warn('[bridge] ignored an event that is not JSON');
            return;
          }
          const parsed = monitorEventSchema.safeParse(data);
          if (parsed.success) onEvent(parsed.data);
          else console.warn('[bridge] ignored an event that does not match the contract', parsed.error.issues.slice(0, 3));
        };
        es.onerror = () => {
          setUp(false);
          // While CONNECTING the browser retries by itself (server restart). It gives up
          // (CLOSED) on a non-200 or non-event-stream answer, e.g. a proxy error page
          // during the restart; then we open a new stream ourselves, with backoff.
          if (es.readyState === EventSourceCtor.CLOSED && !stopped) {
            es.close();
            reopenTimer = setTimeout(open, delay);
            delay = Math.min(delay * 2, MAX_REOPEN_DELAY_MS);
          }
        };
      };
      open();

      return () => {
        stopped = true;
        if (reopenTimer) clearTimeout(reopenTimer);
        source?.close();
        source = null;
      };
    },
  };
}
