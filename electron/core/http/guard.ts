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

export function checkToken(req: IncomingMessage, url: URL, opts: GuardOptions): GuardResult {
  const header = req.headers.authorization;
  // EventSource cannot send headers, so the dashboard may pass the token as ?token=.
  const supplied = header?.startsWith('Bearer ') ? header.slice(7).trim() : url.searchParams.get('token') ?? '';
  const a = Buffer.from(supplied);
  const b = Buffer.from(opts.token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return { ok: false, status: 401, error: 'Missing or wrong access token (Authorization: Bearer <token>; the token is in the data directory, file http-token)' };
  }
  return { ok: true };
}
