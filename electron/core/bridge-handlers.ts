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
import { failure } from '../../shared/text-ref';

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
      return { success: false, ...counts, summary: summarizeReport(counts), error: 'no calendar takeover is waiting for confirmation', errorCode: failure('noTakeover') };
    },
    restartSubscription: async () => {
      if (demo) return { success: false, message: 'The demo plays a recording: there is no Redis to reconnect to', error: 'demo', errorCode: failure('demo') };
      if (!p.config().redis.enabled) return { success: false, message: 'Redis is disabled', errorCode: failure('redisDisabled') };
      await supervisor.restart();
      const waitMs = p.config().redis.connectTimeoutMs + 1000;
      const up = await waitForSubscribed(supervisor, waitMs);
      if (up) return ok('Redis subscription restarted');
      // Why it is still down, in the user's language (the connection reason), else how long we waited.
      const st = supervisor.getStatus();
      return { success: false, message: 'Failed to restart subscription', error: st.reason ?? undefined, errorCode: st.reasonCode ?? failure('restartFailed', { ms: waitMs }) };
    },
    testConnection: () => testRedis(p.config().redis),
    acknowledgeAlerts: async (body) => {
      const n = monitor.acknowledgeAlerts('all' in body ? 'all' : body.ids);
      return ok(`${n} acknowledged`);
    },
    setPaused: async (paused) => {
      if (demo) return { success: false, error: 'demo', errorCode: failure('demo') };
      await supervisor.setPaused(paused);
      return ok(paused ? 'paused' : 'resumed');
    },
    muteNotifications: async (until) => {
      monitor.setMutedUntil(until);
      return ok(until ? `notifications muted until ${until}` : 'notifications on');
    },
    updateConfig: (patch) => p.updater.update(patch),
    googleSignIn: async () => {
      if (!sink.googleSignIn) return { success: false, error: 'Google Calendar is not selected; set the calendar backend to google first', errorCode: failure('notGoogle') };
      // The browser flow can take minutes; answer once it is under way (or failed at once,
      // e.g. no credentials.json), and let the calendar state report the outcome.
      const flow = sink.googleSignIn(p.openExternal ?? ((url) => log.info('google', `open this address in a browser to sign in: ${url}`)));
      const early = await Promise.race([flow, new Promise<null>((r) => setTimeout(() => r(null), 1500).unref())]);
      // Finished within the wait (the browser answered at once): say so, not "started".
      if (early) return early.success ? { ...early, text: { key: 'settings.google.signedInNote', params: {} } } : early;
      void flow.then((r) => {
        if (!r.success) {
          const text = { key: 'appAlert.googleSignIn', params: { error: r.error ?? r.message ?? '?' } };
          // The alert says the coded reason in the user's language when there is one.
          monitor.raiseAppAlert({ alertType: 'google_sign_in', severity: 'warning', message: englishText(text), text: r.errorCode ?? text });
        }
      });
      return { success: true, message: 'Sign-in started: finish it in the browser window that opened' };
    },
    getContacts: async () => p.contacts.contacts(),
    googleSignOut: async () => {
      if (!sink.googleSignOut) return { success: false, error: 'Google Calendar is not selected', errorCode: failure('notGoogle') };
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
    uptimeSeconds: () => monitor.uptimeSeconds(),
    status: () => monitor.status(),
    history: () => monitor.watchTimeline(),
    restart: async () => {
      const r = await handlers.restartSubscription();
      return { ok: r.success, reason: r.error ?? null, ...(r.errorCode ? { errorCode: r.errorCode } : {}) };
    },
    manualSync: async (matches) => {
      monitor.manualMatches(matches);
      return sink.sync(matches);
    },
    readVcard: () => p.contacts.readVcard(),
    readIcs: async () => (sink.readIcs ? sink.readIcs() : null),
  };
}
