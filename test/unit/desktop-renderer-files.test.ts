import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  APP_INDEX_URL,
  CONTENT_SECURITY_POLICY,
  mimeTypeFor,
  resolveRendererPath,
  serveRendererRequest,
} from '../../electron/desktop/renderer-files';

/**
 * The app:// scheme's path rules and headers, on real files: the desktop window loads the
 * dashboard through it (electron/desktop/app-protocol.ts), so a hole here is a file read
 * for any page that manages to make a request.
 */

let base: string;
let root: string;
beforeAll(() => {
  base = mkdtempSync(path.join(os.tmpdir(), 'fogis-app-scheme-'));
  root = path.join(base, 'renderer');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>FOGIS</title>');
  writeFileSync(path.join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(path.join(root, 'assets', 'index-abc.css'), 'body{}');
  writeFileSync(path.join(root, 'assets', 'logo.svg'), '<svg/>');
  writeFileSync(path.join(root, 'assets', 'font.woff2'), 'x');
  writeFileSync(path.join(root, 'assets', 'blob.bin'), 'x');
  writeFileSync(path.join(base, 'secret.txt'), 'the coordinator password');
  mkdirSync(path.join(base, 'renderer-evil'));
  writeFileSync(path.join(base, 'renderer-evil', 'x.js'), 'evil');
  // Symlinks: one out of the folder (refused), one inside it (served).
  symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'assets', 'leak.js'));
  symlinkSync(path.join(base), path.join(root, 'up'));
  symlinkSync(path.join(root, 'assets', 'index-abc.js'), path.join(root, 'alias.js'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => serveRendererRequest(root, { url, method });

describe('app:// path resolution', () => {
  it('maps the page and its assets inside the renderer folder', () => {
    expect(resolveRendererPath(root, APP_INDEX_URL)).toEqual({ ok: true, file: path.join(root, 'index.html') });
    expect(resolveRendererPath(root, 'app://renderer/')).toEqual({ ok: true, file: path.join(root, 'index.html') });
    expect(resolveRendererPath(root, 'app://renderer')).toEqual({ ok: true, file: path.join(root, 'index.html') });
    expect(resolveRendererPath(root, 'app://renderer/assets/index-abc.js?v=1#x')).toEqual({ ok: true, file: path.join(root, 'assets', 'index-abc.js') });
    expect(resolveRendererPath(root, 'APP://RENDERER/index.html')).toMatchObject({ ok: true });
  });

  // Refused by the handler's own checks, whatever the URL parser did before.
  const refused: Array<[string, string]> = [
    ['encoded slash', 'app://renderer/..%2fsecret.txt'],
    ['encoded slash and dots', 'app://renderer/%2e%2e%2fsecret.txt'],
    ['encoded dots after an encoded slash', 'app://renderer/assets%2f%2e%2e%2f%2e%2e%2fsecret.txt'],
    ['encoded backslash', 'app://renderer/..%5csecret.txt'],
    ['backslash', 'app://renderer/assets\\..\\..\\secret.txt'],
    ['absolute path in the path', 'app://renderer//etc/passwd'],
    ['encoded absolute path', 'app://renderer/%2fetc%2fpasswd'],
    ['NUL', 'app://renderer/index.html%00.js'],
    ['control character', 'app://renderer/index%0a.html'],
    ['Windows drive', 'app://renderer/C:/Windows/win.ini'],
    ['encoded Windows drive', 'app://renderer/C%3a%5cWindows%5cwin.ini'],
    ['other host', 'app://evil/index.html'],
    ['host that merely starts alike', 'app://renderer-evil/x.js'],
    ['credentials', 'app://user:pw@renderer/index.html'],
    ['port', 'app://renderer:8080/index.html'],
    ['other scheme', 'file:///etc/passwd'],
    ['broken percent-encoding', 'app://renderer/%E0%A4%A'],
    ['not a URL', 'not a url'],
  ];
  it.each(refused)('refuses %s', (_name, url) => {
    const r = resolveRendererPath(root, url);
    expect(r.ok).toBe(false);
  });

  // The WHATWG parser removes these dot segments before the handler sees the path (as
  // Chromium does for a standard scheme); what is left must name a file inside the folder.
  const clamped: Array<[string, string, string]> = [
    ['dot-dot', 'app://renderer/../secret.txt', 'secret.txt'],
    ['dot-dot inside', 'app://renderer/assets/../../secret.txt', 'secret.txt'],
    ['encoded dot-dot', 'app://renderer/%2e%2e/secret.txt', 'secret.txt'],
    ['encoded dot-dot, upper case', 'app://renderer/%2E%2E/secret.txt', 'secret.txt'],
    ['sibling folder via prefix', 'app://renderer/../renderer-evil/x.js', 'renderer-evil/x.js'],
  ];
  it.each(clamped)('keeps %s inside the folder', (_name, url, rel) => {
    expect(resolveRendererPath(root, url)).toEqual({ ok: true, file: path.join(root, rel) });
  });
  const hostile = [...refused, ...clamped.map(([n, u]) => [n, u] as [string, string])];

  it.each(hostile)('answers 404 without the content for %s', async (_name, url) => {
    const r = await get(url);
    expect(r.status).toBe(404);
    expect(r.body?.toString()).toBe('Not found');
  });

  it('refuses a symlink that leads out of the folder, and a directory', async () => {
    expect((await get('app://renderer/assets/leak.js')).status).toBe(404);
    expect((await get('app://renderer/up/secret.txt')).status).toBe(404);
    expect((await get('app://renderer/assets')).status).toBe(404);
    expect((await get('app://renderer/missing.js')).status).toBe(404);
  });

  it('serves a symlink that stays inside', async () => {
    const r = await get('app://renderer/alias.js');
    expect(r.status).toBe(200);
    expect(r.body?.toString()).toBe('console.log(1)');
  });
});

describe('app:// responses', () => {
  it('carries the full CSP and nosniff on every answer, found or not', async () => {
    for (const url of [APP_INDEX_URL, 'app://renderer/assets/index-abc.js', 'app://renderer/../secret.txt', 'app://evil/']) {
      const r = await get(url);
      expect(r.headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(r.headers['X-Content-Type-Options']).toBe('nosniff');
    }
    for (const d of [
      "default-src 'self'",
      "script-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-src 'none'",
      "frame-ancestors 'none'",
      "connect-src 'self'",
    ]) {
      expect(CONTENT_SECURITY_POLICY.split('; ')).toContain(d);
    }
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('names the type of each built file (a script with a wrong type would not run under nosniff)', async () => {
    expect((await get(APP_INDEX_URL)).headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect((await get('app://renderer/assets/index-abc.js')).headers['Content-Type']).toBe('text/javascript; charset=utf-8');
    expect((await get('app://renderer/assets/index-abc.css')).headers['Content-Type']).toBe('text/css; charset=utf-8');
    expect((await get('app://renderer/assets/logo.svg')).headers['Content-Type']).toBe('image/svg+xml');
    expect((await get('app://renderer/assets/font.woff2')).headers['Content-Type']).toBe('font/woff2');
    expect((await get('app://renderer/assets/blob.bin')).headers['Content-Type']).toBe('application/octet-stream');
    expect(mimeTypeFor('x.MJS')).toBe('text/javascript; charset=utf-8');
    expect(mimeTypeFor('x.png')).toBe('image/png');
    expect(mimeTypeFor('noext')).toBe('application/octet-stream');
  });

  it('returns the bytes for GET, none for HEAD, and refuses other methods', async () => {
    const g = await get(APP_INDEX_URL);
    expect(g.status).toBe(200);
    expect(g.body?.toString()).toBe('<!doctype html><title>FOGIS</title>');
    expect(g.headers['Content-Length']).toBe(String(g.body?.length));
    const h = await get(APP_INDEX_URL, 'HEAD');
    expect(h.status).toBe(200);
    expect(h.body).toBeNull();
    const p = await get(APP_INDEX_URL, 'POST');
    expect(p.status).toBe(405);
    expect(p.headers.Allow).toBe('GET, HEAD');
    expect(p.headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
  });
});
