import { createHash, randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local stand-in for Google Calendar v3 (the calls the sync uses) and Google's OAuth token
 * endpoint, on 127.0.0.1 and an ephemeral port. Faults can be injected per operation.
 */

export type FakeOp = 'list' | 'insert' | 'get' | 'patch' | 'delete' | 'token';

export interface FakeEvent {
  id: string;
  status: 'confirmed' | 'cancelled';
  summary?: string;
  description?: string;
  location?: string;
  colorId?: string;
  start?: { dateTime?: string; timeZone?: string };
  end?: { dateTime?: string; timeZone?: string };
  extendedProperties?: { private?: Record<string, string>; shared?: Record<string, string> };
  created: string;
  updated: string;
  [key: string]: unknown;
}

export interface Fault {
  op?: FakeOp;
  /** How many matching requests this fault affects. */
  times: number;
  status?: number;
  reason?: string;
  /** Destroy the socket without an answer. */
  reset?: boolean;
  /** Answer (or fail) only after this delay. */
  delayMs?: number;
  /** Apply the write, then destroy the socket: the client never learns it succeeded. */
  resetAfterApply?: boolean;
  /** Retry-After header on the (error) answer: seconds or an HTTP date. */
  retryAfter?: string;
}

export interface FakeRequest {
  op: FakeOp;
  method: string;
  path: string;
  at: number;
  /** The bearer token the call carried (calendar calls). */
  bearer: string | null;
  /** The answer's status (set when answered). */
  status: number | null;
}

export interface FakeCalendarServer {
  readonly url: string;
  readonly rootUrl: string;
  readonly tokenUrl: string;
  readonly requests: FakeRequest[];
  events(calendarId?: string): FakeEvent[];
  liveEvents(calendarId?: string): FakeEvent[];
  seed(event: Partial<FakeEvent> & { id?: string }, calendarId?: string): FakeEvent;
  inject(fault: Fault): void;
  clearFaults(): void;
  count(op?: FakeOp): number;
  /** Latency added to every calendar call. */
  latencyMs: number;
  /** Items per page for events.list, regardless of maxResults. */
  pageSize: number;
  /** Refresh tokens the token endpoint refuses with invalid_grant. */
  revokedRefreshTokens: Set<string>;
  /** Access tokens the Calendar API answers with 401 (revoked, or from a previous run). */
  revokedAccessTokens: Set<string>;
  /** Calendars that do not exist: every call answers 404 notFound. */
  missingCalendars: Set<string>;
  /** Calendars the account may read but not write: writes answer 403 requiredAccessLevel. */
  readOnlyCalendars: Set<string>;
  /** Lets the token endpoint accept `code` when the verifier matches `codeChallenge` (S256). */
  authorizeCode(code: string, codeChallenge: string, refreshToken?: string): void;
  readonly issuedAccessTokens: string[];
  close(): Promise<void>;
}

const BASE32HEX = /^[a-v0-9]{5,1024}$/;

export async function startFakeCalendarServer(): Promise<FakeCalendarServer> {
  const calendars = new Map<string, Map<string, FakeEvent>>();
  const requests: FakeRequest[] = [];
  let faults: Fault[] = [];
  const codes = new Map<string, { challenge: string; refreshToken: string }>();
  const issuedAccessTokens: string[] = [];
  const sockets = new Set<Socket>();

  const cal = (id: string): Map<string, FakeEvent> => {
    let c = calendars.get(id);
    if (!c) {
      c = new Map();
      calendars.set(id, c);
    }
    return c;
  };

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const apiError = (res: ServerResponse, status: number, reason: string, message: string): void =>
    send(res, status, { error: { code: status, message, errors: [{ domain: 'global', reason, message }] } });

  const readBody = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const takeFault = (op: FakeOp): Fault | null => {
    const f = faults.find((x) => x.times > 0 && (!x.op || x.op === op));
    if (!f) return null;
    f.times--;
    faults = faults.filter((x) => x.times > 0);
    return f;
  };

  const now = (): string => new Date().toISOString();
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: { code: 500, message: String(err) } });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const fake: FakeCalendarServer = {
    url: '',
    rootUrl: '',
    tokenUrl: '',
    requests,
    latencyMs: 0,
    pageSize: 250,
    revokedRefreshTokens: new Set(),
    revokedAccessTokens: new Set(),
    missingCalendars: new Set(),
    readOnlyCalendars: new Set(),
    issuedAccessTokens,
    events: (calendarId = 'primary') => [...cal(calendarId).values()],
    liveEvents: (calendarId = 'primary') => [...cal(calendarId).values()].filter((e) => e.status !== 'cancelled'),
    seed(event, calendarId = 'primary') {
      const id = event.id ?? randomBytes(13).toString('hex').replace(/[w-z]/g, 'a');
      const full: FakeEvent = { status: 'confirmed', created: now(), updated: now(), ...event, id };
      cal(calendarId).set(id, full);
      return full;
    },
    inject(fault) {
      faults.push({ ...fault });
    },
    clearFaults() {
      faults = [];
    },
    count: (op) => (op ? requests.filter((r) => r.op === op).length : requests.filter((r) => r.op !== 'token').length),
    authorizeCode(code, codeChallenge, refreshToken = `refresh-${randomBytes(6).toString('hex')}`) {
      codes.set(code, { challenge: codeChallenge, refreshToken });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);

    if (u.pathname === '/token' && method === 'POST') {
      requests.push({ op: 'token', method, path: u.pathname, at: Date.now(), bearer: null, status: null });
      const fault = takeFault('token');
      if (fault?.reset) return void req.socket.destroy();
      if (fault?.status) return send(res, fault.status, { error: fault.reason ?? 'server_error' });
      const form = new URLSearchParams(raw);
      const grant = form.get('grant_type');
      const access = `ya29.fake-${randomBytes(8).toString('hex')}`;
      if (grant === 'refresh_token') {
        const rt = form.get('refresh_token') ?? '';
        if (!rt || fake.revokedRefreshTokens.has(rt)) return send(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
        issuedAccessTokens.push(access);
        return send(res, 200, { access_token: access, expires_in: 3599, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/calendar' });
      }
      if (grant === 'authorization_code') {
        const entry = codes.get(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (!entry || entry.challenge !== challenge) return send(res, 400, { error: 'invalid_grant', error_description: 'Bad code or verifier.' });
        codes.delete(form.get('code') ?? '');
        issuedAccessTokens.push(access);
        return send(res, 200, { access_token: access, refresh_token: entry.refreshToken, expires_in: 3599, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/calendar' });
      }
      return send(res, 400, { error: 'unsupported_grant_type' });
    }

    const m = /^\/calendar\/v3\/calendars\/([^/]+)\/events(?:\/([^/]+))?$/.exec(u.pathname);
    if (!m) return send(res, 404, { error: { code: 404, message: 'Not Found' } });
    const calendarId = decodeURIComponent(m[1] ?? '');
    const eventId = m[2] ? decodeURIComponent(m[2]) : null;
    const op: FakeOp = eventId
      ? method === 'GET'
        ? 'get'
        : method === 'PATCH'
          ? 'patch'
          : method === 'DELETE'
            ? 'delete'
            : 'get'
      : method === 'POST'
        ? 'insert'
        : 'list';
    const bearer = /^Bearer (\S+)/.exec(req.headers.authorization ?? '')?.[1] ?? null;
    const entry: FakeRequest = { op, method, path: u.pathname + u.search, at: Date.now(), bearer, status: null };
    requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));
    if (!bearer || fake.revokedAccessTokens.has(bearer)) return apiError(res, 401, 'authError', 'Invalid Credentials');
    if (fake.missingCalendars.has(calendarId)) return apiError(res, 404, 'notFound', 'Not Found');
    if (op !== 'list' && op !== 'get' && fake.readOnlyCalendars.has(calendarId)) return apiError(res, 403, 'requiredAccessLevel', 'You need to have writer access to this calendar.');

    if (fake.latencyMs > 0) await sleep(fake.latencyMs);
    const fault = takeFault(op);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.reset) return void req.socket.destroy();
    if (fault?.retryAfter) res.setHeader('Retry-After', fault.retryAfter);
    if (fault?.status) return apiError(res, fault.status, fault.reason ?? (fault.status === 429 ? 'rateLimitExceeded' : fault.status === 401 ? 'authError' : 'backendError'), `injected ${fault.status}`);

    const events = cal(calendarId);
    const body = raw ? (JSON.parse(raw) as Partial<FakeEvent>) : {};
    const answer = (status: number, payload: unknown): void => {
      if (fault?.resetAfterApply) return void req.socket.destroy();
      send(res, status, payload);
    };

    switch (op) {
      case 'list': {
        const filters = u.searchParams.getAll('privateExtendedProperty').map((p) => {
          const i = p.indexOf('=');
          return [p.slice(0, i), p.slice(i + 1)] as const;
        });
        const showDeleted = u.searchParams.get('showDeleted') === 'true';
        // Google's timeMin bounds the event's END (exclusive); timeMax its start.
        const timeMin = u.searchParams.get('timeMin');
        const timeMax = u.searchParams.get('timeMax');
        const endOf = (e: FakeEvent): number => Date.parse(e.end?.dateTime ?? String((e.end as { date?: string } | undefined)?.date ?? ''));
        const startOf = (e: FakeEvent): number => Date.parse(e.start?.dateTime ?? String((e.start as { date?: string } | undefined)?.date ?? ''));
        const all = [...events.values()]
          .filter((e) => showDeleted || e.status !== 'cancelled')
          .filter((e) => !timeMin || !(endOf(e) <= Date.parse(timeMin)))
          .filter((e) => !timeMax || !(startOf(e) >= Date.parse(timeMax)))
          .filter((e) => filters.every(([k, v]) => e.extendedProperties?.private?.[k] === v))
          .sort((a, b) => a.id.localeCompare(b.id));
        const size = Math.min(Number(u.searchParams.get('maxResults') ?? 250), fake.pageSize);
        const offset = Number(u.searchParams.get('pageToken') ?? 0);
        const items = all.slice(offset, offset + size);
        const next = offset + size < all.length ? String(offset + size) : undefined;
        return answer(200, { kind: 'calendar#events', items, ...(next ? { nextPageToken: next } : {}) });
      }
      case 'insert': {
        const id = body.id ?? randomBytes(13).toString('hex').replace(/[w-z]/g, 'a');
        if (!BASE32HEX.test(id)) return apiError(res, 400, 'invalid', 'Invalid resource id value.');
        if (events.has(id)) return apiError(res, 409, 'duplicate', 'The requested identifier already exists.');
        const ev: FakeEvent = { ...body, id, status: 'confirmed', created: now(), updated: now() } as FakeEvent;
        events.set(id, ev);
        return answer(200, ev);
      }
      case 'get': {
        const ev = eventId ? events.get(eventId) : undefined;
        if (!ev) return apiError(res, 404, 'notFound', 'Not Found');
        return answer(200, ev);
      }
      case 'patch': {
        const ev = eventId ? events.get(eventId) : undefined;
        if (!ev) return apiError(res, 404, 'notFound', 'Not Found');
        const priv = { ...(ev.extendedProperties?.private ?? {}), ...(body.extendedProperties?.private ?? {}) };
        Object.assign(ev, body, { id: ev.id, updated: now(), extendedProperties: { ...ev.extendedProperties, ...body.extendedProperties, private: priv } });
        return answer(200, ev);
      }
      case 'delete': {
        const ev = eventId ? events.get(eventId) : undefined;
        if (!ev) return apiError(res, 404, 'notFound', 'Not Found');
        if (ev.status === 'cancelled') return apiError(res, 410, 'deleted', 'Resource has been deleted');
        ev.status = 'cancelled';
        ev.updated = now();
        if (fault?.resetAfterApply) return void req.socket.destroy();
        res.writeHead(204);
        return void res.end();
      }
      default:
        return send(res, 404, {});
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  Object.assign(fake, { url, rootUrl: `${url}/`, tokenUrl: `${url}/token` });
  return fake;
}
