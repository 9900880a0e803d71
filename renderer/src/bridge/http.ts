import { z } from 'zod';
import { redisTestResultSchema } from '../../../shared/api';
import { OPS, perOp, rowOf, toWire, type Bridge, type ContractMethods, type OpName, type OutputOf } from '../../../shared/contract';
import { monitorEventSchema, type MonitorEvent } from '../../../shared/state';
import type { TextRef } from '../../../shared/text-ref';
import { httpFailure, withStatusCode } from './http-failure';

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

/** `/redis-test` keeps the Python service's body: the timings sit in `test_results`. */
const seedTestSchema = z.union([
  redisTestResultSchema,
  z
    .object({
      success: z.boolean(),
      test_results: z.object({ ping_ms: z.number().nullable().optional(), pubsub_roundtrip_ms: z.number().nullable().optional() }).optional(),
      error: z.string().optional(),
      message: z.string().optional(),
      errorCode: redisTestResultSchema.shape.errorCode,
    })
    .transform((b) => ({
      success: b.success,
      ping_ms: b.test_results?.ping_ms ?? null,
      pubsub_roundtrip_ms: b.test_results?.pubsub_roundtrip_ms ?? null,
      ...(b.error || b.message ? { error: b.error ?? b.message } : {}),
      ...(b.errorCode ? { errorCode: b.errorCode } : {}),
    })),
]);

/** Answers of the Python-compatible routes the table points at, where their keys differ from the output schema. */
const SEED_ANSWERS: { readonly [K in OpName]?: z.ZodType<OutputOf<K>> } = { testConnection: seedTestSchema };

/** `{ limit: 5 }` → `?limit=5` (the API's query parameters are whole numbers). */
function queryString(body: unknown): string {
  const params = new URLSearchParams();
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) if (v !== undefined) params.set(k, String(v));
  }
  return params.size > 0 ? `?${params.toString()}` : '';
}

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
   * A write resolves with the parsed body when it matches the schema — also for 4xx answers,
   * which carry `success:false` bodies — and with the table's `fail(error)` otherwise. Rejects
   * only when the server cannot be reached (fetch throws).
   */
  async function write(method: 'POST' | 'PUT', path: string, schema: z.ZodType, fallback: ((error: string, errorCode?: TextRef) => unknown) | undefined, body: unknown): Promise<unknown> {
    const res = await doFetch(base + path, {
      method,
      headers: headers(true),
      // The server requires JSON on every write, even those without a body (CSRF guard).
      body: JSON.stringify(body ?? {}),
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
    // A refusal the server did not code (the access guard's 401, the body reader's 413) is said by its status.
    if (parsed.success) return res.ok ? parsed.data : withStatusCode(parsed.data, res.status);
    // Every write has its failure value (the table's type says so); without one, reject.
    if (!fallback) throw new Error(errorFrom(json, res.status));
    return fallback(errorFrom(json, res.status), httpFailure(res.status));
  }

  /** A read rejects on an error status or an answer outside the contract. */
  async function read(path: string, schema: z.ZodType): Promise<unknown> {
    const res = await doFetch(base + path, { headers: headers(false), credentials: 'same-origin', cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return schema.parse(await res.json());
  }

  const method = (name: OpName) => {
    const { http, arg } = OPS[name];
    const row = rowOf(name);
    const schema: z.ZodType = SEED_ANSWERS[name] ?? row.output;
    if (http.method === 'GET') return (...args: unknown[]) => read(http.path + queryString(toWire(arg, args)[0]), schema);
    return (...args: unknown[]) => write(http.method, http.path, schema, row.fail, toWire(arg, args)[0]);
  };

  return {
    kind: 'http',
    ...perOp<ContractMethods>(method),

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
