import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ackAlertsBodySchema, configPatchSchema, IPC, messagesQuerySchema, muteBodySchema, pauseBodySchema, type ConfigUpdateResult } from '../../shared/api';
import type { BridgeHandlers } from '../core/core-api';
import { errorText, type Logger } from '../core/log';
import { APP_SCHEME } from './renderer-files';

/**
 * Main-side IPC (security checklist item 17, VS Code's validatedIpcMain): every handler
 * first checks that the call comes from our own page, then parses its input with the
 * shared schema, and only then reaches the core. The wire shapes are the HTTP bodies, so
 * the same schemas guard both transports.
 */

export type IpcMethod = Exclude<keyof typeof IPC, 'event'>;

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

const noArgs = z.tuple([]);

/** Input schema per channel, as an argument tuple. */
export const IPC_INPUT = {
  getSnapshot: noArgs,
  getMessages: z.union([noArgs, z.tuple([messagesQuerySchema])]),
  syncNow: noArgs,
  confirmDeletions: noArgs,
  confirmTakeover: noArgs,
  restartSubscription: noArgs,
  testConnection: noArgs,
  acknowledgeAlerts: z.tuple([ackAlertsBodySchema]),
  setPaused: z.tuple([pauseBodySchema]),
  muteNotifications: z.tuple([muteBodySchema]),
  updateConfig: z.tuple([configPatchSchema]),
  googleSignIn: noArgs,
  googleSignOut: noArgs,
  getContacts: noArgs,
} as const satisfies Record<IpcMethod, z.ZodType>;

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
  after?: Partial<{ [K in IpcMethod]: (input: z.infer<(typeof IPC_INPUT)[K]>, result: unknown) => void | Promise<void> }>;
}

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>;

/** Builds the validated handler for one channel; exported so tests can call it directly. */
export function makeHandler<K extends IpcMethod>(method: K, opts: RegisterIpcOptions): Handler {
  const channel = IPC[method];
  const schema = IPC_INPUT[method] as z.ZodType<unknown[]>;
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
      if (method === 'updateConfig') {
        const result: ConfigUpdateResult = {
          success: false,
          error,
          errors: parsed.error.issues.map((i) => ({ path: i.path.slice(1).join('.'), message: i.message })),
        };
        return result;
      }
      if (method === 'acknowledgeAlerts' || method === 'setPaused' || method === 'muteNotifications') return { success: false, error };
      // The read-only and no-argument calls have no error value in their result type.
      throw new Error(error);
    }
    const input = parsed.data;
    const h = opts.handlers;
    let result: unknown;
    switch (method) {
      case 'acknowledgeAlerts':
        result = await h.acknowledgeAlerts(IPC_INPUT.acknowledgeAlerts.parse(input)[0]);
        break;
      case 'setPaused':
        result = await h.setPaused(IPC_INPUT.setPaused.parse(input)[0].paused);
        break;
      case 'muteNotifications':
        result = await h.muteNotifications(IPC_INPUT.muteNotifications.parse(input)[0].until);
        break;
      case 'updateConfig':
        result = await h.updateConfig(IPC_INPUT.updateConfig.parse(input)[0]);
        break;
      case 'getMessages':
        result = await h.getMessages(IPC_INPUT.getMessages.parse(input)[0]);
        break;
      default:
        result = await (h[method as Exclude<IpcMethod, 'acknowledgeAlerts' | 'setPaused' | 'muteNotifications' | 'updateConfig' | 'getMessages'>] as () => Promise<unknown>)();
    }
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

export const IPC_METHODS = Object.keys(IPC_INPUT) as IpcMethod[];

/** Registers every channel; returns a function that removes them again. */
export function registerIpc(opts: RegisterIpcOptions): () => void {
  for (const method of IPC_METHODS) ipcMain.handle(IPC[method], makeHandler(method, opts));
  return () => {
    for (const method of IPC_METHODS) ipcMain.removeHandler(IPC[method]);
  };
}
