import { z } from 'zod';
import { alertSeveritySchema, fogisMatchSchema, generationSchema, MESSAGE_TYPES, rejectReasonSchema } from './messages';
import { configSchema, envFixedSchema } from './config';
import { statusSchema } from './status-schema';
import { historySchema } from './history';
import { textRefSchema } from './text-ref';
import { contactsStateSchema } from './contacts';

/**
 * The monitor's observable state: what `/api/state` returns, what the Bridge's `getSnapshot`
 * gives the renderer, and what SSE/IPC events carry. All times are ISO-8601 UTC strings.
 */

export const SUBSCRIBER_STATES = ['disabled', 'connecting', 'subscribed', 'reconnecting', 'stopped'] as const;
export const subscriberStateSchema = z.enum(SUBSCRIBER_STATES);
export type SubscriberState = z.infer<typeof subscriberStateSchema>;

export const connectionSchema = z.object({
  state: subscriberStateSchema,
  stateSince: z.string(),
  /** The reason when not subscribed, in English with its hint (logs, the seed routes' `reason`). */
  reason: z.string().nullable(),
  /** The same reason as a catalogue key and values (`reason.host_not_found`), for the user's language. */
  reasonCode: textRefSchema.nullable(),
  /** True only while the socket is up and the last PING was answered in time. */
  connected: z.boolean(),
  /** True only while SUBSCRIBE was acknowledged on the live connection. */
  subscribed: z.boolean(),
  channels: z.array(z.string()),
  reconnectCount: z.number().int(),
  attempt: z.number().int(),
  nextRetryAt: z.string().nullable(),
  lastPingMs: z.number().nullable(),
  possiblyStale: z.boolean(),
  staleSince: z.string().nullable(),
  /** Redacted address in use. */
  endpoint: z.string(),
});
export type ConnectionInfo = z.infer<typeof connectionSchema>;

const byTypeShape = Object.fromEntries([...MESSAGE_TYPES, 'unknown'].map((t) => [t, z.number().int()])) as Record<
  (typeof MESSAGE_TYPES)[number] | 'unknown',
  z.ZodNumber
>;

export const countersSchema = z.object({
  messages_received: z.number().int(),
  messages_processed: z.number().int(),
  errors: z.number().int(),
  reconnect_count: z.number().int(),
  duplicates: z.number().int(),
  /** Exceptions the last line of defence caught in a handler (electron/core/containment.ts). */
  internal_errors: z.number().int(),
  by_type: z.object(byTypeShape),
  by_channel: z.record(z.string(), z.number().int()),
  by_generation: z.record(generationSchema, z.number().int()),
  rejected_by_reason: z.record(rejectReasonSchema, z.number().int()),
  schema_version_stats: z.object({
    v2_messages: z.number().int(),
    v1_messages: z.number().int(),
    unknown_messages: z.number().int(),
    preferred_schema: z.string(),
  }),
  last_message_time: z.string().nullable(),
  started_at: z.string(),
});
export type Counters = z.infer<typeof countersSchema>;

export const cycleSchema = z.object({
  status: z.enum(['started', 'completed', 'failed']),
  at: z.string(),
  details: z.record(z.string(), z.unknown()),
  messageId: z.string(),
});
export type Cycle = z.infer<typeof cycleSchema>;

export const processorSchema = z.object({
  lastStarted: cycleSchema.nullable(),
  lastCompleted: cycleSchema.nullable(),
  lastFailed: cycleSchema.nullable(),
  /** The most recent cycle message of any status. */
  last: cycleSchema.nullable(),
  /** started→completed of the most recent completed cycle. */
  lastDurationMs: z.number().nullable(),
  cycles: z.number().int(),
});
export type ProcessorInfo = z.infer<typeof processorSchema>;

export const alertSchema = z.object({
  id: z.string(),
  source: z.enum(['system_alert', 'processor', 'app']),
  alertType: z.string(),
  severity: alertSeveritySchema,
  message: z.string(),
  at: z.string(),
  details: z.record(z.string(), z.unknown()),
  acknowledged: z.boolean(),
  /** The app's own alerts: `message` as a catalogue key (`appAlert.<type>`) for the user's language. */
  text: textRefSchema.optional(),
});
export type Alert = z.infer<typeof alertSchema>;

