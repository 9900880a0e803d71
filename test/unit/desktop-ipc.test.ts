import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../harness/fake-electron'));

import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { fake } from '../harness/fake-electron';
import { createMemoryLogger } from '../../electron/core/log';
import { ForbiddenSenderError, IPC_METHODS, isTrustedSenderUrl, makeHandler, registerIpc, type IpcMethod } from '../../electron/desktop/ipc';
import { IPC } from '../../shared/api';
import { createFakeCore } from '../harness/desktop-snapshot';
import { APP_INDEX_URL } from '../../electron/desktop/renderer-files';
import type { IpcMainInvokeEvent } from 'electron';

const INDEX = path.resolve('/opt/FOGIS Monitor/resources/app.asar/dist/renderer/index.html');
/** What the window loads (app-protocol.ts); the file:// form is kept for the dev fallback rules. */
const APP_URL = APP_INDEX_URL;
const FILE_URL = pathToFileURL(INDEX).href;

interface FrameLike {
  url: string;
  parent: FrameLike | null;
}
function eventFrom(url: string | null, opts: { subframe?: boolean } = {}): IpcMainInvokeEvent {
  const top: FrameLike = { url: APP_URL, parent: null };
  const frame: FrameLike | null = url === null ? null : { url, parent: opts.subframe ? top : null };
  // Only senderFrame is read by the handlers; the cast keeps the test free of a full event.
  return { senderFrame: frame } as unknown as IpcMainInvokeEvent;
}

function setup() {
  const core = createFakeCore();
  const log = createMemoryLogger();
  const opts = { handlers: core.handlers, appUrl: APP_URL, log };
  const call = (method: IpcMethod, event: IpcMainInvokeEvent, ...args: unknown[]) => makeHandler(method, opts)(event, ...args);
  return { core, log, call, opts };
}

describe('isTrustedSenderUrl', () => {
  it('accepts the app page, with any hash or query', () => {
    expect(isTrustedSenderUrl(APP_URL, APP_URL)).toBe(true);
    expect(isTrustedSenderUrl(`${APP_URL}#alerts/a1`, APP_URL)).toBe(true);
    expect(isTrustedSenderUrl(`${APP_URL}?x=1`, APP_URL)).toBe(true);
  });

  it('rejects other app:// pages and hosts, and every local file', () => {
    expect(isTrustedSenderUrl('app://renderer/other.html', APP_URL)).toBe(false);
    expect(isTrustedSenderUrl('app://evil/index.html', APP_URL)).toBe(false);
    expect(isTrustedSenderUrl('app://renderer:1/index.html', APP_URL)).toBe(false);
    expect(isTrustedSenderUrl('app://x@renderer/index.html', APP_URL)).toBe(false);
    expect(isTrustedSenderUrl('app2://renderer/index.html', APP_URL)).toBe(false);
    expect(isTrustedSenderUrl(FILE_URL, APP_URL)).toBe(false);
    expect(isTrustedSenderUrl(pathToFileURL('/tmp/evil.html').href, APP_URL)).toBe(false);
  });

  it('with a file:// app page, rejects other local files (file:// origins are all "null")', () => {
    expect(isTrustedSenderUrl(FILE_URL, FILE_URL)).toBe(true);
    expect(isTrustedSenderUrl(pathToFileURL('/tmp/evil.html').href, FILE_URL)).toBe(false);
    expect(isTrustedSenderUrl(pathToFileURL(path.join(path.dirname(INDEX), 'other.html')).href, FILE_URL)).toBe(false);
    expect(isTrustedSenderUrl(`${FILE_URL}/../../../evil.html`, FILE_URL)).toBe(false);
  });

  it('rejects web origins, data: and garbage', () => {
    expect(isTrustedSenderUrl('https://evil.example/', APP_URL)).toBe(false);
    expect(isTrustedSenderUrl('http://127.0.0.1:5003/', APP_URL)).toBe(false);
    expect(isTrustedSenderUrl('data:text/html,hi', APP_URL)).toBe(false);
    expect(isTrustedSenderUrl('about:blank', APP_URL)).toBe(false);
    expect(isTrustedSenderUrl('', APP_URL)).toBe(false);
    expect(isTrustedSenderUrl(null, APP_URL)).toBe(false);
    expect(isTrustedSenderUrl('not a url', APP_URL)).toBe(false);
  });

  it('compares origins for a dev server', () => {
    const dev = 'http://localhost:5173/';
    expect(isTrustedSenderUrl('http://localhost:5173/#matches', dev)).toBe(true);
    expect(isTrustedSenderUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isTrustedSenderUrl('http://127.0.0.1:5173/', dev)).toBe(false);
  });
});

describe('IPC handlers: sender validation', () => {
  it('serves the app page', async () => {
    const { call, core } = setup();
    await expect(call('getSnapshot', eventFrom(APP_URL))).resolves.toBe(core.current);
  });

  it.each([
    ['another file', pathToFileURL('/tmp/x.html').href, false],
    ['a web page', 'https://evil.example/', false],
    ['a subframe, even with our URL', APP_URL, true],
  ])('refuses %s on every channel', async (_name, url, subframe) => {
    const { call, core, log } = setup();
    for (const m of IPC_METHODS) {
      await expect(call(m, eventFrom(url, { subframe }))).rejects.toBeInstanceOf(ForbiddenSenderError);
    }
    expect(core.calls).toEqual([]);
    expect(log.lines.filter((l) => l.includes('[ipc] refused'))).toHaveLength(IPC_METHODS.length);
  });

  it('refuses a call whose frame is gone', async () => {
    const { call } = setup();
    await expect(call('syncNow', eventFrom(null))).rejects.toThrow(/no frame/);
  });
});

