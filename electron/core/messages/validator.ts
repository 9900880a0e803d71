import { createRequire } from 'node:module';
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import { z } from 'zod';
import {
  matchUpdatesMessageSchema,
  processingStatusMessageSchema,
  systemAlertMessageSchema,
  type MatchUpdatesMessage,
  type MessageType,
  type ProcessingStatusMessage,
  type SystemAlertMessage,
} from '../../../shared/messages';

/**
 * Hot-path validation. The zod schemas in shared/ stay the single source of truth; for speed
 * each is emitted as JSON Schema and compiled once with Ajv (perf-anchors: a 1000-match
 * message validates in ~16 ms warm / 23 ms cold with Ajv vs 24 / 93 ms with zod 4). The zod
 * schema is consulted only after Ajv rejects, to word the error the user sees.
 */

interface Entry<T> {
  zod: z.ZodType<T>;
  ajv: ValidateFunction;
}

/**
 * Ajv is loaded when the first validator is compiled, not when this module is: the main
 * thread imports this module (the inline fallback, the gate's limits) but validates nothing
 * while the ingest worker runs, and loading Ajv cost it ~2 MB of idle RSS (issue 12). The
 * package is CommonJS, so a plain require loads it synchronously.
 */
let ajvInstance: Ajv2020 | null = null;
function ajv(): Ajv2020 {
  if (!ajvInstance) {
    const { Ajv2020: AjvClass } = createRequire(import.meta.url)('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
    ajvInstance = new AjvClass({ strict: false, allErrors: false, validateFormats: false });
  }
  return ajvInstance;
}

function compile<T>(schema: z.ZodType<T>): Entry<T> {
  return { zod: schema, ajv: ajv().compile(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })) };
}

interface Entries {
  match_updates: Entry<MatchUpdatesMessage>;
  processing_status: Entry<ProcessingStatusMessage>;
  system_alert: Entry<SystemAlertMessage>;
}

/**
 * Compiled per message type on first use: the main thread gates small status and alert
 * messages itself and needs the large match_updates schema only if a small list comes.
 */
const entries: Partial<Entries> = {};

function entryOf<K extends MessageType>(type: K): Entries[K] {
  const known = entries[type];
  if (known) return known;
  const compiled: Entries[MessageType] =
    type === 'match_updates' ? compile(matchUpdatesMessageSchema) : type === 'processing_status' ? compile(processingStatusMessageSchema) : compile(systemAlertMessageSchema);
  (entries as Record<MessageType, Entries[MessageType]>)[type] = compiled;
  return compiled as Entries[K];
}

/** Compile ahead of the first message (the worker at start), so the first message is not the slow one. */
export function warmValidators(): void {
  entryOf('match_updates');
  entryOf('processing_status');
  entryOf('system_alert');
  if (listParts === undefined) listParts = splitListSchema();
}

export type Validated =
  | { ok: true; type: 'match_updates'; message: MatchUpdatesMessage }
  | { ok: true; type: 'processing_status'; message: ProcessingStatusMessage }
  | { ok: true; type: 'system_alert'; message: SystemAlertMessage }
  | { ok: false; error: string };

type PathPart = string | number;

/** Copies `value` along `path`, replacing every array on the way by just the element on the path. */
function narrow(value: unknown, path: readonly string[]): { value: unknown; indices: Map<number, number> } {
  const indices = new Map<number, number>();
  const walk = (node: unknown, depth: number): unknown => {
    if (depth >= path.length) return node;
    const key = path[depth] as string;
    if (Array.isArray(node)) {
      const i = Number(key);
      if (!Number.isInteger(i) || i < 0 || i >= node.length) return node;
      indices.set(depth, i);
      return [walk(node[i], depth + 1)];
    }
    if (node !== null && typeof node === 'object' && Object.prototype.hasOwnProperty.call(node, key)) {
      const copy: Record<string, unknown> = { ...(node as Record<string, unknown>) };
      Object.defineProperty(copy, key, { value: walk((node as Record<string, unknown>)[key], depth + 1), enumerable: true, writable: true, configurable: true });
      return copy;
    }
    return node;
  };
  return { value: walk(value, 0), indices };
}

