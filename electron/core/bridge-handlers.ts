import type { ActionResult } from '../../shared/api';
import type { AppConfig } from '../../shared/config';
import type { MonitorEvent } from '../../shared/state';
import { APP_VERSION } from './app-version';
import type { ConfigUpdater } from './config/config-updater';
import type { FaultReporter } from './containment';
import type { ContactsService } from './contacts/index';
import type { BridgeHandlers } from './core-api';
import type { DemoPlayer } from './demo/demo-player';
import type { HttpApp } from './http/server';
import type { Logger } from './log';
import { englishText } from './monitor/alert-book';
import type { Monitor } from './monitor/monitor';
import { testRedis } from './redis/connection-test';
import type { SubscriberSupervisor } from './redis/subscriber';
import type { CoreSink } from './sink-factory';
import { summarizeReport } from './sync/calendar-sink';

/** The running parts the handlers act on (built by createCore, core/index.ts). */
export interface CoreParts {
  log: Logger;
  /** The configuration in force. */
  config(): AppConfig;
  monitor: Monitor;
  sink: CoreSink;
  contacts: ContactsService;
  supervisor: SubscriberSupervisor;
  /** The demo player stands in for Redis (`npm run demo`). */
  demo: DemoPlayer | null;
  updater: ConfigUpdater;
  internalError: FaultReporter;
  /** Opens a URL in the user's browser (Google sign-in); headless logs it instead. */
  openExternal?: ((url: string) => void) | undefined;
}

const ok = (message: string): ActionResult => ({ success: true, message });

async function waitForSubscribed(supervisor: SubscriberSupervisor, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (supervisor.getStatus().subscribed) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return supervisor.getStatus().subscribed;
}

/** Every action of the Bridge (shared/api.ts), as IPC and the HTTP routes both call it. */
export function createBridgeHandlers(p: CoreParts): BridgeHandlers {
  const { monitor, sink, supervisor, demo, log } = p;
  return {
    getSnapshot: async () => monitor.snapshot(),
    getMessages: async (query) => monitor.messages(query),
    syncNow: () => sink.sync(null),
    confirmDeletions: () => sink.confirmDeletions(),
    confirmTakeover: async () => {
      if (sink.confirmTakeover) return sink.confirmTakeover();
      const counts = { inserted: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0, held: 0 };
      return { success: false, ...counts, summary: summarizeReport(counts), error: 'no calendar takeover is waiting for confirmation' };
    },
    restartSubscription: async () => {
      if (demo) return { success: false, message: 'The demo plays a recording: there is no Redis to reconnect to', error: 'demo' };
      if (!p.config().redis.enabled) return { success: false, message: 'Redis is disabled' };
      await supervisor.restart();
      const up = await waitForSubscribed(supervisor, p.config().redis.connectTimeoutMs + 1000);
      return up ? ok('Redis subscription restarted') : { success: false, message: 'Failed to restart subscription', error: supervisor.getStatus().reason ?? undefined };
    },
    testConnection: () => testRedis(p.config().redis),
    acknowledgeAlerts: async (body) => {
      const n = monitor.acknowledgeAlerts('all' in body ? 'all' : body.ids);
      return ok(`${n} acknowledged`);
    },
    setPaused: async (paused) => {
      if (demo) return { success: false, error: 'demo' };
      await supervisor.setPaused(paused);
      return ok(paused ? 'paused' : 'resumed');
    },
    muteNotifications: async (until) => {
      monitor.setMutedUntil(until);
      return ok(until ? `notifications muted until ${until}` : 'notifications on');
    },
    updateConfig: (patch) => p.updater.update(patch),
    googleSignIn: async () => {
      if (!sink.googleSignIn) return { success: false, error: 'Google Calendar is not selected; set the calendar backend to google first' };
      // The browser flow can take minutes; answer once it is under way (or failed at once,
      // e.g. no credentials.json), and let the calendar state report the outcome.
      const flow = sink.googleSignIn(p.openExternal ?? ((url) => log.info('google', `open this address in a browser to sign in: ${url}`)));
      const early = await Promise.race([flow, new Promise<null>((r) => setTimeout(() => r(null), 1500).unref())]);
      if (early) return early;
      void flow.then((r) => {
        if (!r.success) {
          const text = { key: 'appAlert.googleSignIn', params: { error: r.error ?? r.message ?? '?' } };
          monitor.raiseAppAlert({ alertType: 'google_sign_in', severity: 'warning', message: englishText(text), text });
        }
      });
      return { success: true, message: 'Sign-in started: finish it in the browser window that opened' };
    },
    getContacts: async () => p.contacts.contacts(),
    googleSignOut: async () => {
      if (!sink.googleSignOut) return { success: false, error: 'Google Calendar is not selected' };
      return sink.googleSignOut();
    },
  };
}

/** What the local HTTP server reads and calls beyond the Bridge (the Python-compatible routes, files). */
export function createHttpApp(p: CoreParts, handlers: BridgeHandlers): HttpApp {
  const { monitor, sink } = p;
  return {
    handlers,
    version: APP_VERSION,
    config: p.config,
    envFixed: () => p.updater.envFixed,
    counters: () => monitor.getCounters(),
    connection: () => monitor.connectionInfo(),
    onEvent: (l) => monitor.onEvent(l),
    internalError: p.internalError,
    snapshotEvent: (): MonitorEvent => ({ kind: 'snapshot', snapshot: monitor.snapshot() }),
    uptimeSeconds: () => monitor.snapshot().uptimeSeconds,
    status: () => monitor.status(),
    history: () => monitor.watchTimeline(),
    restart: async () => {
      const r = await handlers.restartSubscription();
      return { ok: r.success, reason: r.error ?? null };
    },
    manualSync: async (matches) => {
      monitor.manualMatches(matches);
      return sink.sync(matches);
    },
    readVcard: () => p.contacts.readVcard(),
    readIcs: async () => (sink.readIcs ? sink.readIcs() : null),
  };
}
