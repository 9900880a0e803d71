import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../shared/config';
import { maskRedisUrl } from '../../shared/config';
import type { TextRef } from '../../shared/text-ref';
import { APP_VERSION } from './app-version';
import { createBridgeHandlers, createHttpApp } from './bridge-handlers';
import { envFixedOf, loadConfig } from './config/load-config';
import { contained, type FaultReporter } from './containment';
import { ContactsService } from './contacts/index';
import type { Core, CoreOptions } from './core-api';
import { DemoPlayer } from './demo/demo-player';
import { LocalServer } from './local-server';
import { createConsoleLogger, errorText, registerSecret, type Logger } from './log';
import { englishText } from './monitor/alert-book';
import { Monitor } from './monitor/monitor';
import { SubscriberSupervisor } from './redis/subscriber';
import { createConfigUpdater, registerUrlSecret } from './runtime-config';
import { createSinkFor, type CoreSink } from './sink-factory';
import { loadOrCreateToken } from './store/access-token';
import { secureDataDir } from './store/data-dir';
import type { SinkContext } from './sync/calendar-sink';

export { ConfigError } from './config/load-config';
export type { Core, CoreOptions } from './core-api';

/**
 * Builds the Electron-free core: config, monitor, subscriber supervisor, calendar sink,
 * phonebook and (optionally) the local HTTP server, and wires them. The actions live in
 * bridge-handlers.ts, settings changes in runtime-config.ts. Throws ConfigError for invalid
 * configuration.
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

  const server = new LocalServer(log, () => config.http);
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
    publicBaseUrl: () => server.baseUrl(),
    internalError,
  };
  const sink: CoreSink = opts.createSink ? opts.createSink(config, sinkContext) : createSinkFor(config, sinkContext, env, opts.secretStore);
  const peopleRoot = env.FOGIS_GOOGLE_PEOPLE_API_ROOT ?? env.FOGIS_GOOGLE_API_ROOT;
  const contacts = new ContactsService(config, {
    dataDir,
    log,
    raiseAlert: (a) => monitorRef?.raiseAppAlert(a),
    auth: sink.googleAuth?.() ?? null,
    ...(peopleRoot ? { peopleRootUrl: peopleRoot } : {}),
    ...(opts.now ? { now: () => (opts.now as () => Date)().getTime() } : {}),
  });
  // Messages are parsed, validated and diffed on the ingest worker thread (electron/core/ingest);
  // when it has too much waiting, the subscriber stops reading its socket until it catches up.
  let supervisorRef: SubscriberSupervisor | null = null;
  const monitor = new Monitor(config, {
    log,
    dataDir,
    sink,
    contacts,
    envFixed: envFixedOf(loaded),
    demo: opts.demo !== undefined,
    ingestWorker: true,
    onIngestPressure: (paused) => supervisorRef?.setReadPaused(paused),
    ...(opts.now ? { now: opts.now } : {}),
  });
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
    },
    log,
  );
  supervisorRef = supervisor;
  monitor.setConnection(supervisor.getStatus());
  // The demo stands in for Redis: the recording goes through the same ingest path.
  const demo = opts.demo ? new DemoPlayer(opts.demo, monitor, () => config, log) : null;

  const updater = createConfigUpdater(loaded, { log, monitor, sink, contacts, supervisor, server, setConfig: (next) => (config = next) });
  const parts = { log, config: () => config, monitor, sink, contacts, supervisor, demo, updater, internalError, openExternal: opts.openExternal };
  const handlers = createBridgeHandlers(parts);
  let token = '';

  return {
    dataDir,
    handlers,
    snapshot: () => monitor.snapshot(),
    onEvent: (l) => monitor.onEvent(l),
    internalError,
    httpBaseUrl: () => server.listeningUrl(),
    accessToken: () => token,
    liveStreamStats: () => server.liveStats(),
    async start() {
      // Validators are compiled on first use (issue 12, idle RSS): the ingest worker's when the
      // first list starts it, the main thread's small-message gate's (status, alert: ~100 ms
      // once) with the first such message. This waits only for a worker already started.
      await monitor.ingestReady();
      try {
        token = await loadOrCreateToken(dataDir);
      } catch (err) {
        log.error('store', `cannot save the access token: ${errorText(err)}`);
        token = randomBytes(32).toString('base64url');
        registerSecret(token);
      }
      await sink.start();
      await contacts.start();
      if (opts.http !== false) await server.start(createHttpApp(parts, handlers), token, opts.staticDir ?? null);
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
          // What was received is applied before the state is saved.
          await monitor.ingestIdle();
          await server.close();
          await sink.stop();
          await contacts.stop();
          await monitor.flush();
          monitor.dispose();
        })(),
        deadline,
      ]);
    },
  };
}
