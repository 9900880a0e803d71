import type { ActionResult, ConfigUpdateResult } from '../../shared/api';
import type { AppConfig, ConfigPatch } from '../../shared/config';
import { maskRedisUrl } from '../../shared/config';
import { passwordForms } from '../../shared/redis-url';
import type { MonitorEvent, Snapshot } from '../../shared/state';
import { ConfigUpdater } from './config/config-updater';
import { envFixedOf, loadConfig, saveConfigFile } from './config/load-config';
import { probeListen } from './http/probe-listen';
import type { BridgeHandlers, Core, CoreOptions } from './core-api';
import { MonitorHttpServer } from './http/server';
import { createConsoleLogger, errorText, registerSecret, type Logger } from './log';
import { warmValidators } from './messages/validator';
import { APP_VERSION } from './app-version';
import { englishText } from './monitor/alert-book';
import { Monitor } from './monitor/monitor';
import type { TextRef } from '../../shared/text-ref';
import { testRedis } from './redis/connection-test';
import { SubscriberSupervisor } from './redis/subscriber';
import { DemoPlayer } from './demo/demo-player';
import { loadOrCreateToken } from './store/access-token';
import { secureDataDir } from './store/data-dir';
import type { CalendarSink, SinkContext } from './sync/calendar-sink';
import { summarizeReport } from './sync/calendar-sink';
import { createSinkFor } from './sink-factory';
import { contained, type FaultReporter } from './containment';
import { ContactsService } from './contacts/index';
import type { GoogleAuth } from './sync/google-auth';

export { ConfigError } from './config/load-config';
export type { Core, CoreOptions } from './core-api';
export { installProcessGuards, type FaultArea } from './containment';

/** Every written form of the password (raw, decoded, percent-encoded, JSON-escaped) is redacted from logs. */
function registerUrlSecret(url: string): void {
  for (const form of passwordForms(url)) registerSecret(form);
}

/**
 * Builds the Electron-free core: config, monitor, subscriber supervisor, calendar sink and
 * (optionally) the local HTTP server. Throws ConfigError for invalid configuration.
 */
