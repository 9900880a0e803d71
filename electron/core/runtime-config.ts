import type { AppConfig } from '../../shared/config';
import { passwordForms } from '../../shared/redis-url';
import { ConfigUpdater } from './config/config-updater';
import { saveConfigFile, type LoadedConfig } from './config/load-config';
import type { ContactsService } from './contacts/index';
import { probeListen } from './http/probe-listen';
import type { LocalServer } from './local-server';
import { registerSecret, type Logger } from './log';
import type { Monitor } from './monitor/monitor';
import type { SubscriberSupervisor } from './redis/subscriber';
import type { CoreSink } from './sink-factory';

/** Every written form of the password (raw, decoded, percent-encoded, JSON-escaped) is redacted from logs. */
export function registerUrlSecret(url: string): void {
  for (const form of passwordForms(url)) registerSecret(form);
}

export interface RunningParts {
  log: Logger;
  monitor: Monitor;
  sink: CoreSink;
  contacts: ContactsService;
  supervisor: SubscriberSupervisor;
  server: LocalServer;
  /** The last step: the core's own copy of the configuration. */
  setConfig(next: AppConfig): void;
}

/**
 * How a settings change reaches the running parts, in order: monitor, calendar, phonebook,
 * Redis, HTTP server, core. ConfigUpdater (config/config-updater.ts) makes it a transaction.
 */
export function createConfigUpdater(loaded: LoadedConfig, p: RunningParts): ConfigUpdater {
  return new ConfigUpdater(loaded, {
    log: p.log,
    save: saveConfigFile,
    beforeApply: (next) => registerUrlSecret(next.redis.url),
    steps: [
      { name: 'monitor', apply: (next) => p.monitor.updateConfig(next) },
      { name: 'calendar', apply: (next) => p.sink.updateConfig(next.calendar) },
      { name: 'contacts', apply: (next) => p.contacts.updateConfig(next) },
      { name: 'redis', apply: (next) => p.supervisor.updateSettings(next.redis) },
      {
        name: 'http',
        // A new address must be free before the change is accepted: moving to a taken port
        // would leave the app without its server.
        check: async (next, prev) => {
          if (!p.server.running || (next.http.host === prev.http.host && next.http.port === prev.http.port)) return null;
          const problem = await probeListen(next.http.host, next.http.port);
          return problem ? { path: next.http.port === prev.http.port ? 'http.host' : 'http.port', ...problem } : null;
        },
        apply: (next, prev) => {
          if (p.server.running && (prev.http.host !== next.http.host || prev.http.port !== next.http.port)) {
            // Answer on the old address first, then move.
            setTimeout(() => void p.server.move(prev.http, p.monitor), 200).unref();
          }
        },
      },
      { name: 'core', apply: (next) => p.setConfig(next) },
    ],
  });
}
