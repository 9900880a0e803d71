import { z } from 'zod';
import { isHostName, isIpv6, maskRedisUrl, redisUrlProblem } from './redis-url';
import type { FieldErrorCode } from './field-error-codes';

export { maskRedisUrl } from './redis-url';

/**
 * The one configuration schema (DESIGN rule 1). Defaults live here; the loader in
 * electron/core/config merges defaults < config file < environment variables and parses
 * the result with this schema. The renderer's settings form validates with it too.
 */

/** Characters no setting may contain: C0/C1 controls, DEL, line separators, bidi and BOM. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;
const CONTROL_CHARS_G = new RegExp(CONTROL_CHARS.source, 'g');

/**
 * Custom issues carry `params.text`, a stable id the renderer translates (`err.<id>`); the
 * message is the English text the loader, the API and the logs show. Every message is plain
 * words: never zod's own wording (issue 14.9).
 */
function custom(ctx: z.RefinementCtx, text: FieldErrorCode, message: string, path?: PropertyKey[]): void {
  ctx.addIssue({ code: 'custom', message, params: { text }, ...(path ? { path } : {}) });
}

const NO_CONTROL = 'must not contain control characters (line breaks, tabs, NUL and the like)';

/** Text without control characters, trimmed, within a length. */
function text(opts: { min?: number; max: number; empty?: string }) {
  let s = z
    .string({ error: 'must be text' })
    .superRefine((v, ctx) => {
      if (CONTROL_CHARS.test(v)) custom(ctx, 'controlChars', NO_CONTROL);
    })
    .trim()
    .max(opts.max, { error: `is too long (at most ${opts.max} characters)` });
  if (opts.min) s = s.min(opts.min, { error: opts.empty ?? 'must not be empty' });
  return s;
}

function int(min: number, max: number) {
  return z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` });
}

const bool = () => z.boolean({ error: 'must be true or false' });

/** Unknown keys as the user sent them, but never a flood: 10 keys of 64 characters, controls shown as ?. */
function keyList(keys: readonly string[]): string {
  const shown = keys.slice(0, 10).map((k) => (k.length > 64 ? `${k.slice(0, 64)}…` : k).replace(CONTROL_CHARS_G, '?'));
  return keys.length > 10 ? `${shown.join(', ')} and ${keys.length - 10} more` : shown.join(', ');
}

/** Objects refuse unknown keys: a misspelt setting is an error, never silently ignored. */
function group<S extends z.ZodRawShape>(shape: S) {
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown setting(s): ${keyList(iss.keys)}` : 'must be a group of settings ({ … })'),
  });
}

export const redisUrlSchema = text({ min: 1, max: 2048, empty: 'Redis address is required' }).superRefine((v, ctx) => {
  const problem = redisUrlProblem(v);
  if (problem) custom(ctx, problem.id, problem.message);
});

const channelSchema = text({ min: 1, max: 256, empty: 'channel name must not be empty' }).refine((v) => !/[*?[\]\s]/.test(v), {
  error: 'channel name must not contain spaces or * ? [ ]',
});

/** A host name, IPv4 or IPv6 address (no brackets, no port). */
const hostSchema = text({ min: 1, max: 253 }).superRefine((v, ctx) => {
  if (v !== '' && !isHostName(v) && !isIpv6(v)) custom(ctx, 'hostName', 'must be a host name or IP address (letters, digits, . - _ or an IPv6 address)');
});

/**
 * A time zone the running JavaScript engine knows, written as its IANA name. A misspelt zone
 * used to be accepted and then crashed the process on every match list (issue 9 finding 1).
 */
export function timeZoneProblem(zone: string): string | null {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return 'is not a known time zone; use an IANA name such as Europe/Stockholm';
  }
  // Intl also takes "europe/stockholm" and "+01:00", which calendar apps do not read as a TZID.
  if (!/^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/.test(zone)) {
    return resolved.toLowerCase() === zone.toLowerCase() ? `must be written ${resolved}` : 'is not a known time zone; use an IANA name such as Europe/Stockholm';
  }
  return null;
}

const timeZoneSchema = text({ min: 1, max: 64 }).superRefine((v, ctx) => {
  const p = v === '' ? null : timeZoneProblem(v);
  if (p) custom(ctx, 'timeZone', p);
});

const sentinelSchema = group({
  host: hostSchema,
  port: int(1, 65535),
});

