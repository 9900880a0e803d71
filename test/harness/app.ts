import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCore } from '../../electron/core/index';
import type { Core } from '../../electron/core/core-api';
import { createMemoryLogger } from '../../electron/core/log';
import { freePort } from './redis-server';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

export function tempDir(prefix = 'fogis-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Fast supervisor timings so fault tests finish quickly; tests that check defaults override. */
export const FAST_REDIS_ENV = {
  REDIS_BACKOFF_INITIAL_MS: '100',
  REDIS_BACKOFF_MAX_MS: '1000',
  REDIS_PING_INTERVAL_MS: '1000',
  REDIS_PING_TIMEOUT_MS: '1000',
  REDIS_CONNECT_TIMEOUT_MS: '2000',
};

/** Headers that carry the local server's access token (every write route needs it). */
export function bearer(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${token}`, ...extra };
}

/** `fetch` with the access token added (and JSON content type when there is a body). */
export function fetchWithToken(token: string): (url: string, init?: RequestInit) => Promise<Response> {
  return (url, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${token}`);
    if (init.body !== undefined && !headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
    return fetch(url, { ...init, headers });
  };
}

export interface TestCore {
  core: Core;
  baseUrl: string;
  dataDir: string;
  logLines: string[];
  /** Lines printed on purpose with a secret: the dashboard address with its token. */
  announced: string[];
  /** The access token of this core's HTTP server. */
  token: string;
  /** `Authorization: Bearer <token>` plus `extra` (e.g. the JSON content type). */
  authHeaders(extra?: Record<string, string>): Record<string, string>;
  /** `fetch` with the token (and `Content-Type: application/json` when a body is given). */
  authedFetch(url: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/** The core in this process, with its HTTP server on a free port. */
export async function startCore(env: Record<string, string>, dataDir = tempDir(), opts: { staticDir?: string | null } = {}): Promise<TestCore> {
  const log = createMemoryLogger();
  const core = await createCore({ dataDir, env: { MONITOR_HTTP_PORT: '0', ...env }, log, http: true, staticDir: opts.staticDir ?? null });
  await core.start();
  const baseUrl = core.httpBaseUrl();
  if (!baseUrl) throw new Error('HTTP server did not start');
  const token = core.accessToken();
  return { core, baseUrl, dataDir, logLines: log.lines, announced: log.announced, token, authHeaders: (extra = {}) => bearer(token, extra), authedFetch: fetchWithToken(token), stop: () => core.stop() };
}

export interface HeadlessProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  dataDir: string;
  output: () => string;
  /** The access token (read from the data directory's http-token file once listening). */
  token: () => string;
  authHeaders(extra?: Record<string, string>): Record<string, string>;
  authedFetch(url: string, init?: RequestInit): Promise<Response>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `dist/headless.js` as a user runs it (build it first: `npm run build`). */
export async function startHeadless(opts: { env?: Record<string, string>; dataDir?: string; port?: number; waitFor?: RegExp | null; timeoutMs?: number; args?: string[] } = {}): Promise<HeadlessProcess> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? tempDir();
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'headless.js'), ...(opts.args ?? [])], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dataDir, FOGIS_MONITOR_DATA_DIR: dataDir, MONITOR_HTTP_PORT: String(port), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const waitFor = opts.waitFor === undefined ? /\[http\] listening/ : opts.waitFor;
  if (waitFor) {
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    while (!waitFor.test(out)) {
      if (child.exitCode !== null) throw new Error(`headless exited early (${child.exitCode}):\n${out}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`headless did not print ${waitFor} in time:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const token = (): string => readFileSync(path.join(dataDir, 'http-token'), 'utf8').trim();
  return {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    dataDir,
    output: () => out,
    token,
    authHeaders: (extra = {}) => bearer(token(), extra),
    authedFetch: (url, init) => fetchWithToken(token())(url, init),
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls until `check` returns a truthy value or the time runs out. */
export async function waitUntil<T>(check: () => T | Promise<T>, timeoutMs: number, what = 'condition', intervalMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() <= deadline) {
    last = await check();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)?.slice(0, 300)})`);
}

export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { __text: text };
  }
  return { status: res.status, body, headers: res.headers };
}
