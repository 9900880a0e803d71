import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import type { AppConfig } from '../../../shared/config';

/**
 * One Redis connection from our settings: URL, TLS, Sentinel, and ioredis switched to "never
 * retry, never queue" because the supervisor (subscriber.ts) and the connection test
 * (connection-test.ts) decide themselves when to try again.
 */

export type RedisSettings = AppConfig['redis'];

export function channelList(settings: RedisSettings): string[] {
  const c = settings.channels;
  return [...new Set([c.matchUpdates, c.processorStatus, c.systemAlerts])];
}

/** Builds ioredis options for a short-lived or supervised connection from our settings. */
export function redisOptions(settings: RedisSettings, extra: Partial<RedisOptions> = {}): { url: string | null; options: RedisOptions } {
  const base: RedisOptions = {
    lazyConnect: true,
    // The supervisor retries; ioredis must not reconnect or queue commands on its own.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: true,
    autoResubscribe: false,
    autoResendUnfulfilledCommands: false,
    enableReadyCheck: false,
    connectTimeout: settings.connectTimeoutMs,
    keepAlive: 30_000,
    noDelay: true,
    ...extra,
  };
  const url = new URL(settings.url);
  const tlsWanted = url.protocol === 'rediss:';
  if (tlsWanted) {
    const ca = settings.tlsCaFile ? readFileSync(settings.tlsCaFile) : undefined;
    base.tls = { ...(ca ? { ca } : {}), servername: url.hostname };
  }
  if (settings.sentinels.length > 0) {
    const db = url.pathname.replace(/^\//, '');
    return {
      url: null,
      options: {
        ...base,
        sentinels: settings.sentinels.map((s) => ({ host: s.host, port: s.port })),
        name: settings.sentinelMasterName,
        ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
        ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
        ...(db ? { db: Number(db) } : {}),
        sentinelRetryStrategy: () => null,
        // Follow a failover even when the old master stays reachable (a graceful SENTINEL
        // FAILOVER, a partition): the sentinels' +switch-master drops this connection, and the
        // supervisor reconnects to the new master. Without it the subscription stayed on the
        // demoted node and reported "subscribed" while the new master's messages could be lost.
        failoverDetector: true,
        enableTLSForSentinelMode: tlsWanted,
      },
    };
  }
  return { url: settings.url, options: base };
}

export function createClient(settings: RedisSettings, extra: Partial<RedisOptions> = {}): Redis {
  const { url, options } = redisOptions(settings, extra);
  return url ? new Redis(url, options) : new Redis(options);
}

/** A command that gives up after `ms` (ioredis has no per-command timeout). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
