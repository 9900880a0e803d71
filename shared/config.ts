import { z } from 'zod';

/**
 * The one configuration schema (DESIGN rule 1). Defaults live here; the loader in
 * electron/core/config merges defaults < config file < environment variables and parses
 * the result with this schema. The renderer's settings form validates with it too.
 */

const REDIS_URL_RE = /^rediss?:\/\//i;

export const redisUrlSchema = z
  .string()
  .trim()
  .min(1, 'Redis address is required')
  .refine((v) => {
    if (!REDIS_URL_RE.test(v)) return false;
    try {
      const u = new URL(v);
      if (!u.hostname) return false;
      const db = u.pathname.replace(/^\//, '');
      return db === '' || /^\d+$/.test(db);
    } catch {
      return false;
    }
  }, 'expected redis://[user:password@]host[:port][/db] or rediss:// for TLS');

const channelSchema = z
  .string()
  .trim()
  .min(1, 'channel name must not be empty')
  .max(256, 'channel name is too long')
  .refine((v) => !/[*?[\]\s]/.test(v), 'channel name must not contain spaces or * ? [ ]');

const sentinelSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
});

export const configSchema = z.object({
  redis: z
    .object({
      /** @default redis://localhost:6379 */
      url: redisUrlSchema.default('redis://localhost:6379'),
      /** Master gate for the subscription. @default true */
      enabled: z.boolean().default(true),
      channels: z
        .object({
          matchUpdates: channelSchema.default('fogis:matches:updates'),
          processorStatus: channelSchema.default('fogis:processor:status'),
          systemAlerts: channelSchema.default('fogis:system:alerts'),
        })
        .prefault({}),
      /** First reconnect delay. */
      backoffInitialMs: z.number().int().min(50).max(60_000).default(500),
      /** Reconnect delay cap (issue: 30 s, configurable). */
      backoffMaxMs: z.number().int().min(500).max(600_000).default(30_000),
      /** PING on the subscriber connection every this many ms (never a read timeout, spec §7 #126). */
      pingIntervalMs: z.number().int().min(200).max(120_000).default(5_000),
      /** A PING unanswered for this long means the connection is dead. */
      pingTimeoutMs: z.number().int().min(200).max(120_000).default(5_000),
      /** Connect + SUBSCRIBE must finish within this time. */
      connectTimeoutMs: z.number().int().min(200).max(120_000).default(8_000),
      /** Messages larger than this are rejected unread. 16 MiB. */
      maxMessageBytes: z.number().int().min(1024).max(512 * 1024 * 1024).default(16 * 1024 * 1024),
      /** PEM file with the CA that signs the server's TLS certificate (rediss://). */
      tlsCaFile: z.string().default(''),
      /** Sentinel mode: when non-empty, `url` supplies only password/db/TLS. */
      sentinels: z.array(sentinelSchema).default([]),
      sentinelMasterName: z.string().default('mymaster'),
    })
    .prefault({}),
  http: z
    .object({
      /** @default 127.0.0.1 */
      host: z.string().trim().min(1).default('127.0.0.1'),
      /** @default 5003 */
      port: z.number().int().min(0).max(65535).default(5003),
      /** Request bodies larger than this get 413. */
      maxBodyBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(32 * 1024 * 1024),
      /**
       * Compatibility for scripts written for the Python service: `POST /manual-sync` without
       * the access token, from loopback only. Off by default (any local program could then
       * write the calendar).
       */
      openManualSync: z.boolean().default(false),
    })
    .prefault({}),
  calendar: z
    .object({
      backend: z.enum(['ics', 'google']).default('ics'),
      calendarId: z.string().trim().min(1).default('primary'),
      syncTag: z.string().trim().min(1).default('FOGIS_CALENDAR_SYNC'),
      matchDurationMinutes: z.number().int().min(15).max(600).default(120),
      keepCancelled: z.boolean().default(false),
      /** Hold back a list that would delete more than this share of known matches. */
      maxDeleteFraction: z.number().min(0).max(1).default(0.5),
      timeZone: z.string().default('Europe/Stockholm'),
    })
    .prefault({}),
  ui: z
    .object({
      language: z.enum(['auto', 'sv', 'en']).default('auto'),
      notifyMinSeverity: z.enum(['info', 'warning', 'error']).default('warning'),
      startAtLogin: z.boolean().default(false),
    })
    .prefault({}),
  contacts: z
    .object({
      /** The coordinator's own FOGIS referee number, left out of the phonebook (spec §5.7, §7 #42). */
      ownRefereeNumber: z
        .string()
        .trim()
        .max(32, 'referee number is too long')
        .refine((v) => v === '' || /^[0-9A-Za-z-]+$/.test(v), 'expected a FOGIS referee number (digits)')
        .default(''),
      /** Keep the referees in Google Contacts too (opt-in; needs the contacts permission). */
      googleSync: z.boolean().default(false),
    })
    .prefault({}),
  limits: z
    .object({
      messageLog: z.number().int().min(10).max(100_000).default(5_000),
      rejectedLog: z.number().int().min(10).max(10_000).default(200),
      alertLog: z.number().int().min(10).max(10_000).default(500),
      duplicateWindow: z.number().int().min(10).max(1_000_000).default(10_000),
      changeHistory: z.number().int().min(10).max(100_000).default(1_000),
    })
    .prefault({}),
});