const redisSchema = group({
  /** @default redis://localhost:6379 */
  url: redisUrlSchema.default('redis://localhost:6379'),
  /** Master gate for the subscription. @default true */
  enabled: bool().default(true),
  channels: group({
    matchUpdates: channelSchema.default('fogis:matches:updates'),
    processorStatus: channelSchema.default('fogis:processor:status'),
    systemAlerts: channelSchema.default('fogis:system:alerts'),
  })
    .superRefine((c, ctx) => {
      // Messages are told apart by their channel; two kinds on one channel cannot be.
      const seen = new Map<string, string>();
      for (const [key, name] of Object.entries(c)) {
        const other = seen.get(name);
        if (other) custom(ctx, 'channelsDistinct', `must differ from the ${other} channel`, [key]);
        else seen.set(name, key);
      }
    })
    .prefault({}),
  /** First reconnect delay. */
  backoffInitialMs: int(50, 60_000).default(500),
  /** Reconnect delay cap (issue: 30 s, configurable). */
  backoffMaxMs: int(500, 600_000).default(30_000),
  /** PING on the subscriber connection every this many ms (never a read timeout, spec §7 #126). */
  pingIntervalMs: int(200, 120_000).default(5_000),
  /** A PING unanswered for this long, with nothing else read meanwhile, means the connection is dead. */
  pingTimeoutMs: int(200, 120_000).default(5_000),
  /** Connect + SUBSCRIBE must finish within this time. */
  connectTimeoutMs: int(200, 120_000).default(8_000),
  /** Messages larger than this are rejected unread. 16 MiB. */
  maxMessageBytes: int(1024, 512 * 1024 * 1024).default(16 * 1024 * 1024),
  /** PEM file with the CA that signs the server's TLS certificate (rediss://). */
  tlsCaFile: text({ max: 4096 }).default(''),
  /** Sentinel mode: when non-empty, `url` supplies only password/db/TLS. */
  sentinels: z.array(sentinelSchema, { error: 'must be a list of { host, port }' }).max(16, { error: 'at most 16 sentinels' }).default([]),
  sentinelMasterName: text({ min: 1, max: 256 })
    .refine((v) => !/\s/.test(v), { error: 'must not contain spaces' })
    .default('mymaster'),
}).superRefine((r, ctx) => {
  if (r.backoffInitialMs > r.backoffMaxMs) custom(ctx, 'backoffOrder', 'must not be larger than the longest reconnect delay (redis.backoffMaxMs)', ['backoffInitialMs']);
});

