import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { fileURLToPath } from 'node:url';
import { type z } from 'zod';
import { fromWire, IPC, OP_NAMES, OPS, perOp, rowOf, wireSchema, type OpName, type OutputOf, type WireOf } from '../../shared/contract';
import type { BridgeHandlers } from '../core/core-api';
import { errorText, type Logger } from '../core/log';
import { APP_SCHEME } from './renderer-files';

/**
 * Main-side IPC (security checklist item 17, VS Code's validatedIpcMain): every handler
 * first checks that the call comes from our own page, then parses its input with the
 * shared schema, and only then reaches the core. Channels, schemas and the answer to invalid
 * input come from the contract table (shared/contract.ts); the wire shapes are the HTTP
 * bodies, so the same schemas guard both transports.
 */

export type IpcMethod = OpName;

/**
 * The page the app loads. The packaged page is app://renderer/index.html (app-protocol.ts):
 * compared by scheme, host and path, because Node gives a custom scheme the origin "null".
 * A file:// page has the opaque origin "null" too, so it is compared by exact path. A dev
 * server (http) is compared by origin.
 */
export function isTrustedSenderUrl(senderUrl: string | null | undefined, appUrl: string): boolean {
  if (!senderUrl) return false;
  let sender: URL;
  let app: URL;
  try {
    sender = new URL(senderUrl);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (app.protocol === `${APP_SCHEME}:`) {
    return sender.protocol === app.protocol && sender.host === app.host && sender.pathname === app.pathname && !sender.username && !sender.port;
  }
  if (app.protocol === 'file:') {
    if (sender.protocol !== 'file:' || sender.host !== app.host) return false;
    try {
      return fileURLToPath(sender) === fileURLToPath(app);
    } catch {
      return false;
    }
  }
  return sender.origin === app.origin && sender.origin !== 'null';
}

/** Input schema per channel, as an argument tuple (derived from the contract table). */
export const IPC_INPUT = perOp<{ readonly [K in IpcMethod]: z.ZodType<WireOf<K>> }>((name) => wireSchema(name));

export class ForbiddenSenderError extends Error {
  constructor(channel: string, url: string | null) {
    super(`IPC ${channel} refused: sender ${url ?? '(no frame)'} is not the app's own page`);
    this.name = 'ForbiddenSenderError';
  }
}

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`).join('; ');
}

export interface RegisterIpcOptions {
  handlers: BridgeHandlers;
  /** app://renderer/index.html, or a dev server URL. */
  appUrl: string;
  log: Logger;
  /** Desktop side effects after the core accepted a call (mute, start at login …). */
  after?: Partial<{ [K in IpcMethod]: (input: WireOf<K>, result: OutputOf<K>) => void | Promise<void> }>;
}

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>;

/** Builds the validated handler for one channel; exported so tests can call it directly. */
export function makeHandler<K extends IpcMethod>(method: K, opts: RegisterIpcOptions): Handler {
  const channel = IPC[method];
  const schema = IPC_INPUT[method] as z.ZodType<unknown[]>;
  const row = rowOf(method);
  // The table types each handler; called generically here, with input its schema just parsed.
  const call = opts.handlers[method] as (...args: unknown[]) => Promise<unknown>;
  return async (event, ...args) => {
    const url = event.senderFrame?.url ?? null;
    // A subframe could be any document; only the top frame is ours.
    const isTop = event.senderFrame ? event.senderFrame.parent === null : false;
    if (!isTop || !isTrustedSenderUrl(url, opts.appUrl)) {
      opts.log.warn('desktop', `[ipc] refused ${channel} from ${url ?? '(no frame)'}`);
      throw new ForbiddenSenderError(channel, url);
    }
    const parsed = schema.safeParse(args);
    if (!parsed.success) {
      const error = `invalid ${channel} request: ${issuesText(parsed.error)}`;
      opts.log.warn('desktop', `[ipc] ${error}`);
      // The read-only and no-argument calls have no error value in their result type.
      if (!row.refuse) throw new Error(error);
      return row.refuse(error, parsed.error.issues.map((i) => ({ path: i.path.slice(1).join('.'), message: i.message })));
    }
    const input = parsed.data;
    const result = await call.call(opts.handlers, ...fromWire(OPS[method].arg, input[0]));
    const after = opts.after?.[method] as ((i: unknown, r: unknown) => void | Promise<void>) | undefined;
    if (after) {
      try {
        await after(input, result);
      } catch (err) {
        opts.log.warn('desktop', `[ipc] after ${channel}: ${errorText(err)}`);
      }
    }
    return result;
  };
}

export const IPC_METHODS: readonly IpcMethod[] = OP_NAMES;

/** Registers every channel; returns a function that removes them again. */
export function registerIpc(opts: RegisterIpcOptions): () => void {
  for (const method of IPC_METHODS) ipcMain.handle(IPC[method], makeHandler(method, opts));
  return () => {
    for (const method of IPC_METHODS) ipcMain.removeHandler(IPC[method]);
  };
}