export const fieldChangeSchema = z.object({
  /** FOGIS key (`avsparkstid`, `anlaggningnamn` …) or `referee:<role>` for a referee slot. */
  field: z.string(),
  old: z.unknown(),
  new: z.unknown(),
});
export type FieldChange = z.infer<typeof fieldChangeSchema>;

export const CHANGE_KINDS = ['new', 'changed', 'cancelled', 'uncancelled', 'postponed', 'abandoned', 'removed'] as const;
export const changeKindSchema = z.enum(CHANGE_KINDS);
export type ChangeKind = z.infer<typeof changeKindSchema>;

export const matchChangeSchema = z.object({
  matchId: z.string(),
  kind: changeKindSchema,
  /** "Home - Away" at the time of the change. */
  title: z.string(),
  fields: z.array(fieldChangeSchema),
  at: z.string(),
  messageId: z.string(),
});
export type MatchChange = z.infer<typeof matchChangeSchema>;

export const matchesStateSchema = z.object({
  list: z.array(fogisMatchSchema),
  /** When the list was received; null before the first list. */
  receivedAt: z.string().nullable(),
  messageId: z.string().nullable(),
  generation: generationSchema.nullable(),
  /** Derived changes, newest first, bounded. */
  history: z.array(matchChangeSchema),
  historyTotal: z.number().int(),
});
export type MatchesState = z.infer<typeof matchesStateSchema>;

export const messageLogEntrySchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  channel: z.string(),
  type: z.string(),
  messageId: z.string().nullable(),
  bytes: z.number().int(),
  /** The message, cut to a preview for large ones. */
  preview: z.string(),
  /**
   * Set on live-stream entries whose preview was shortened to keep pushes small; the whole
   * preview comes from `getMessages({ before: seq + 1, limit: 1 })`.
   */
  cut: z.boolean().optional(),
});
export type MessageLogEntry = z.infer<typeof messageLogEntrySchema>;

export const rejectedEntrySchema = z.object({
  at: z.string(),
  channel: z.string(),
  reason: rejectReasonSchema,
  error: z.string(),
  /** First 2 KB of the raw message. */
  head: z.string(),
  bytes: z.number().int(),
});
export type RejectedEntry = z.infer<typeof rejectedEntrySchema>;

export const boundedListSchema = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), cap: z.number().int() });

/** Per-match calendar state, filled by the calendar sink (issue: calendar sync). */
export const matchSyncStateSchema = z.object({
  status: z.enum(['synced', 'pending', 'failed', 'held']),
  reason: z.string().nullable(),
  updatedAt: z.string(),
});

/** What happens to one event when the coordinator confirms taking over a calendar (issue 10 §2). */
export const takeoverActionSchema = z.enum(['adopt', 'update', 'delete', 'past', 'duplicate', 'retag', 'other-tag', 'insert']);

/**
 * First contact with a calendar that already holds FOGIS match events (the Python service's,
 * or another instance's): what the confirmation will do. Nothing is written before it.
 */
export const takeoverPreviewSchema = z.object({
  calendarId: z.string(),
  syncTag: z.string(),
  /** Events carrying a matchId (any sync tag) found in the calendar. */
  found: z.number().int(),
  /** N: our events kept as they are. */
  adopted: z.number().int(),
  /** M: our events rewritten because their match changed. */
  updated: z.number().int(),
  /** K: our events of upcoming matches that are cancelled or no longer listed. */
  deleted: z.number().int(),
  /** P: events of matches already played: left exactly as they are. */
  past: z.number().int(),
  /** Extra copies of one match's upcoming event (the Python service could leave them). */
  duplicates: z.number().int(),
  /** Q: events found under another sync tag. */
  otherTag: z.number().int(),
  /** Of those, upcoming events of listed matches that the confirmation adopts (re-tags) instead of duplicating. */
  retagged: z.number().int(),
  /** New events for listed matches that have none. */
  inserted: z.number().int(),
  otherTags: z.array(z.string()),
  /** Whether a match list has arrived (without one, only adoption is known). */
  listReceived: z.boolean(),
  /** Per event, at most 500: what happens and why. */
  items: z.array(
    z.object({
      matchId: z.string(),
      title: z.string(),
      action: takeoverActionSchema,
      reason: z.enum(['cancelled', 'removed']).nullable(),
      syncTag: z.string().nullable(),
    }),
  ),
  itemsTotal: z.number().int(),
  computedAt: z.string(),
});
export type TakeoverPreview = z.infer<typeof takeoverPreviewSchema>;

