import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local stand-in for Google People API v1 (the calls the contacts sync uses) and Google's
 * OAuth token endpoint, on 127.0.0.1 and an ephemeral port. Like the real API it returns
 * only the `personFields` asked for (spec §7 #88), checks the etag on updateContact and
 * replaces exactly the `updatePersonFields`. Faults can be injected per operation.
 */

export type PeopleOp = 'connections' | 'get' | 'update' | 'create' | 'groups.list' | 'groups.create' | 'token';

export interface FakePerson {
  resourceName: string;
  etag: string;
  names?: Array<Record<string, unknown>>;
  phoneNumbers?: Array<{ value?: string; type?: string; canonicalForm?: string; [k: string]: unknown }>;
  emailAddresses?: Array<{ value?: string; type?: string; [k: string]: unknown }>;
  addresses?: Array<Record<string, unknown>>;
  externalIds?: Array<{ value?: string; type?: string }>;
  memberships?: Array<{ contactGroupMembership?: { contactGroupResourceName?: string } }>;
  biographies?: Array<Record<string, unknown>>;
  organizations?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

export interface FakeGroup {
  resourceName: string;
  name: string;
  groupType: 'USER_CONTACT_GROUP' | 'SYSTEM_CONTACT_GROUP';
}

export interface PeopleFault {
  op?: PeopleOp;
  times: number;
  status?: number;
  /** Google's error status, e.g. RESOURCE_EXHAUSTED. */
  reason?: string;
  /** Sent as the Retry-After header (seconds). */
  retryAfter?: number;
  /** Destroy the socket without an answer. */
  reset?: boolean;
  /** Apply the write, then destroy the socket: the client never learns it succeeded. */
  resetAfterApply?: boolean;
  delayMs?: number;
}

export interface PeopleRequest {
  op: PeopleOp;
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  at: number;
}

export interface FakePeopleServer {
  readonly url: string;
  readonly rootUrl: string;
  readonly tokenUrl: string;
  readonly requests: PeopleRequest[];
  /** Scopes the token endpoint says it granted. */
  grantedScope: string;
  /** Latency added to every People call. */
  latencyMs: number;
  people(): FakePerson[];
  groups(): FakeGroup[];
  seed(person: Omit<FakePerson, 'resourceName' | 'etag'> & { resourceName?: string }): FakePerson;
  seedGroup(name: string): FakeGroup;
  /** Someone edits a contact in Google (the etag changes). */
  touch(resourceName: string, change: Partial<FakePerson>): void;
  inject(fault: PeopleFault): void;
  clearFaults(): void;
  /** Runs `fn` once, just before the next `op` request is handled (a concurrent edit). */
  beforeOnce(op: PeopleOp, fn: () => void): void;
  count(op?: PeopleOp): number;
  close(): Promise<void>;
}

const PERSON_FIELDS = ['names', 'phoneNumbers', 'emailAddresses', 'addresses', 'externalIds', 'memberships', 'biographies', 'organizations'];

export async function startFakePeopleServer(): Promise<FakePeopleServer> {
  const persons = new Map<string, FakePerson>();
  const groups: FakeGroup[] = [
    { resourceName: 'contactGroups/myContacts', name: 'myContacts', groupType: 'SYSTEM_CONTACT_GROUP' },
    { resourceName: 'contactGroups/starred', name: 'starred', groupType: 'SYSTEM_CONTACT_GROUP' },
  ];
  const requests: PeopleRequest[] = [];
  const faults: PeopleFault[] = [];
  const sockets = new Set<Socket>();
  const issued = new Set<string>();
  const hooks: Array<{ op: PeopleOp; fn: () => void }> = [];
  let nextId = 1;
  let etagSeq = 1;
  const newEtag = (): string => `%Eg${(etagSeq++).toString(36)}${randomBytes(3).toString('hex')}`;

  const fake: FakePeopleServer = {
    url: '',
    rootUrl: '',
    tokenUrl: '',
    requests,
    grantedScope: 'https://www.googleapis.com/auth/calendar https://www.googleapis.com/auth/contacts',
    latencyMs: 0,
    people: () => [...persons.values()].map((p) => structuredClone(p)),
    groups: () => groups.map((g) => ({ ...g })),
    seed(person) {
      const resourceName = person.resourceName ?? `people/c${nextId++}`;
      const p: FakePerson = { ...structuredClone(person), resourceName, etag: newEtag() };
      persons.set(resourceName, p);
      return structuredClone(p);
    },
    seedGroup(name) {
      const g: FakeGroup = { resourceName: `contactGroups/g${nextId++}`, name, groupType: 'USER_CONTACT_GROUP' };
      groups.push(g);
      return { ...g };
    },
    touch(resourceName, change) {
      const p = persons.get(resourceName);
      if (!p) throw new Error(`no such person ${resourceName}`);
      Object.assign(p, structuredClone(change), { etag: newEtag() });
    },
    inject: (f) => faults.push({ ...f }),
    clearFaults: () => {
      faults.length = 0;
    },
    beforeOnce: (op, fn) => hooks.push({ op, fn }),
    count: (op) => (op ? requests.filter((r) => r.op === op).length : requests.filter((r) => r.op !== 'token').length),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const takeFault = (op: PeopleOp): PeopleFault | null => {
    const i = faults.findIndex((f) => (!f.op || f.op === op) && f.times > 0);
    if (i < 0) return null;
    const f = faults[i]!;
    f.times--;
    if (f.times <= 0) faults.splice(i, 1);
    return f;
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  const apiError = (res: ServerResponse, status: number, statusName: string, message: string, headers: Record<string, string> = {}): void =>
    send(res, status, { error: { code: status, message, status: statusName } }, headers);

  const view = (p: FakePerson, fields: string[]): Record<string, unknown> => {
    const out: Record<string, unknown> = { resourceName: p.resourceName, etag: p.etag };
    for (const f of fields) if (p[f] !== undefined) out[f] = structuredClone(p[f]);
    return out;
  };

  const readBody = async (req: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };

  const fieldsOf = (q: URLSearchParams, name: string): string[] | null => {
    const v = q.get(name);
    if (!v) return null;
    return v.split(',').map((s) => s.trim()).filter(Boolean);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const p = decodeURIComponent(u.pathname);
    let op: PeopleOp;
    if (p === '/token' && method === 'POST') op = 'token';
    else if (p === '/v1/people/me/connections' && method === 'GET') op = 'connections';
    else if (p === '/v1/people:createContact' && method === 'POST') op = 'create';
    else if (/^\/v1\/people\/[^/:]+:updateContact$/.test(p) && method === 'PATCH') op = 'update';
    else if (/^\/v1\/people\/[^/:]+$/.test(p) && method === 'GET') op = 'get';
    else if (p === '/v1/contactGroups' && method === 'GET') op = 'groups.list';
    else if (p === '/v1/contactGroups' && method === 'POST') op = 'groups.create';
    else return send(res, 404, { error: { code: 404, message: `fake People: no route ${method} ${p}`, status: 'NOT_FOUND' } });
    requests.push({ op, method, path: p, query: Object.fromEntries(u.searchParams), body, at: Date.now() });

    if (op === 'token') {
      const form = new URLSearchParams(typeof body === 'string' ? body : '');
      const access = `ya29.people-${randomBytes(8).toString('hex')}`;
      issued.add(access);
      return send(res, 200, { access_token: access, expires_in: 3599, token_type: 'Bearer', scope: fake.grantedScope, ...(form.get('grant_type') === 'authorization_code' ? { refresh_token: 'refresh-people' } : {}) });
    }
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !issued.has(auth.slice(7))) return apiError(res, 401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');

    if (fake.latencyMs > 0) await new Promise((r) => setTimeout(r, fake.latencyMs));
    const hook = hooks.findIndex((h) => h.op === op);
    if (hook >= 0) hooks.splice(hook, 1)[0]!.fn();
    const fault = takeFault(op);
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.reset) {
      req.socket.destroy();
      return;
    }
    if (fault?.status) {
      return apiError(res, fault.status, fault.reason ?? (fault.status === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE'), `injected ${fault.status}`, fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {});
    }
    const answer = (status: number, out: unknown): void => {
      if (fault?.resetAfterApply) {
        req.socket.destroy();
        return;
      }
      send(res, status, out);
    };

    switch (op) {
      case 'connections': {
        const fields = fieldsOf(u.searchParams, 'personFields');
        if (!fields) return apiError(res, 400, 'INVALID_ARGUMENT', 'personFields mask is required. Please specify one or more valid paths.');
        const size = Math.min(1000, Number(u.searchParams.get('pageSize') ?? '100') || 100);
        const start = Number(u.searchParams.get('pageToken') ?? '0') || 0;
        const all = [...persons.values()];
        const page = all.slice(start, start + size).map((x) => view(x, fields));
        return send(res, 200, { connections: page, totalItems: all.length, ...(start + size < all.length ? { nextPageToken: String(start + size) } : {}) });
      }
      case 'get': {
        const fields = fieldsOf(u.searchParams, 'personFields');
        if (!fields) return apiError(res, 400, 'INVALID_ARGUMENT', 'personFields mask is required.');
        const person = persons.get(p.slice('/v1/'.length));
        if (!person) return apiError(res, 404, 'NOT_FOUND', 'Requested entity was not found.');
        return send(res, 200, view(person, fields));
      }
      case 'update': {
        const rn = p.slice('/v1/'.length, -':updateContact'.length);
        const person = persons.get(rn);
        if (!person) return apiError(res, 404, 'NOT_FOUND', 'Requested entity was not found.');
        const update = fieldsOf(u.searchParams, 'updatePersonFields');
        if (!update) return apiError(res, 400, 'INVALID_ARGUMENT', 'updatePersonFields mask is required.');
        const b = (body ?? {}) as Record<string, unknown>;
        if (b.etag !== person.etag) return apiError(res, 400, 'FAILED_PRECONDITION', 'Request person.etag is different than the current person.etag. Clear local cache and get the latest person.');
        for (const f of update) {
          if (!PERSON_FIELDS.includes(f)) return apiError(res, 400, 'INVALID_ARGUMENT', `Invalid updatePersonFields mask path: "${f}".`);
          if (b[f] === undefined) delete person[f];
          else person[f] = structuredClone(b[f]);
        }
        person.etag = newEtag();
        return answer(200, view(person, fieldsOf(u.searchParams, 'personFields') ?? update));
      }
      case 'create': {
        const b = (body ?? {}) as Record<string, unknown>;
        const resourceName = `people/c${nextId++}`;
        const person: FakePerson = { resourceName, etag: newEtag() };
        for (const f of PERSON_FIELDS) if (b[f] !== undefined) person[f] = structuredClone(b[f]);
        for (const m of person.memberships ?? []) {
          const g = m.contactGroupMembership?.contactGroupResourceName;
          if (g && !groups.some((x) => x.resourceName === g)) return apiError(res, 400, 'INVALID_ARGUMENT', `no such group ${g}`);
        }
        persons.set(resourceName, person);
        return answer(200, view(person, fieldsOf(u.searchParams, 'personFields') ?? PERSON_FIELDS));
      }
      case 'groups.list': {
        const size = Math.min(1000, Number(u.searchParams.get('pageSize') ?? '30') || 30);
        const start = Number(u.searchParams.get('pageToken') ?? '0') || 0;
        return send(res, 200, { contactGroups: groups.slice(start, start + size), totalItems: groups.length, ...(start + size < groups.length ? { nextPageToken: String(start + size) } : {}) });
      }
      case 'groups.create': {
        const name = ((body ?? {}) as { contactGroup?: { name?: string } }).contactGroup?.name;
        if (!name) return apiError(res, 400, 'INVALID_ARGUMENT', 'contactGroup.name is required');
        if (groups.some((g) => g.name === name)) return apiError(res, 409, 'ALREADY_EXISTS', 'Contact group name already exists.');
        const g: FakeGroup = { resourceName: `contactGroups/g${nextId++}`, name, groupType: 'USER_CONTACT_GROUP' };
        groups.push(g);
        return answer(200, g);
      }
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: { code: 500, message: String(err), status: 'INTERNAL' } });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(fake, { url, rootUrl: `${url}/`, tokenUrl: `${url}/token` });
  return fake;
}
