import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzip } from 'node:zlib';
import type { z } from 'zod';
import { MAX_DEPTH } from '../messages/parse-message';
import { nestingDepthBytes } from '../messages/raw-scan';

/** Request bodies in, JSON answers out: the helpers every route shares. */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}


/**
 * JSON answers of at least this many bytes are gzipped for a client that accepts it: the
 * dashboard's /api/state with 1,000 matches is ~2.1 MB as text and ~80 KB gzipped (issue 12:
 * opening a dashboard ≤ 500 KB). Smaller answers fit a packet or two and are sent as they are.
 */
export const GZIP_MIN_BYTES = 8 * 1024;

/**
 * Whether an Accept-Encoding header lets us answer with gzip (RFC 9110 §12.5.3): `gzip` or
 * `x-gzip` with q > 0, or `*` with q > 0 when gzip is not named. Brotli is not offered:
 * browsers ask for it only over HTTPS, and this server speaks plain HTTP on loopback.
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  let star = false;
  for (const part of text.split(',')) {
    const [name = '', ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    const ok = Number.isFinite(q) && q > 0;
    if (name === 'gzip' || name === 'x-gzip') return ok;
    if (name === '*') star = ok;
  }
  return star;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  const head = {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    Vary: 'Accept-Encoding',
    ...headers,
  };
  const plain = (): void => {
    res.writeHead(status, { ...head, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  if (text.length < GZIP_MIN_BYTES || !acceptsGzip(res.req?.headers['accept-encoding'])) {
    plain();
    return;
  }
  // zlib's thread pool does the compressing (~7 ms for 2 MB): the event loop only waits for it.
  gzip(text, (err, zipped) => {
    if (res.destroyed || res.headersSent) return;
    if (err) {
      plain();
      return;
    }
    res.writeHead(status, { ...head, 'Content-Encoding': 'gzip', 'Content-Length': zipped.length });
    res.end(zipped);
  });
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > maxBytes) throw new HttpError(413, `Request body too large (limit ${maxBytes} bytes)`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBytes) throw new HttpError(413, `Request body too large (limit ${maxBytes} bytes)`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function requireJsonType(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'Content-Type must be application/json');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a JSON body; `undefined` for an empty body. */
export async function jsonBody(req: IncomingMessage, maxBytes: number, allowEmpty: boolean): Promise<unknown> {
  const buf = await readBody(req, maxBytes);
  if (buf.length === 0) {
    if (allowEmpty) return undefined;
    throw new HttpError(400, 'Missing JSON data in request');
  }
  requireJsonType(req);
  let text: string;
  try {
    // JSON bodies are UTF-8 (RFC 8259); invalid bytes are refused, not silently replaced (as on Redis).
    text = strictUtf8.decode(buf);
  } catch {
    throw new HttpError(400, 'Request body is not valid UTF-8');
  }
  // As for Redis messages: a body nested thousands deep parses, then overflows the stack
  // wherever it is copied or saved (it made /manual-sync fail with a 500 half-way through).
  if (nestingDepthBytes(buf, MAX_DEPTH) > MAX_DEPTH) throw new HttpError(400, `Request body is nested more than ${MAX_DEPTH} levels deep`);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON');
  }
}

/** The first problem of a refused body, as `path: message` (`body` when it is the whole body). */
export function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`;
}

