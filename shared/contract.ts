import { z } from 'zod';
import {
  ackAlertsBodySchema,
  actionResultSchema,
  configPatchSchema,
  configUpdateResultSchema,
  messagesQuerySchema,
  messagesResponseSchema,
  muteBodySchema,
  pauseBodySchema,
  redisTestResultSchema,
  syncReportSchema,
  type ActionResult,
  type ConfigUpdateResult,
  type FieldError,
  type RedisTestResult,
  type SyncReport,
} from './api';
import { contactsResponseSchema } from './contacts';
import { failure, type TextRef } from './text-ref';
import { snapshotSchema, type MonitorEvent } from './state';
import { OPS, type OpName } from './contract-channels';

/**
 * The contract table: every operation the renderer can ask for, once, with its input and
 * output schemas. Its zod-free half (channel, wire argument, HTTP route, token) is
 * shared/contract-channels.ts, so the sandboxed preload stays small. Derived from the two:
 * the Bridge type below, the IPC handlers (electron/desktop/ipc.ts), the preload allow-list
 * (electron/preload.ts), the `/api/*` routes (electron/core/http/dashboard-routes.ts) and
 * both renderer bridges (renderer/src/bridge/{ipc,http}.ts). An operation added here without
 * a core handler, or without a row in either half, does not compile.
 *
 * Decision (issue 11): the desktop renderer keeps IPC; the browser dashboard uses HTTP + SSE.
 * RedisInsight's way (HTTP for both, IPC only for desktop actions) would put the local API
 * token into the renderer, and the desktop window would go blank whenever the HTTP port is
 * taken (another monitor, the Python service on 5003) or the server is turned off. IPC
 * needs no port and no token, and main checks each call's sender frame (VS Code's
 * validatedIpcMain). The cost of two transports is what this table removes: both are
 * generated from it, so they cannot drift apart.
 */

/**
 * Failures the bridges build when the host's answer is not the expected body (a proxy's 502
 * page) or refused without saying why in the user's language; `errorCode` is what the page
 * says (shared/text-ref.ts `fail.*`), `error` the host's English.
 */
const coded = (errorCode?: TextRef): { errorCode?: TextRef } => (errorCode ? { errorCode } : {});

export const failedAction = (error: string, errorCode?: TextRef): ActionResult => ({ success: false, error, ...coded(errorCode) });

export const failedSync = (error: string, errorCode?: TextRef): SyncReport => ({
  success: false,
  inserted: 0,
  updated: 0,
  deleted: 0,
  unchanged: 0,
  failed: 0,
  held: 0,
  summary: error,
  error,
  ...coded(errorCode),
});

export const failedTest = (error: string, errorCode?: TextRef): RedisTestResult => ({
  success: false,
  ping_ms: null,
  pubsub_roundtrip_ms: null,
  error,
  ...coded(errorCode),
});

export const failedConfig = (error: string, errors: FieldError[] = [], errorCode?: TextRef): ConfigUpdateResult => ({ success: false, error, errors, ...coded(errorCode) });

interface OpExtras<O extends z.ZodType> {
  /**
   * What a write resolves with when the host's answer is unusable: the Bridge resolves with
   * `success:false` for every failure, it rejects only when the host cannot be reached.
   * Reads have none: they reject.
   */
  readonly fail?: (error: string, errorCode?: TextRef) => z.output<O>;
  /**
   * The answer to input that fails the schema, for operations whose result can say so (the
   * others reject over IPC and answer 400 over HTTP). `errors` name the fields.
   */
  readonly refuse?: (detail: string, errors: FieldError[]) => z.output<O>;
}

interface OpSchemas<I extends z.ZodType | null, O extends z.ZodType> extends OpExtras<O> {
  /** The wire value (IPC argument, HTTP body or query); null when the operation takes none. */
  readonly input: I;
  readonly output: O;
}

/** One row; its failures are checked against its output. */
function op<I extends z.ZodType | null, O extends z.ZodType, E extends OpExtras<O> = Record<never, never>>(input: I, output: O, extra?: E): { readonly input: I; readonly output: O } & E {
  return { input, output, ...(extra as E) };
}

/** A row has input exactly when its wire argument says so, and every write can fail as a value. */
type RowFor<K extends OpName> = OpSchemas<(typeof OPS)[K]['arg'] extends 'none' ? null : z.ZodType, z.ZodType> &
  ((typeof OPS)[K]['http']['method'] extends 'GET' ? unknown : { readonly fail: (error: string, errorCode?: TextRef) => unknown });

const refuseAction = (detail: string): ActionResult => failedAction(detail, failure('invalidRequest', { detail }));

