import type { DemoOptions } from './demo/demo-player';
import type { Bridge } from '../../shared/contract';
import type { MonitorEvent, Snapshot } from '../../shared/state';
import type { AppConfig } from '../../shared/config';
import type { FaultArea } from './containment';
import type { Logger } from './log';
import type { LiveStreamStats } from './http/live-stream';
import type { CalendarSink, SinkContext } from './sync/calendar-sink';

/**
 * The core as the shells see it (DESIGN: one core, two shells). The headless shell and the
 * Electron main process both call `createCore` (electron/core/index.ts) and then only use
 * this interface.
 */

/** Everything the renderer can ask for, minus the event stream; backs HTTP routes and IPC. */
export type BridgeHandlers = Omit<Bridge, 'kind' | 'subscribe'>;

/** Where secrets (Google tokens, the local API token) are kept: safeStorage or a 0600 file. */
export interface SecretStore {
  readonly kind: 'file' | 'safeStorage';
  /** A warning to show the user, e.g. "no keyring: secrets are stored unencrypted". */
  readonly warning: string | null;
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

export interface CoreOptions {
  /** `npm run demo`: play this recording instead of listening to Redis (marked as a demo everywhere). */
  demo?: DemoOptions;
  /** Defaults to FOGIS_MONITOR_DATA_DIR or the per-OS user data directory. */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  /** Defaults to a 0600 file store in the data directory. */
  secretStore?: SecretStore;
  /** Opens a URL in the user's browser (Google sign-in); headless logs the URL instead. */
  openExternal?: (url: string) => void;
  /** Start the local HTTP server (headless: yes; desktop: yes, for the monitoring routes). */
  http?: boolean;
  /** Directory with the built dashboard to serve at `/` (headless). */
  staticDir?: string | null;
  /** The monitor's clock; defaults to the system clock. */
  now?: () => Date;
  /** Builds the calendar sink instead of the configured backend (a test passes a failing one). */
  createSink?: (config: AppConfig, ctx: SinkContext) => CalendarSink;
}

export interface Core {
  start(): Promise<void>;
  /** Flushes state and closes everything; resolves within 2 s. */
  stop(): Promise<void>;
  snapshot(): Snapshot;
  readonly handlers: BridgeHandlers;
  onEvent(listener: (event: MonitorEvent) => void): () => void;
  /** `http://127.0.0.1:5003` once listening, else null. */
  httpBaseUrl(): string | null;
  /** The local server's access token (the `http-token` file); '' before start(). */
  accessToken(): string;
  /** Live-stream clients and their unsent bytes; null without the HTTP server. */
  liveStreamStats(): LiveStreamStats | null;
  readonly dataDir: string;
  /**
   * The last line of defence (containment.ts): count an exception that escaped a handler and
   * raise an alert. The shells route process-level errors here (installProcessGuards).
   */
  internalError(area: FaultArea, err: unknown): void;
}
