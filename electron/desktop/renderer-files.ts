import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * What the `app://` scheme serves (electron/desktop/app-protocol.ts), kept free of `electron`
 * so the path rules and headers are tested on real files without the binary.
 *
 * Why a scheme at all: electron-builder.yml keeps the `grantFileProtocolExtraPrivileges`
 * fuse off, and then a file:// page inside the asar loses what a module script needs; a
 * file:// response also has no headers, so only the weaker meta-tag CSP would apply.
 */

export const APP_SCHEME = 'app';
/** The one host the scheme answers for; a standard scheme needs a host to form an origin. */
export const APP_HOST = 'renderer';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/**
 * The renderer's policy, sent as a header on every app:// response (a meta tag cannot carry
 * frame-ancestors, and is weaker in general). The desktop page talks to the core only over
 * IPC, so nothing but its own origin is needed for connect-src.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  // The files change with every update of the app; never serve a stale bundle.
  'Cache-Control': 'no-cache',
};

/** With nosniff, a wrong type stops a script or style from running, so every built type is named. */
const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function mimeTypeFor(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export type Resolution = { ok: true; file: string } | { ok: false; reason: string };

const refuse = (reason: string): Resolution => ({ ok: false, reason });

/**
 * Maps an app:// URL to a file inside `root`, by the text of the URL alone (symlinks are
 * checked by `serveRendererRequest`, which touches the disk). Chromium has already
 * normalised `..` in a standard scheme's path, but the handler must not depend on that:
 * every segment is checked again after percent-decoding, so `%2e%2e`, `%2f` and `%5c`
 * cannot smuggle a step out of the folder.
 */
export function resolveRendererPath(root: string, url: string): Resolution {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return refuse('not a URL');
  }
  if (u.protocol !== `${APP_SCHEME}:`) return refuse(`scheme ${u.protocol}`);
  if (u.host.toLowerCase() !== APP_HOST) return refuse(`host ${u.host || '(none)'}`);
  if (u.username || u.password || u.port) return refuse('credentials or port');
  const rawPath = u.pathname === '' || u.pathname === '/' ? '/index.html' : u.pathname;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return refuse('bad percent-encoding');
  }
  if (!decoded.startsWith('/')) return refuse('relative path');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
  if (/[\0-\x1f\x7f]/.test(decoded)) return refuse('control character');
  if (decoded.includes('\\')) return refuse('backslash');
  const segments = decoded.slice(1).split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') return refuse('empty or dot segment');
    // A drive letter or an alternate data stream on Windows.
    if (s.includes(':')) return refuse('colon in path');
  }
  const base = path.resolve(root);
  const file = path.resolve(base, ...segments);
  const rel = path.relative(base, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return refuse('outside the renderer folder');
  return { ok: true, file };
}

export interface RendererResponse {
  status: number;
  headers: Record<string, string>;
  /** null for HEAD and for errors without a body. */
  body: Buffer | null;
}

function errorResponse(status: number, text: string, head: boolean): RendererResponse {
  return {
    status,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
    body: head ? null : Buffer.from(text, 'utf8'),
  };
}

const inside = (dir: string, file: string): boolean => {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

/**
 * Answers one app:// request from the files under `root`. Only GET and HEAD; the real path
 * (after symlinks) must still be inside the real root, and must be a regular file.
 */
export async function serveRendererRequest(root: string, request: { url: string; method: string }): Promise<RendererResponse> {
  const method = request.method.toUpperCase();
  const head = method === 'HEAD';
  if (method !== 'GET' && !head) {
    const r = errorResponse(405, 'Method not allowed', false);
    return { ...r, headers: { ...r.headers, Allow: 'GET, HEAD' } };
  }
  const resolved = resolveRendererPath(root, request.url);
  if (!resolved.ok) return errorResponse(404, 'Not found', head);
  try {
    const [realRoot, realFile] = await Promise.all([fs.realpath(root), fs.realpath(resolved.file)]);
    if (!inside(realRoot, realFile)) return errorResponse(404, 'Not found', head);
    const st = await fs.stat(realFile);
    if (!st.isFile()) return errorResponse(404, 'Not found', head);
    const body = head ? null : await fs.readFile(realFile);
    return {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': mimeTypeFor(resolved.file), 'Content-Length': String(st.size) },
      body,
    };
  } catch {
    return errorResponse(404, 'Not found', head);
  }
}
