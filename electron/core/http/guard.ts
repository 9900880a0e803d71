import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * Request checks that run before any route (spec §8.8: the Python endpoints are open to the
 * whole network; anchors §3.4: DNS rebinding and cross-site requests against loopback).
 */

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return LOOPBACK_NAMES.has(h) || h.startsWith('127.');
}

/** Splits a Host header into name and port, handling `[::1]:5003` and a trailing dot. */
export function parseHostHeader(value: string): { name: string; port: number | null } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!m || !m[1]) return null;
  const name = m[1].replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  return { name, port: m[2] ? Number(m[2]) : null };
}

export interface GuardOptions {
  /** The address we listen on (config http.host). */
  bindHost: string;
  port: () => number;
  token: string;
}

export type GuardResult = { ok: true } | { ok: false; status: number; error: string };

export function allowedHostNames(bindHost: string): Set<string> {
  const names = new Set(LOOPBACK_NAMES);
  const b = bindHost.replace(/^\[|\]$/g, '').toLowerCase();
  if (b !== '0.0.0.0' && b !== '::') names.add(b);
  return names;
}

export function checkHost(req: IncomingMessage, opts: GuardOptions): GuardResult {
  const raw = req.headers.host;
  if (!raw) return { ok: false, status: 403, error: 'Missing Host header' };
  const parsed = parseHostHeader(raw);
  if (!parsed) return { ok: false, status: 403, error: 'Invalid Host header' };
  const names = allowedHostNames(opts.bindHost);
  // Bound to all interfaces, an IP literal is how LAN clients reach us; names still must match.
  const wildcard = opts.bindHost === '0.0.0.0' || opts.bindHost === '::';
  const nameOk = names.has(parsed.name) || (wildcard && isIP(parsed.name) !== 0);
  if (!nameOk || (parsed.port !== null && parsed.port !== opts.port())) {
    return { ok: false, status: 403, error: 'Host not allowed (this server only answers to its own address)' };
  }
  return { ok: true };
}

/** A browser page from another origin must not talk to us, even with a simple request. */
export function checkOrigin(req: IncomingMessage): GuardResult {
  const origin = req.headers.origin;
  if (origin === undefined) return { ok: true };
  const host = req.headers.host ?? '';
  let originHost: string;
  try {
    const u = new URL(origin);
    if (u.protocol !== 'http:') return { ok: false, status: 403, error: 'Cross-origin requests are not allowed' };
    originHost = u.host;
  } catch {
    return { ok: false, status: 403, error: 'Cross-origin requests are not allowed' };
  }
  if (originHost.toLowerCase() !== host.toLowerCase()) return { ok: false, status: 403, error: 'Cross-origin requests are not allowed' };
  return { ok: true };
}

export function tokenRequired(bindHost: string): boolean {
  return !isLoopbackHost(bindHost);
}

/**
 * The cookie that carries the token for the dashboard's own requests (its fetches, its
 * EventSource and its script bundle, which cannot send an Authorization header). Cookies are
 * per host, not per port, so the port is in the name: two monitors on one machine do not
 * overwrite each other's cookie.
 */
export function tokenCookieName(port: number): string {
  return `fogis_monitor_token_${port}`;
}

/** HttpOnly: page scripts never see it; SameSite=Strict: no other site's page makes us send it. */
export function tokenCookie(token: string, port: number): string {
  return `${tokenCookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${30 * 24 * 3600}`;
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function tokenEquals(supplied: string, token: string): boolean {
  const a = Buffer.from(supplied);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True when `?token=` is present and right: the page that was opened with it gets the cookie. */
export function queryTokenValid(url: URL, opts: GuardOptions): boolean {
  const q = url.searchParams.get('token');
  return q !== null && tokenEquals(q, opts.token);
}

/**
 * The token may come as `Authorization: Bearer` (scripts), as the dashboard's cookie, or as
 * `?token=` (the address printed at start; EventSource cannot send headers).
 */
export function checkToken(req: IncomingMessage, url: URL, opts: GuardOptions): GuardResult {
  const header = req.headers.authorization;
  const candidates = [
    header?.startsWith('Bearer ') ? header.slice(7).trim() : null,
    cookieValue(req.headers.cookie, tokenCookieName(opts.port())),
    url.searchParams.get('token'),
  ];
  if (candidates.some((c) => c !== null && tokenEquals(c, opts.token))) return { ok: true };
  return { ok: false, status: 401, error: 'Missing or wrong access token (Authorization: Bearer <token>; the token is in the data directory, file http-token; the dashboard opens with the address printed at start, …/?token=…)' };
}