export async function createCore(opts: CoreOptions = {}): Promise<Core> {
  const env = opts.env ?? process.env;
  const log: Logger = opts.log ?? createConsoleLogger();
  const loaded = await loadConfig(env, opts.dataDir);
  const dataDir = loaded.dataDir;
  registerUrlSecret(loaded.config.redis.url);
  let config: AppConfig = loaded.config;

  let storageProblem: TextRef | null = null;
  try {
    await secureDataDir(dataDir, log);
  } catch (err) {
    storageProblem = { key: 'appAlert.dataDir', params: { dir: dataDir, error: errorText(err) } };
    log.error('store', englishText(storageProblem));
  }

  let httpServer: MonitorHttpServer | null = null;
  const baseUrl = (): string => {
    const a = httpServer?.address;
    if (!a) return `http://127.0.0.1:${config.http.port}`;
    const host = a.host === '0.0.0.0' || a.host === '::' ? '127.0.0.1' : a.host.includes(':') ? `[${a.host}]` : a.host;
    return `http://${host}:${a.port}`;
  };

  // The monitor is created after the sink, but the sink's alerts go to the monitor.
  let monitorRef: Monitor | null = null;
  const internalError: FaultReporter = (area, err) => {
    if (monitorRef) monitorRef.internalError(area, err);
    else log.error('app', `internal error in ${area}: ${errorText(err)}`);
  };
  const sinkContext: SinkContext = {
    dataDir,
    log,
    raiseAlert: (a) => monitorRef?.raiseAppAlert(a),
    resolveAlerts: (t) => monitorRef?.resolveAppAlerts(t),
    publicBaseUrl: baseUrl,
    internalError,
  };
  const sink: CalendarSink = opts.createSink ? opts.createSink(config, sinkContext) : createSinkFor(config, sinkContext, opts);
  const sharedAuth = (sink as CalendarSink & { googleAuth?: () => GoogleAuth }).googleAuth?.() ?? null;
  const peopleRoot = env.FOGIS_GOOGLE_PEOPLE_API_ROOT ?? env.FOGIS_GOOGLE_API_ROOT;
  const contacts = new ContactsService(config, {
    dataDir,
    log,
    raiseAlert: (a) => monitorRef?.raiseAppAlert(a),
    auth: sharedAuth,
    ...(peopleRoot ? { peopleRootUrl: peopleRoot } : {}),
    ...(opts.now ? { now: () => (opts.now as () => Date)().getTime() } : {}),
  });
  const monitor = new Monitor(config, { log, dataDir, sink, contacts, envFixed: envFixedOf(loaded), demo: opts.demo !== undefined, ...(opts.now ? { now: opts.now } : {}) });
  monitorRef = monitor;
  await monitor.restore(dataDir);
  if (storageProblem) monitor.raiseAppAlert({ alertType: 'storage', severity: 'error', message: englishText(storageProblem), text: storageProblem });
  if (opts.secretStore?.warning) monitor.raiseAppAlert({ alertType: 'secret_store', severity: 'warning', message: opts.secretStore.warning });

  const supervisor = new SubscriberSupervisor(
    config.redis,
    {
      // The last line of defence on the Redis path: whatever a message does, the reader goes on.
      onMessage: (channel, payload) => contained(internalError, 'redis', () => monitor.ingest(channel, payload), undefined),
      onStatus: (s) => contained(internalError, 'redis', () => monitor.setConnection(s), undefined),
      onGap: (at) => contained(internalError, 'redis', () => monitor.onGap(at), undefined),
      onSubscribed: () => undefined,
    },
    log,
  );
  monitor.setConnection(supervisor.getStatus());
  // The demo stands in for Redis: the recording goes through the same ingest path.
  const demo = opts.demo ? new DemoPlayer(opts.demo, monitor, () => config, log) : null;

  let token = '';
  let mutedUntil: string | null = null;

  const waitForSubscribed = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (supervisor.getStatus().subscribed) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return supervisor.getStatus().subscribed;
  };

  const updater = new ConfigUpdater(loaded, {
    log,
    save: saveConfigFile,
    beforeApply: (next) => registerUrlSecret(next.redis.url),
    steps: [
      { name: 'monitor', apply: (next) => monitor.updateConfig(next) },
      { name: 'calendar', apply: (next) => sink.updateConfig(next.calendar) },
      { name: 'contacts', apply: (next) => contacts.updateConfig(next) },
      { name: 'redis', apply: (next) => supervisor.updateSettings(next.redis) },
      {
        name: 'http',
        // A new address must be free before the change is accepted: moving to a taken port
        // would leave the app without its server.
        check: async (next, prev) => {
          if (!httpServer || (next.http.host === prev.http.host && next.http.port === prev.http.port)) return null;
          const problem = await probeListen(next.http.host, next.http.port);
          return problem ? { path: next.http.port === prev.http.port ? 'http.host' : 'http.port', message: problem } : null;
        },
        apply: (next, prev) => {
          if (httpServer && (prev.http.host !== next.http.host || prev.http.port !== next.http.port)) {
            // Answer on the old address first, then move.
            setTimeout(() => void moveHttp(prev.http), 200).unref();
          }
        },
      },
      {
        name: 'core',
        apply: (next) => {
          config = next;
        },
      },
    ],
  });
  const updateConfig = (patch: ConfigPatch): Promise<ConfigUpdateResult> => updater.update(patch);

  const moveHttp = async (from: AppConfig['http']): Promise<void> => {
    if (!httpServer) return;
    await httpServer.close();
    try {
      await httpServer.listen(config.http.host, config.http.port);
    } catch (err) {
      // Taken since the check: stay reachable where we were.
      log.error('http', errorText(err));
      const text = { key: 'appAlert.http', params: { error: errorText(err) } };
      monitor.raiseAppAlert({ alertType: 'http', severity: 'error', message: englishText(text), text });
      await httpServer.listen(from.host, from.port).catch((e: unknown) => log.error('http', `cannot listen again on ${from.host}:${from.port}: ${errorText(e)}`));
    }
  };

  const ok = (message: string): ActionResult => ({ success: true, message });

  const handlers: BridgeHandlers = {
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
      if (!config.redis.enabled) return { success: false, message: 'Redis is disabled' };
      await supervisor.restart();
      const up = await waitForSubscribed(config.redis.connectTimeoutMs + 1000);
      return up ? ok('Redis subscription restarted') : { success: false, message: 'Failed to restart subscription', error: supervisor.getStatus().reason ?? undefined };
    },
    testConnection: () => testRedis(config.redis),
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
      mutedUntil = until;
      monitor.setMutedUntil(until);
      return ok(until ? `notifications muted until ${until}` : 'notifications on');
    },
    updateConfig,
    googleSignIn: async () => {
      const s = sink as CalendarSink & { googleSignIn?: (open: (url: string) => void) => Promise<ActionResult> };
      if (!s.googleSignIn) return { success: false, error: 'Google Calendar is not selected; set the calendar backend to google first' };
      // The browser flow can take minutes; answer once it is under way (or failed at once,
      // e.g. no credentials.json), and let the calendar state report the outcome.
      const flow = s.googleSignIn(opts.openExternal ?? ((url) => log.info('google', `open this address in a browser to sign in: ${url}`)));
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
    getContacts: async () => contacts.contacts(),
    googleSignOut: async () => {
      const s = sink as CalendarSink & { googleSignOut?: () => Promise<ActionResult> };
      if (!s.googleSignOut) return { success: false, error: 'Google Calendar is not selected' };
      return s.googleSignOut();
    },
  };

  const snapshotEvent = (): MonitorEvent => ({ kind: 'snapshot', snapshot: monitor.snapshot() });

  const core: Core & { mutedUntil(): string | null } = {
    dataDir,
    handlers,
    mutedUntil: () => mutedUntil,
    snapshot: (): Snapshot => monitor.snapshot(),
    onEvent: (l) => monitor.onEvent(l),
    internalError,
    httpBaseUrl: () => (httpServer?.address ? baseUrl() : null),
    accessToken: () => token,
    liveStreamStats: () => httpServer?.liveStats() ?? null,
    async start() {
      warmValidators();
      try {
        token = await loadOrCreateToken(dataDir);
      } catch (err) {
        log.error('store', `cannot save the access token: ${errorText(err)}`);
        token = (await import('node:crypto')).randomBytes(32).toString('base64url');
        registerSecret(token);
      }
      await sink.start();
      await contacts.start();
      if (opts.http !== false) {
        httpServer = new MonitorHttpServer({
          log,
          token,
          staticDir: opts.staticDir ?? null,
          app: {
            handlers,
            version: APP_VERSION,
            config: () => config,
            envFixed: () => updater.envFixed,
            counters: () => monitor.getCounters(),
            connection: () => monitor.connectionInfo(),
            onEvent: (l) => monitor.onEvent(l),
            internalError,
            snapshotEvent,
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
            readVcard: () => contacts.readVcard(),
            readIcs: async () => {
              const s = sink as CalendarSink & { readIcs?: () => Promise<string | null> };
              return s.readIcs ? s.readIcs() : null;
            },
          },
        });
        await httpServer.listen(config.http.host, config.http.port);
        const what = opts.staticDir ? 'dashboard' : 'monitoring API (dashboard not built: run npm run build)';
        log.announce?.('http', `${what}: ${baseUrl()}/?token=${token} (the token lets anyone change settings: keep this address private)`);
      }
      log.info('app', `FOGIS Monitor ${APP_VERSION}; data in ${dataDir}; Redis ${demo ? 'not used (demo)' : maskRedisUrl(config.redis.url)}`);
      if (demo) await demo.start();
      else supervisor.start();
    },
    async stop() {
      const deadline = new Promise<void>((r) => setTimeout(r, 1500).unref());
      await Promise.race([
        (async () => {
          demo?.stop();
          await supervisor.stop('app_stopping');
          await httpServer?.close();
          await sink.stop();
          await contacts.stop();
          await monitor.flush();
          monitor.dispose();
        })(),
        deadline,
      ]);
    },
  };
  return core;
}
