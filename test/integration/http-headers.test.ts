import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCore, tempDir, type TestCore } from '../harness/app';
import { liveFixture } from '../harness/fixture';

/**
 * Every response carries the security headers (API, ICS, vCard, live stream, static files,
 * errors); every GET route answers HEAD; unknown paths are 404, not the dashboard (issue 9
 * item 8, issue 14 item 5).
 */

type Raw = { status: number; body: string; headers: Record<string, string | string[] | undefined> };

function raw(port: number, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, agent: false, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      // The live stream never ends by itself: its headers are what we check.
      if ((res.headers['content-type'] ?? '').startsWith('text/event-stream') && opts.method !== 'HEAD') {
        resolve({ status: res.statusCode ?? 0, body: '', headers: res.headers });
        req.destroy();
      }
    });
    req.on('timeout', () => reject(new Error(`${opts.method ?? 'GET'} ${opts.path}: no answer within 5 s`)));
    req.on('error', (err) => (err.message === 'socket hang up' ? undefined : reject(err)));
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const API_CSP = "default-src 'none'; frame-ancestors 'none'";

function expectSecurityHeaders(r: Raw, what: string, html = false): void {
  expect(r.headers['x-content-type-options'], what).toBe('nosniff');
  expect(r.headers['x-frame-options'], what).toBe('DENY');
  expect(r.headers['referrer-policy'], what).toBe('no-referrer');
  const csp = String(r.headers['content-security-policy']);
  if (html) {
    for (const d of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"]) expect(csp, what).toContain(d);
  } else {
    expect(csp, what).toBe(API_CSP);
  }
}

describe('security headers, HEAD and 404 on the local server', () => {
  let app: TestCore;
  let port: number;
  const GET_ROUTES = ['/health', '/redis-status', '/redis-stats', '/redis-config', '/calendar.ics', '/api/state', '/api/messages', '/api/config', '/api/events', '/api/history', '/api/contacts', '/contacts.vcf'];

  beforeAll(async () => {
    const staticDir = tempDir('fogis-static-');
    mkdirSync(path.join(staticDir, 'assets'));
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>FOGIS Monitor</title>');
    writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    app = await startCore({ REDIS_PUBSUB_ENABLED: 'false' }, tempDir(), { staticDir });
    port = Number(new URL(app.baseUrl).port);
    // Something in the calendar, so /calendar.ics answers 200.
    const matches = (JSON.parse(liveFixture().find((l) => l.channel === 'fogis:matches:updates')?.raw ?? '{}') as { payload: { matches: unknown[] } }).payload.matches;
    const r = await raw(port, { method: 'POST', path: '/manual-sync', headers: app.authHeaders({ 'Content-Type': 'application/json' }), body: JSON.stringify({ matches }) });
    expect(r.status).toBe(200);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('API, ICS, vCard and the live stream: nosniff, a deny-all CSP, no framing, no referrer', async () => {
    for (const p of GET_ROUTES) {
      const r = await raw(port, { path: p });
      expect(r.status, p).toBeLessThan(500);
      expectSecurityHeaders(r, p);
    }
    expect((await raw(port, { path: '/calendar.ics' })).status).toBe(200);
  });

  it('errors carry them too: 400, 401, 403, 404, 405', async () => {
    const cases: Array<[number, Parameters<typeof raw>[1]]> = [
      [400, { path: '/api/messages?limit=0' }],
      [401, { method: 'PUT', path: '/api/config', headers: { 'Content-Type': 'application/json' }, body: '{}' }],
      [403, { path: '/health', headers: { Host: 'evil.example' } }],
      [404, { path: '/nope' }],
      [405, { method: 'DELETE', path: '/health', headers: app.authHeaders() }],
    ];
    for (const [status, req] of cases) {
      const r = await raw(port, req);
      expect(r.status, req.path).toBe(status);
      expectSecurityHeaders(r, `${status} ${req.path}`);
    }
  });

  it('the dashboard and its files get the full page policy', async () => {
    for (const p of ['/', '/index.html', '/assets/app.js']) {
      const r = await raw(port, { path: p });
      expect(r.status, p).toBe(200);
      expectSecurityHeaders(r, p, true);
    }
  });

  it('HEAD is answered on every GET route, with the GET headers and no body (the live stream too)', async () => {
    for (const p of [...GET_ROUTES, '/', '/assets/app.js']) {
      const get = await raw(port, { path: p });
      const head = await raw(port, { method: 'HEAD', path: p });
      expect(head.status, p).toBe(get.status);
      expect(head.body, p).toBe('');
      expect(head.headers['content-type'], p).toBe(get.headers['content-type']);
      expectSecurityHeaders(head, `HEAD ${p}`, p === '/' || p.startsWith('/assets'));
    }
    expect((await raw(port, { method: 'DELETE', path: '/redis-status', headers: app.authHeaders() })).headers.allow).toBe('GET, HEAD');
  });

  it('unknown paths are 404 with a JSON error, not the dashboard', async () => {
    for (const p of ['/redis-stat', '/health/', '/calendar.ics/x', '/api/state/', '/matches', '/settings', '/assets/missing.js', '/index.html/x', '/redis-status.json']) {
      const r = await raw(port, { path: p });
      expect(r.status, p).toBe(404);
      expect(r.headers['content-type'], p).toMatch(/application\/json/);
      expect(JSON.parse(r.body), p).toMatchObject({ success: false });
      expect(r.body, p).not.toContain('<title>');
    }
    // The dashboard itself, also with a query (the address with ?token=).
    expect((await raw(port, { path: '/?lang=sv' })).body).toContain('<title>FOGIS Monitor</title>');
  });
});