export type AppConfig = z.infer<typeof configSchema>;
export type AppConfigInput = z.input<typeof configSchema>;

/**
 * Strips defaults (and prefaults) recursively and makes every key optional, so a partial
 * update names only what the user changed; `.partial()` alone would fill in every default.
 */
function patchOf(schema: z.ZodType): z.ZodType {
  let inner: z.ZodType = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault) inner = inner.unwrap() as z.ZodType;
  if (inner instanceof z.ZodObject) {
    const shape: Record<string, z.ZodType> = {};
    for (const [k, v] of Object.entries(inner.shape as Record<string, z.ZodType>)) shape[k] = patchOf(v).optional();
    return z.object(shape).strict();
  }
  return inner;
}

/** A partial update as the settings form or `PUT /api/config` sends it. */
export const configPatchSchema = patchOf(configSchema) as z.ZodType<DeepPartial<AppConfig>>;
type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
export type ConfigPatch = z.infer<typeof configPatchSchema>;

/** How each environment variable maps to a config path; README's table is generated from this. */
export interface EnvSetting {
  env: string;
  path: readonly string[];
  kind: 'string' | 'boolean' | 'int' | 'number' | 'sentinels';
  description: string;
  secret?: boolean;
}

export const ENV_SETTINGS: readonly EnvSetting[] = [
  { env: 'REDIS_URL', path: ['redis', 'url'], kind: 'string', secret: true, description: 'Redis address: redis:// or rediss:// (TLS), optional user:password@ and /db' },
  { env: 'REDIS_PUBSUB_ENABLED', path: ['redis', 'enabled'], kind: 'boolean', description: 'Listen to Redis at all (true/false/1/0/yes/no)' },
  { env: 'REDIS_MATCH_UPDATES_CHANNEL', path: ['redis', 'channels', 'matchUpdates'], kind: 'string', description: 'Channel with the full match lists' },
  { env: 'REDIS_PROCESSOR_STATUS_CHANNEL', path: ['redis', 'channels', 'processorStatus'], kind: 'string', description: 'Channel with processing cycles' },
  { env: 'REDIS_SYSTEM_ALERTS_CHANNEL', path: ['redis', 'channels', 'systemAlerts'], kind: 'string', description: 'Channel with system alerts' },
  { env: 'REDIS_BACKOFF_INITIAL_MS', path: ['redis', 'backoffInitialMs'], kind: 'int', description: 'First reconnect delay (ms)' },
  { env: 'REDIS_BACKOFF_MAX_MS', path: ['redis', 'backoffMaxMs'], kind: 'int', description: 'Longest reconnect delay (ms)' },
  { env: 'REDIS_PING_INTERVAL_MS', path: ['redis', 'pingIntervalMs'], kind: 'int', description: 'Health PING interval on the subscription (ms)' },
  { env: 'REDIS_PING_TIMEOUT_MS', path: ['redis', 'pingTimeoutMs'], kind: 'int', description: 'PING answer deadline before reconnecting (ms)' },
  { env: 'REDIS_CONNECT_TIMEOUT_MS', path: ['redis', 'connectTimeoutMs'], kind: 'int', description: 'Connect + subscribe deadline (ms)' },
  { env: 'REDIS_MAX_MESSAGE_BYTES', path: ['redis', 'maxMessageBytes'], kind: 'int', description: 'Largest accepted message (bytes)' },
  { env: 'REDIS_TLS_CA_FILE', path: ['redis', 'tlsCaFile'], kind: 'string', description: 'CA certificate (PEM) for rediss://' },
  { env: 'REDIS_SENTINELS', path: ['redis', 'sentinels'], kind: 'sentinels', description: 'Sentinels as host:port,host:port (empty: no Sentinel)' },
  { env: 'REDIS_SENTINEL_MASTER', path: ['redis', 'sentinelMasterName'], kind: 'string', description: 'Sentinel master name' },
  { env: 'MONITOR_HTTP_HOST', path: ['http', 'host'], kind: 'string', description: 'Address of the local monitoring server' },
  { env: 'MONITOR_HTTP_PORT', path: ['http', 'port'], kind: 'int', description: 'Port of the local monitoring server' },
  { env: 'MONITOR_HTTP_MAX_BODY_BYTES', path: ['http', 'maxBodyBytes'], kind: 'int', description: 'Largest accepted request body (bytes)' },
  { env: 'MONITOR_OPEN_MANUAL_SYNC', path: ['http', 'openManualSync'], kind: 'boolean', description: 'Let local scripts call POST /manual-sync without the access token (loopback only; for scripts written for the Python service)' },
  { env: 'CALENDAR_BACKEND', path: ['calendar', 'backend'], kind: 'string', description: 'ics (a calendar file, default) or google' },
  { env: 'CALENDAR_ID', path: ['calendar', 'calendarId'], kind: 'string', description: 'Google calendar to write to' },
  { env: 'SYNC_TAG', path: ['calendar', 'syncTag'], kind: 'string', description: 'Tag on our events (shared with the Python service)' },
  { env: 'MATCH_DURATION_MINUTES', path: ['calendar', 'matchDurationMinutes'], kind: 'int', description: 'Event length in minutes' },
  { env: 'CALENDAR_KEEP_CANCELLED', path: ['calendar', 'keepCancelled'], kind: 'boolean', description: 'Keep cancelled matches, marked INSTÄLLD, instead of deleting them' },
  { env: 'CALENDAR_MAX_DELETE_FRACTION', path: ['calendar', 'maxDeleteFraction'], kind: 'number', description: 'Hold back lists that delete more than this share of matches' },
  { env: 'USER_REFEREE_NUMBER', path: ['contacts', 'ownRefereeNumber'], kind: 'string', description: 'Your own FOGIS referee number: left out of the phonebook' },
  { env: 'CONTACTS_GOOGLE_SYNC', path: ['contacts', 'googleSync'], kind: 'boolean', description: 'Keep the referees in Google Contacts (needs Google sign-in with the contacts permission)' },
  { env: 'FOGIS_MONITOR_LANGUAGE', path: ['ui', 'language'], kind: 'string', description: 'auto, sv or en' },
  { env: 'FOGIS_MONITOR_NOTIFY_MIN_SEVERITY', path: ['ui', 'notifyMinSeverity'], kind: 'string', description: 'Lowest alert severity that raises a notification' },
];

/**
 * Masks the password of a Redis URL: redis://:****@host:6379. Any scheme, so that a URL
 * rejected for its scheme (http://user:pw@…) is masked in the error message too.
 */
export function maskRedisUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    if (colon === -1) return `${scheme}****@`;
    return `${scheme}${userinfo.slice(0, colon)}:****@`;
  });
}

export function maskConfig(config: AppConfig): AppConfig {
  return { ...config, redis: { ...config.redis, url: maskRedisUrl(config.redis.url) } };
}
