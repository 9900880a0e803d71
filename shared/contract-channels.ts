/**
 * The zod-free half of the contract table (shared/contract.ts holds the schemas): for every
 * Bridge operation its IPC channel, how its arguments travel, its HTTP route and whether that
 * route needs the access token. The sandboxed preload bundles this file and nothing else of
 * ours, so it imports nothing: no zod, no schemas (scripts/build-electron.mjs).
 */

/**
 * How a Bridge method's arguments become the one wire value (the IPC argument, the HTTP body
 * or query), the same for both transports:
 * - `none`: no argument, nothing on the wire;
 * - `body`: the one argument is the body;
 * - `optional`: the body may be left out (nothing on the wire then);
 * - `{ field }`: the one argument is the value of that field, sent as `{ [field]: value }`.
 */
export type WireArg = 'none' | 'body' | 'optional' | { readonly field: string };

export type HttpMethod = 'GET' | 'POST' | 'PUT';

export interface OpRoute {
  readonly method: HttpMethod;
  readonly path: string;
  /**
   * The Python service's route (spec §4) with its own keys and status codes: written by hand
   * in electron/core/http/python-routes.ts; the table only points at it.
   */
  readonly seed?: true;
  /** The status of an answer with `success:false` (GET answers are always 200). */
  readonly failStatus?: 400 | 500;
}

export interface OpChannels {
  /** IPC channel (area:verb): the allow-list the preload and main both use. */
  readonly channel: string;
  readonly arg: WireArg;
  readonly http: OpRoute;
  /**
   * Needs the access token on a loopback server (beyond loopback every route does): every
   * write does (issue 9), except the two the Python verification commands send as written.
   */
  readonly token: boolean;
}

export const OPS = {
  getSnapshot: { channel: 'state:get', arg: 'none', http: { method: 'GET', path: '/api/state' }, token: false },
  /** A page of the message log, newest first by page (default: the newest page). */
  getMessages: { channel: 'messages:get', arg: 'optional', http: { method: 'GET', path: '/api/messages' }, token: false },
  syncNow: { channel: 'sync:now', arg: 'none', http: { method: 'POST', path: '/api/sync', failStatus: 500 }, token: true },
  confirmDeletions: { channel: 'sync:confirm-deletions', arg: 'none', http: { method: 'POST', path: '/api/deletions/confirm', failStatus: 500 }, token: true },
  /** Take over a calendar that already held FOGIS events, exactly as `calendar.takeover` previews (issue 10 §2). */
  confirmTakeover: { channel: 'sync:confirm-takeover', arg: 'none', http: { method: 'POST', path: '/api/calendar/takeover/confirm', failStatus: 500 }, token: true },
  restartSubscription: { channel: 'redis:restart', arg: 'none', http: { method: 'POST', path: '/redis-restart', seed: true }, token: false },
  /** `/redis-test` keeps the Python service's body: the timings sit in `test_results`. */
  testConnection: { channel: 'redis:test', arg: 'none', http: { method: 'POST', path: '/redis-test', seed: true }, token: false },
  acknowledgeAlerts: { channel: 'alerts:ack', arg: 'body', http: { method: 'POST', path: '/api/alerts/ack', failStatus: 400 }, token: true },
  setPaused: { channel: 'redis:pause', arg: { field: 'paused' }, http: { method: 'POST', path: '/api/pause', failStatus: 400 }, token: true },
  muteNotifications: { channel: 'notifications:mute', arg: { field: 'until' }, http: { method: 'POST', path: '/api/notifications/mute', failStatus: 400 }, token: true },
  updateConfig: { channel: 'config:update', arg: 'body', http: { method: 'PUT', path: '/api/config', failStatus: 400 }, token: true },
  googleSignIn: { channel: 'google:sign-in', arg: 'none', http: { method: 'POST', path: '/api/google/signin', failStatus: 400 }, token: true },
  googleSignOut: { channel: 'google:sign-out', arg: 'none', http: { method: 'POST', path: '/api/google/signout', failStatus: 400 }, token: true },
  /** The referee phonebook. */
  getContacts: { channel: 'contacts:get', arg: 'none', http: { method: 'GET', path: '/api/contacts' }, token: false },
} as const satisfies Record<string, OpChannels>;

export type OpName = keyof typeof OPS;

export const OP_NAMES = Object.keys(OPS) as OpName[];

/** Main → renderer live events (not an operation: nothing is asked, nothing answered). */
export const EVENT_CHANNEL = 'monitor:event';

/** IPC channel names by operation, plus the event channel. */
export const IPC = {
  ...(Object.fromEntries(OP_NAMES.map((name) => [name, OPS[name].channel])) as { readonly [K in OpName]: (typeof OPS)[K]['channel'] }),
  event: EVENT_CHANNEL,
} as const;

/** The wire values for a call with these arguments (none, or the one body). */
export function toWire(arg: WireArg, args: readonly unknown[]): unknown[] {
  if (arg === 'none') return [];
  if (arg === 'body') return [args[0]];
  if (arg === 'optional') return args[0] === undefined ? [] : [args[0]];
  return [{ [arg.field]: args[0] }];
}

/** The Bridge method's arguments from a parsed wire value (the inverse of `toWire`). */
export function fromWire(arg: WireArg, body: unknown): unknown[] {
  if (arg === 'none') return [];
  if (typeof arg === 'object') return [(body as Record<string, unknown>)[arg.field]];
  return [body];
}

/**
 * One object with a function per operation, as `make` builds it. The one place where the
 * per-operation types are asserted: callers type `make`'s result through the table.
 */
export function perOp<T>(make: (name: OpName) => unknown): T {
  return Object.fromEntries(OP_NAMES.map((name) => [name, make(name)])) as T;
}