export const configSchema = group({
  redis: redisSchema.prefault({}),
  http: group({
    /** @default 127.0.0.1 */
    host: hostSchema.default('127.0.0.1'),
    /** @default 5003 (0: any free port) */
    port: int(0, 65535).default(5003),
    /** Request bodies larger than this get 413. */
    maxBodyBytes: int(1024, 256 * 1024 * 1024).default(32 * 1024 * 1024),
    /**
     * Compatibility for scripts written for the Python service: `POST /manual-sync` without
     * the access token, from loopback only. Off by default (any local program could then
     * write the calendar).
     */
    openManualSync: bool().default(false),
  }).prefault({}),
  calendar: group({
    backend: oneOf(['ics', 'google']).default('ics'),
    /** `primary` or an address like …@group.calendar.google.com. */
    calendarId: text({ min: 1, max: 254 })
      .refine((v) => v === '' || /^[\x21-\x7e]+$/.test(v), { error: 'must be primary or a calendar address without spaces', params: { text: 'calendarId' satisfies FieldErrorCode } })
      .default('primary'),
    /** Shared with the Python service; it is written into every event we own. */
    syncTag: text({ min: 1, max: 64 })
      .refine((v) => v === '' || /^[A-Za-z0-9_.:-]+$/.test(v), { error: 'may contain only letters, digits and _ . : -', params: { text: 'syncTag' satisfies FieldErrorCode } })
      .default('FOGIS_CALENDAR_SYNC'),
    matchDurationMinutes: int(15, 600).default(120),
    keepCancelled: bool().default(false),
    /** Hold back a list that would delete more than this share of known matches. */
    maxDeleteFraction: z
      .number({ error: 'must be a number' })
      .min(0, { error: 'must be at least 0' })
      .max(1, { error: 'must be at most 1' })
      .default(0.5),
    timeZone: timeZoneSchema.default('Europe/Stockholm'),
  }).prefault({}),
  ui: group({
    language: oneOf(['auto', 'sv', 'en']).default('auto'),
    notifyMinSeverity: oneOf(['info', 'warning', 'error']).default('warning'),
    startAtLogin: bool().default(false),
  }).prefault({}),
  contacts: group({
    /** The coordinator's own FOGIS referee number, left out of the phonebook (spec §5.7, §7 #42). */
    ownRefereeNumber: text({ max: 32 })
      .refine((v) => v === '' || /^[0-9A-Za-z-]+$/.test(v), 'expected a FOGIS referee number (digits)')
      .default(''),
    /** Keep the referees in Google Contacts too (opt-in; needs the contacts permission). */
    googleSync: bool().default(false),
  }).prefault({}),
  limits: group({
    messageLog: int(10, 100_000).default(5_000),
    rejectedLog: int(10, 10_000).default(200),
    alertLog: int(10, 10_000).default(500),
    duplicateWindow: int(10, 1_000_000).default(10_000),
    changeHistory: int(10, 100_000).default(1_000),
  }).prefault({}),
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
    return group(shape);
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
  { env: 'REDIS_PING_TIMEOUT_MS', path: ['redis', 'pingTimeoutMs'], kind: 'int', description: 'Silence allowed before reconnecting: PING unanswered and nothing else received (ms)' },
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
  { env: 'CALENDAR_TIME_ZONE', path: ['calendar', 'timeZone'], kind: 'string', description: 'Time zone of the calendar events (IANA name, e.g. Europe/Stockholm)' },
  { env: 'USER_REFEREE_NUMBER', path: ['contacts', 'ownRefereeNumber'], kind: 'string', description: 'Your own FOGIS referee number: left out of the phonebook' },
  { env: 'CONTACTS_GOOGLE_SYNC', path: ['contacts', 'googleSync'], kind: 'boolean', description: 'Keep the referees in Google Contacts (needs Google sign-in with the contacts permission)' },
  { env: 'FOGIS_MONITOR_LANGUAGE', path: ['ui', 'language'], kind: 'string', description: 'auto, sv or en' },
  { env: 'FOGIS_MONITOR_NOTIFY_MIN_SEVERITY', path: ['ui', 'notifyMinSeverity'], kind: 'string', description: 'Lowest alert severity that raises a notification' },
];

export function maskConfig(config: AppConfig): AppConfig {
  return { ...config, redis: { ...config.redis, url: maskRedisUrl(config.redis.url) } };
}

/** Settings fixed by an environment variable: dotted path → variable name (`redis.url` → `REDIS_URL`). */
export const envFixedSchema = z.record(z.string(), z.string());
export type EnvFixed = z.infer<typeof envFixedSchema>;

const ZOD_WORDING = /^(Invalid|Too (big|small)|Unrecognized|Expected)\b/;

/**
 * An issue in plain words. The schema above gives every check its own text; this covers
 * what zod raises by itself (and keeps its wording, like `Invalid option: expected one of
 * "ics"|"google"`, from ever reaching a user).
 */
export function plainIssueMessage(issue: z.core.$ZodIssue): string {
  if (!ZOD_WORDING.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_type':
      return issue.expected === 'object' ? 'must be a group of settings ({ … })' : issue.expected === 'array' ? 'must be a list' : issue.expected === 'boolean' ? 'must be true or false' : issue.expected === 'string' ? 'must be text' : `must be a ${String(issue.expected)}`;
    case 'too_small':
      return issue.origin === 'string' ? 'must not be empty' : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'string' ? `is too long (at most ${String(issue.maximum)} characters)` : `must be at most ${String(issue.maximum)}`;
    case 'unrecognized_keys':
      return `unknown setting(s): ${keyList(issue.keys)}`;
    default:
      return 'is not a valid value';
  }
}

/**
 * The stable id and values of one of zod's own issues (empty, too small, too large, not a
 * number, not one of the choices), so the Settings page can say it in Swedish too, whether
 * the page or the core found it. Other issues have no id: the page shows "invalid value".
 */
export function genericIssue(issue: z.core.$ZodIssue): { code: FieldErrorCode; params?: Record<string, string> } | undefined {
  switch (issue.code) {
    case 'too_small':
      return issue.origin === 'string' ? { code: 'required' } : { code: 'min', params: { min: String(issue.minimum) } };
    case 'too_big':
      return issue.origin === 'string' ? { code: 'tooLong' } : { code: 'max', params: { max: String(issue.maximum) } };
    case 'invalid_type':
      return issue.expected === 'number' || issue.expected === 'int' ? { code: 'number' } : undefined;
    case 'invalid_value':
      return { code: 'choose' };
    default:
      return undefined;
  }
}

/** The stable id of a custom issue (see `custom` above), for translated texts. */
export function issueCode(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== 'custom') return undefined;
  const t = (issue.params as { text?: unknown } | undefined)?.text;
  return typeof t === 'string' ? t : undefined;
}