export const calendarStateSchema = z.object({
  backend: z.enum(['ics', 'google']),
  /** "ok", "sign-in needed", "error: …" */
  status: z.string(),
  lastSyncAt: z.string().nullable(),
  pending: z.number().int(),
  failed: z.number().int(),
  heldDeletions: z.number().int(),
  counters: z.record(z.string(), z.number()),
  perMatch: z.record(z.string(), matchSyncStateSchema),
  /** Where a calendar app can subscribe (ICS backend). */
  subscribeUrl: z.string().nullable(),
  signedIn: z.boolean().nullable(),
  /** The deletions the guard holds back, and why (the dashboard explains them). */
  held: z.array(z.object({ matchId: z.string(), title: z.string(), reason: z.enum(['removed', 'cancelled']), kickoff: z.string().nullable() })).optional(),
  /** A takeover waiting for the coordinator's confirmation (Google), else null. */
  takeover: takeoverPreviewSchema.nullable().optional(),
});
export type CalendarState = z.infer<typeof calendarStateSchema>;

export const snapshotSchema = z.object({
  version: z.string(),
  now: z.string(),
  uptimeSeconds: z.number(),
  connection: connectionSchema,
  counters: countersSchema,
  processor: processorSchema,
  alerts: boundedListSchema(alertSchema),
  matches: matchesStateSchema,
  rejected: boundedListSchema(rejectedEntrySchema),
  calendar: calendarStateSchema,
  /** The referee phonebook: counts, vCard file, Google Contacts (issue 13). */
  contacts: contactsStateSchema,
  config: configSchema,
  /** Settings an environment variable fixes (read-only in Settings): dotted path → variable. */
  envFixed: envFixedSchema,
  /** Set when the data directory cannot be written (full disk, read-only). */
  storageError: z.string().nullable(),
  /** Desktop notifications are muted until this time (null: not muted). */
  mutedUntil: z.string().nullable(),
  /** The one overall status with its parts (shared/status.ts), computed by the core. */
  status: statusSchema,
  /** The last 7 days of the watch (shared/history.ts); the newest 20 outages and failed cycles. */
  history: historySchema,
});
export type Snapshot = z.infer<typeof snapshotSchema>;

/**
 * Typed events pushed over SSE / IPC: one `snapshot` when a client connects, then changes
 * only (issue 12: a push for one changed match stays under 5 KB however long the lists are).
 * `state` carries the small parts of the snapshot that changed; the long collections (matches,
 * alerts, rejected messages, per-match calendar state) come as keyed changes that a client
 * applies to what it has. Every change carries current values, so applying one twice, or to
 * a snapshot that is already newer, gives the same result.
 */
export const monitorEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('snapshot'), snapshot: snapshotSchema }),
  z.object({ kind: z.literal('state'), patch: snapshotSchema.partial() }),
  z.object({ kind: z.literal('messages'), entries: z.array(messageLogEntrySchema), total: z.number().int() }),
  /** A new (or merged) alert: what notifications react to. */
  z.object({ kind: z.literal('alert'), alert: alertSchema }),
  /** New entries of the change history, in the order they happened (oldest first). */
  z.object({ kind: z.literal('changes'), changes: z.array(matchChangeSchema) }),
  /** The match list changed: matches added or changed (whole), ids removed, and the list's metadata. */
  z.object({
    kind: z.literal('matches'),
    upsert: z.array(fogisMatchSchema),
    remove: z.array(z.string()),
    receivedAt: z.string().nullable(),
    messageId: z.string().nullable(),
    generation: generationSchema.nullable(),
    historyTotal: z.number().int(),
  }),
  /** Alerts added or changed (acknowledged), ids dropped from the bounded list. */
  z.object({ kind: z.literal('alerts'), upsert: z.array(alertSchema), remove: z.array(z.string()), total: z.number().int(), cap: z.number().int() }),
  /** Newly rejected messages, newest first; `total` counts every rejection so far. */
  z.object({ kind: z.literal('rejected'), entries: z.array(rejectedEntrySchema), total: z.number().int(), cap: z.number().int() }),
  /** The calendar's status with only the matches whose sync state changed (null: gone). */
  z.object({ kind: z.literal('calendar'), calendar: calendarStateSchema.omit({ perMatch: true }), perMatch: z.record(z.string(), matchSyncStateSchema.nullable()) }),
]);
export type MonitorEvent = z.infer<typeof monitorEventSchema>;