function describeNarrowed(schema: z.ZodType<unknown>, value: unknown, fallback: string, fn: ValidateFunction): string {
  const err = fn.errors?.[0];
  const path = err?.instancePath ? err.instancePath.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')) : [];
  const { value: small, indices } = narrow(value, path);
  const r = schema.safeParse(small);
  if (r.success) return fallback;
  const issue = r.error.issues[0];
  if (!issue) return fallback;
  const parts: PathPart[] = issue.path.map((p, i) => (typeof p === 'number' && indices.has(i) ? (indices.get(i) as number) : typeof p === 'symbol' ? String(p) : p));
  const where = parts.length ? parts.map(String).join('.') : '(message)';
  return `${where}: ${issue.message}`;
}

/**
 * Validates with Ajv; on failure words the error with zod. zod collects an issue for every
 * bad element, so a 100,000-element list of junk took 0.5–1.7 s and blocked reception: zod
 * therefore sees only the part of the message Ajv failed on (each list along Ajv's error path
 * cut down to the failing element), and the indices are put back into the path it reports.
 */
export function validateMessage(type: MessageType, value: object): Validated {
  switch (type) {
    case 'match_updates': {
      const e = entryOf(type);
      if (e.ajv(value)) return { ok: true, type, message: value as MatchUpdatesMessage };
      return { ok: false, error: describeNarrowed(e.zod, value, ajvText(e.ajv), e.ajv) };
    }
    case 'processing_status': {
      const e = entryOf(type);
      if (e.ajv(value)) return { ok: true, type, message: value as ProcessingStatusMessage };
      return { ok: false, error: describeNarrowed(e.zod, value, ajvText(e.ajv), e.ajv) };
    }
    case 'system_alert': {
      const e = entryOf(type);
      if (e.ajv(value)) return { ok: true, type, message: value as SystemAlertMessage };
      return { ok: false, error: describeNarrowed(e.zod, value, ajvText(e.ajv), e.ajv) };
    }
  }
}

/**
 * The match_updates schema in two parts, for validation in proportion to change: the message
 * with `payload.matches` items left open, and one match element alone. Null when the JSON
 * Schema does not have the expected shape (then every list is validated whole).
 */
let listParts: { envelope: ValidateFunction; element: ValidateFunction } | null | undefined;

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function splitListSchema(): { envelope: ValidateFunction; element: ValidateFunction } | null {
  const full = z.toJSONSchema(matchUpdatesMessageSchema, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  const payload = isObject(full.properties) ? full.properties.payload : undefined;
  const matches = isObject(payload) && isObject(payload.properties) ? payload.properties.matches : undefined;
  if (!isObject(payload) || !isObject(matches) || !isObject(matches.items) || '$defs' in full) return null;
  const envelope: JsonObject = {
    ...full,
    properties: { ...(full.properties as JsonObject), payload: { ...payload, properties: { ...(payload.properties as JsonObject), matches: { ...matches, items: {} } } } },
  };
  return { envelope: ajv().compile(envelope), element: ajv().compile({ ...matches.items, ...(typeof full.$schema === 'string' ? { $schema: full.$schema } : {}) }) };
}

/**
 * match_updates validated in proportion to change (issue 12): the message with its list left
 * open, then only the matches `known` does not vouch for (a match structurally equal to one of
 * the previous accepted list passed this same schema then). Anything that fails is handed to
 * `validateMessage` whole, so a rejection has exactly the verdict and the wording of today's
 * path; an acceptance here is one the whole-message validator gives too.
 */
export function validateMatchUpdatesKnown(value: object, known: (match: unknown) => boolean): Validated {
  if (listParts === undefined) listParts = splitListSchema();
  const parts = listParts;
  if (parts && parts.envelope(value)) {
    const matches = (value as { payload: { matches: unknown[] } }).payload.matches;
    let ok = true;
    for (let i = 0; i < matches.length; i++) {
      const m = matches[i];
      if (!known(m) && !parts.element(m)) {
        ok = false;
        break;
      }
    }
    if (ok) return { ok: true, type: 'match_updates', message: value as MatchUpdatesMessage };
  }
  return validateMessage('match_updates', value);
}

function ajvText(fn: ValidateFunction): string {
  const err = fn.errors?.[0];
  if (!err) return 'invalid message';
  // "/payload/matches/0" → "payload.matches.0", like the zod wording.
  const where = err.instancePath ? err.instancePath.slice(1).split('/').join('.') : '(message)';
  return `${where}: ${err.message ?? 'invalid'}`;
}