describe('IPC handlers: input schemas', () => {
  const ok = eventFrom(APP_URL);

  it('forwards valid input to the core in the Bridge shape', async () => {
    const { call, core } = setup();
    await call('acknowledgeAlerts', ok, { ids: ['a1', 'a2'] });
    await call('acknowledgeAlerts', ok, { all: true });
    await call('setPaused', ok, { paused: true });
    await call('muteNotifications', ok, { until: '2026-05-10T18:00:00+02:00' });
    await call('muteNotifications', ok, { until: null });
    await call('updateConfig', ok, { redis: { url: 'redis://redis.local:6379' } });
    await call('syncNow', ok);
    expect(core.calls).toEqual([
      { method: 'acknowledgeAlerts', args: [{ ids: ['a1', 'a2'] }] },
      { method: 'acknowledgeAlerts', args: [{ all: true }] },
      { method: 'setPaused', args: [true] },
      { method: 'muteNotifications', args: ['2026-05-10T18:00:00+02:00'] },
      { method: 'muteNotifications', args: [null] },
      { method: 'updateConfig', args: [{ redis: { url: 'redis://redis.local:6379' } }] },
      { method: 'syncNow', args: [] },
    ]);
  });

  it.each([
    ['acknowledgeAlerts', [{ ids: [] }]],
    ['acknowledgeAlerts', [{ all: false }]],
    ['acknowledgeAlerts', [{ ids: ['a'], extra: 1 }]],
    ['setPaused', [true]],
    ['setPaused', [{ paused: 'yes' }]],
    ['muteNotifications', [{ until: 'tomorrow' }]],
    ['muteNotifications', []],
  ] as Array<[IpcMethod, unknown[]]>)('answers %s %j with success:false and does not call the core', async (method, args) => {
    const { call, core } = setup();
    const r = (await call(method, ok, ...args)) as { success: boolean; error: string };
    expect(r.success).toBe(false);
    expect(r.error).toMatch(new RegExp(`invalid ${IPC[method]} request`));
    expect(core.calls).toEqual([]);
  });

  it('answers an invalid config patch with field errors', async () => {
    const { call, core } = setup();
    const r = (await call('updateConfig', ok, { redis: { url: 'http://nope' }, bogus: 1 })) as { success: false; error: string; errors: Array<{ path: string; message: string }> };
    expect(r.success).toBe(false);
    expect(r.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['redis.url']));
    expect(r.errors.find((e) => e.path === 'redis.url')?.message).toMatch(/redis:\/\//);
    expect(core.calls).toEqual([]);
  });

  it('rejects arguments on the no-argument channels', async () => {
    const { call, core } = setup();
    await expect(call('getSnapshot', ok, { sneaky: true })).rejects.toThrow(/invalid state:get request/);
    await expect(call('googleSignIn', ok, 'x')).rejects.toThrow(/invalid google:sign-in request/);
    expect(core.calls).toEqual([]);
  });

  it('runs the desktop side effect only after the core accepted the call', async () => {
    const core = createFakeCore();
    const after = vi.fn();
    const h = makeHandler('muteNotifications', { handlers: core.handlers, appUrl: APP_URL, log: createMemoryLogger(), after: { muteNotifications: after } });
    await h(ok, { until: null });
    expect(after).toHaveBeenCalledWith([{ until: null }], { success: true });
    await h(ok, { until: 5 });
    expect(after).toHaveBeenCalledTimes(1);
  });

  it('keeps the answer when a side effect fails', async () => {
    const core = createFakeCore();
    const log = createMemoryLogger();
    const h = makeHandler('setPaused', { handlers: core.handlers, appUrl: APP_URL, log, after: { setPaused: () => Promise.reject(new Error('tray gone')) } });
    await expect(h(ok, { paused: false })).resolves.toEqual({ success: true });
    expect(log.lines.join('\n')).toContain('tray gone');
  });
});

describe('registerIpc', () => {
  beforeEach(() => fake.reset());

  it('registers exactly the contract channels (all but the event channel) and removes them', () => {
    const core = createFakeCore();
    const off = registerIpc({ handlers: core.handlers, appUrl: APP_URL, log: createMemoryLogger() });
    const expected = Object.entries(IPC)
      .filter(([k]) => k !== 'event')
      .map(([, v]) => v)
      .sort();
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual(expected);
    off();
    expect(fake.ipcMain.handlers.size).toBe(0);
  });

  it('wires each channel to its own core method', async () => {
    const core = createFakeCore();
    registerIpc({ handlers: core.handlers, appUrl: APP_URL, log: createMemoryLogger() });
    for (const m of ['getMessages', 'syncNow', 'confirmDeletions', 'restartSubscription', 'testConnection', 'googleSignIn', 'googleSignOut'] as const) {
      await fake.ipcMain.handlers.get(IPC[m])?.(eventFrom(APP_URL));
      expect(core.calls.at(-1)?.method).toBe(m);
    }
  });
});
