import type { IncomingMessage, ServerResponse } from 'node:http';
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


export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(text);
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

export function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new HttpError(400, `Invalid request: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
}

