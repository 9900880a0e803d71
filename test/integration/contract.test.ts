import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../harness/fake-electron'));

import type { IpcMainInvokeEvent } from 'electron';
import { CONTRACT, IPC, OP_NAMES, OPS, toWire, type ArgsOf, type OpName } from '../../shared/contract';
import { makeHandler } from '../../electron/desktop/ipc';
import { APP_INDEX_URL } from '../../electron/desktop/renderer-files';
import { createMemoryLogger } from '../../electron/core/log';
import { createHttpBridge } from '../../renderer/src/bridge/http';
import { FAST_REDIS_ENV, startCore, waitUntil, type TestCore } from '../harness/app';
import { startRedis, type TestRedis } from '../harness/redis-server';

/**
 * The contract table walked row by row against a real core: every operation has an IPC
 * handler and an HTTP route, both answer what the row's output schema says, the token rule
 * and the refusal of bad input follow the row. An operation added to the table without an
 * example here does not compile.
 */

/** One harmless call per operation (the core is real: nothing here may take minutes). */
const EXAMPLES: { [K in OpName]: ArgsOf<K> } = {
  getSnapshot: [],
  getMessages: [{ limit: 5 }],
  syncNow: [],
  confirmDeletions: [],
  confirmTakeover: [],
  restartSubscription: [],
  testConnection: [],
  acknowledgeAlerts: [{ all: true }],
  setPaused: [false],
  muteNotifications: [null],
  updateConfig: [{ ui: { language: 'sv' } }],
  // ICS is the backend here: both answer at once that Google is not selected.
  googleSignIn: [],
  googleSignOut: [],
  getContacts: [],
};

/** A wire value each operation with input must refuse. */
const BAD_INPUT = { bogus: 1 };

const trusted = { senderFrame: { url: APP_INDEX_URL, parent: null } } as unknown as IpcMainInvokeEvent;

function routeUrl(base: string, name: OpName, wire: unknown): string {
  const { http } = OPS[name];
  if (http.method !== 'GET' || wire === undefined) return base + http.path;
  return `${base}${http.path}?${new URLSearchParams(Object.entries(wire as Record<string, unknown>).map(([k, v]) => [k, String(v)])).toString()}`;
}

describe('the contract table', () => {
  it('has one schema row, one channel and one route per operation', () => {
    expect(Object.keys(CONTRACT).sort()).toEqual([...OP_NAMES].sort());
    const channels = OP_NAMES.map((n) => OPS[n].channel);
    expect(new Set([...channels, IPC.event]).size).toBe(channels.length + 1);
    const routes = OP_NAMES.map((n) => `${OPS[n].http.method} ${OPS[n].http.path}`);
    expect(new Set(routes).size).toBe(routes.length);
    for (const n of OP_NAMES) {
      const { http, arg, token } = OPS[n];
      const row = CONTRACT[n] as { input: unknown; fail?: unknown };
      expect(row.input === null, n).toBe(arg === 'none');
      // Reads are open on loopback; a write can fail as a value; only seed routes skip the token.
      if (http.method === 'GET') expect(token, n).toBe(false);
      else expect(typeof row.fail, n).toBe('function');
      if (!token && http.method !== 'GET') expect('seed' in http, n).toBe(true);
      if (!('seed' in http)) expect(http.path.startsWith('/api/'), n).toBe(true);
    }
  });
});

describe('every operation over IPC and HTTP against a real core', () => {
  let redis: TestRedis;
  let app: TestCore;

  beforeAll(async () => {
    redis = await startRedis();
    app = await startCore({ REDIS_URL: `redis://127.0.0.1:${redis.port}/0`, ...FAST_REDIS_ENV });
    await waitUntil(() => app.core.snapshot().connection.subscribed, 10_000, 'subscribed');
  }, 30_000);
  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
  });

  it.each(OP_NAMES)('%s: the IPC handler answers what the output schema says', async (name) => {
    const handler = makeHandler(name, { handlers: app.core.handlers, appUrl: APP_INDEX_URL, log: createMemoryLogger() });
    const result = await handler(trusted, ...toWire(OPS[name].arg, EXAMPLES[name]));
    const parsed = CONTRACT[name].output.safeParse(result);
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
  });

  it.each(OP_NAMES)('%s: the HTTP route answers what the output schema says, with the row status', async (name) => {
    const { http, arg } = OPS[name];
    const wire = toWire(arg, EXAMPLES[name])[0];
    const res = await app.authedFetch(routeUrl(app.baseUrl, name, wire), http.method === 'GET' ? {} : { method: http.method, body: JSON.stringify(wire ?? {}) });
    const body: unknown = await res.json();
    if ('seed' in http) {
      // The Python service's keys (spec §4); the HTTP bridge reads them into the output schema.
      expect(res.status, JSON.stringify(body)).toBeLessThan(600);
    } else {
      const parsed = CONTRACT[name].output.safeParse(body);
      expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
      const failed = (body as { success?: unknown }).success === false;
      expect(res.status, JSON.stringify(body)).toBe(failed && 'failStatus' in http ? http.failStatus : 200);
    }
    // The generated bridge over the same route: a read rejects on anything else, a write would
    // fall back to its failure value, so the raw answer above is the real check.
    const bridge = createHttpBridge({ baseUrl: app.baseUrl, token: app.token });
    const call = bridge[name] as (...args: unknown[]) => Promise<unknown>;
    expect(CONTRACT[name].output.safeParse(await call(...EXAMPLES[name])).success).toBe(true);
  });

  it.each(OP_NAMES)('%s: without the token, a loopback write is refused exactly when the row says so', async (name) => {
    const { http, token } = OPS[name];
    // No body: a refused request never reaches the route, an open one has nothing to change.
    const res = await fetch(app.baseUrl + http.path, http.method === 'GET' ? {} : { method: http.method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({}) });
    await res.body?.cancel();
    if (token) expect(res.status).toBe(401);
    else expect(res.status).not.toBe(401);
  });

  it.each(OP_NAMES.filter((n) => OPS[n].arg !== 'none'))('%s: bad input is refused by both transports without reaching the core', async (name) => {
    const before = JSON.stringify(app.core.snapshot().config);
    const row = CONTRACT[name] as { refuse?: unknown; output: (typeof CONTRACT)[OpName]['output'] };
    const handler = makeHandler(name, { handlers: app.core.handlers, appUrl: APP_INDEX_URL, log: createMemoryLogger() });
    if (row.refuse) {
      const answer = await handler(trusted, BAD_INPUT);
      expect(row.output.safeParse(answer).success).toBe(true);
      expect((answer as { success: boolean }).success).toBe(false);
    } else {
      await expect(handler(trusted, BAD_INPUT)).rejects.toThrow(new RegExp(`invalid ${OPS[name].channel} request`));
    }
    const { http } = OPS[name];
    const url = http.method === 'GET' ? `${app.baseUrl}${http.path}?bogus=x` : app.baseUrl + http.path;
    const res = await app.authedFetch(url, http.method === 'GET' ? {} : { method: http.method, body: JSON.stringify(BAD_INPUT) });
    const body = (await res.json()) as { success: boolean; error: string };
    expect(res.status).toBe(400);
    expect(body.success).toBe(false);
    expect(body.error).toMatch(/^Invalid (request|settings)/);
    if (row.refuse) expect(row.output.safeParse(body).success).toBe(true);
    expect(JSON.stringify(app.core.snapshot().config)).toBe(before);
  });
});