export const CONTRACT = {
  getSnapshot: op(null, snapshotSchema),
  getMessages: op(messagesQuerySchema, messagesResponseSchema),
  syncNow: op(null, syncReportSchema, { fail: failedSync }),
  confirmDeletions: op(null, syncReportSchema, { fail: failedSync }),
  confirmTakeover: op(null, syncReportSchema, { fail: failedSync }),
  restartSubscription: op(null, actionResultSchema, { fail: failedAction }),
  testConnection: op(null, redisTestResultSchema, { fail: failedTest }),
  acknowledgeAlerts: op(ackAlertsBodySchema, actionResultSchema, { fail: failedAction, refuse: refuseAction }),
  setPaused: op(pauseBodySchema, actionResultSchema, { fail: failedAction, refuse: refuseAction }),
  muteNotifications: op(muteBodySchema, actionResultSchema, { fail: failedAction, refuse: refuseAction }),
  // The field errors carry the detail; the HTTP answer has said 'Invalid settings' since the start.
  updateConfig: op(configPatchSchema, configUpdateResultSchema, { fail: (error: string, errorCode?: TextRef) => failedConfig(error, [], errorCode), refuse: (_detail: string, errors: FieldError[]) => failedConfig('Invalid settings', errors, failure('invalidSettings')) }),
  googleSignIn: op(null, actionResultSchema, { fail: failedAction }),
  googleSignOut: op(null, actionResultSchema, { fail: failedAction }),
  getContacts: op(null, contactsResponseSchema),
} satisfies { readonly [K in OpName]: RowFor<K> };

type Row<K extends OpName> = (typeof CONTRACT)[K];

/** The parsed wire value of an operation (never for the ones without input). */
export type InputOf<K extends OpName> = Row<K>['input'] extends z.ZodType ? z.output<Row<K>['input']> : never;
export type OutputOf<K extends OpName> = z.output<Row<K>['output']>;

/** The Bridge method's parameters, from the table's wire argument. */
export type ArgsOf<K extends OpName> = (typeof OPS)[K]['arg'] extends 'none'
  ? []
  : (typeof OPS)[K]['arg'] extends 'optional'
    ? [query?: InputOf<K>]
    : (typeof OPS)[K]['arg'] extends 'body'
      ? [body: InputOf<K>]
      : (typeof OPS)[K]['arg'] extends { readonly field: infer F extends keyof InputOf<K> }
        ? [value: InputOf<K>[F]]
        : never;

/** The wire values of a call as main receives them (an argument tuple). */
export type WireOf<K extends OpName> = (typeof OPS)[K]['arg'] extends 'none' ? [] : (typeof OPS)[K]['arg'] extends 'optional' ? [] | [InputOf<K>] : [InputOf<K>];

/** One function per operation: what the core implements and both transports carry. */
export type ContractMethods = { [K in OpName]: (...args: ArgsOf<K>) => Promise<OutputOf<K>> };

/**
 * What the renderer can do, whoever hosts it (DESIGN: one Bridge, IPC or HTTP+SSE).
 * Every method resolves (errors are values: `success:false`), it never rejects for an
 * answer the server gave; it rejects only when the host cannot be reached.
 */
export interface Bridge extends ContractMethods {
  readonly kind: 'ipc' | 'http' | 'memory';
  /** Live events; returns an unsubscribe function. `onLink` reports the stream's health. */
  subscribe(onEvent: (event: MonitorEvent) => void, onLink?: (up: boolean) => void): () => void;
}

/**
 * What electron/preload.ts exposes as `window.fogis` through contextBridge: one function per
 * operation (an IPC invoke on its channel) and an event registrar.
 */
export type FogisPreloadApi = ContractMethods & {
  /** Registers a listener for `IPC.event`; returns the function that removes it. */
  onEvent(listener: (event: MonitorEvent) => void): () => void;
};

/** A row seen without its operation's types, for the code that serves every row alike. */
export interface AnyRow {
  readonly input: z.ZodType | null;
  readonly output: z.ZodType;
  readonly fail?: (error: string, errorCode?: TextRef) => unknown;
  readonly refuse?: (detail: string, errors: FieldError[]) => unknown;
}

export function rowOf(name: OpName): AnyRow {
  return CONTRACT[name];
}

/** The IPC argument tuple of an operation, checked by main before the core sees it. */
export function wireSchema(name: OpName): z.ZodType<unknown[]> {
  const input = rowOf(name).input;
  const arg = OPS[name].arg;
  if (input === null) return z.tuple([]);
  if (arg === 'optional') return z.union([z.tuple([]), z.tuple([input])]);
  return z.tuple([input]);
}

export { OPS, OP_NAMES, IPC, EVENT_CHANNEL, toWire, fromWire, perOp, type OpName } from './contract-channels';
