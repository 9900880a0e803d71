import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SyncReport } from '../../../shared/api';
import type { AppConfig, EnvFixed } from '../../../shared/config';
import type { FogisMatch } from '../../../shared/messages';
import type { ConnectionInfo, Counters, MonitorEvent } from '../../../shared/state';
import type { Status } from '../../../shared/status';
import type { History } from '../../../shared/history';
import type { HttpMethod } from '../../../shared/contract-channels';
import type { BridgeHandlers } from '../core-api';
import type { LiveStream } from './live-stream';
import type { TextRef } from '../../../shared/text-ref';

/** What the local server needs from the core (electron/core/index.ts builds it). */
export interface HttpApp {
  handlers: BridgeHandlers;
  config(): AppConfig;
  /** Fields set by an environment variable (dotted path → variable). */
  envFixed(): EnvFixed;
  counters(): Counters;
  connection(): ConnectionInfo;
  onEvent(listener: (e: MonitorEvent) => void): () => void;
  /** The last line of defence: an exception that escaped a route handler (containment.ts). */
  internalError(area: 'http', err: unknown): void;
  snapshotEvent(): MonitorEvent;
  /** `/redis-restart`: true when subscribed again within the connect timeout. */
  restart(): Promise<{ ok: boolean; reason: string | null; errorCode?: TextRef }>;
  manualSync(matches: FogisMatch[]): Promise<SyncReport>;
  readIcs(): Promise<string | null>;
  /** The referee phonebook as vCard 3.0; null before the first match list. */
  readVcard(): Promise<string | null>;
  uptimeSeconds(): number;
  /** The one honest status (shared/status.ts), as the dashboard and the tray show it. */
  status(): Status;
  /** The last 7 days of the watch (shared/history.ts). */
  history(): History;
  version: string;
}

export type RouteHandler = (ctx: { req: IncomingMessage; res: ServerResponse; url: URL }) => Promise<void> | void;

/** Path → method → handler. HEAD is served by GET (server.ts). */
export type Routes = Record<string, Partial<Record<HttpMethod, RouteHandler>>>;

/** What the route builders get from the server. */
export interface RouteDeps {
  app: HttpApp;
  /** The body limit now (config http.maxBodyBytes, changeable at run time). */
  maxBody(): number;
  live: LiveStream;
}

export const nowIso = (): string => new Date().toISOString();

/** Joins route tables; one path may take methods from several, but a path+method only once. */
export function mergeRoutes(...tables: Routes[]): Routes {
  const out: Routes = {};
  for (const table of tables) {
    for (const [path, methods] of Object.entries(table)) {
      const into = (out[path] ??= {});
      for (const [method, fn] of Object.entries(methods) as [HttpMethod, RouteHandler][]) {
        if (into[method]) throw new Error(`[http] route ${method} ${path} is defined twice`);
        into[method] = fn;
      }
    }
  }
  return out;
}
