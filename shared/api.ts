import { z } from 'zod';
import { configPatchSchema, configSchema } from './config';
import { textRefSchema } from './text-ref';
import { messageLogEntrySchema } from './state';

/**
 * Request/response bodies of the app's own API (`/api/*`), shared by the HTTP server, the
 * IPC handlers and the renderer's bridges; shared/contract.ts says which operation uses
 * which. The seed routes (`/redis-*`, `/manual-sync`) keep the Python service's exact keys
 * and are written in electron/core/http/python-routes.ts.
 */

export const fieldErrorSchema = z.object({
  /** Dotted config path, e.g. `redis.url`. */
  path: z.string(),
  message: z.string(),
  /** The offending value, secrets masked. */
  value: z.string().optional(),
  /** Stable id of the problem (e.g. `envFixed`, `retypePassword`, `timeZone`) for translated texts. */
  code: z.string().optional(),
  /** Values the code's text names (`min`, `max`), as strings. */
  params: z.record(z.string(), z.string()).optional(),
  /** The environment variable that sets this field, when it is one. */
  variable: z.string().optional(),
});
export type FieldError = z.infer<typeof fieldErrorSchema>;

export const configUpdateResultSchema = z.discriminatedUnion('success', [
  z.object({ success: z.literal(true), config: configSchema, applied: z.array(z.string()) }),
  z.object({ success: z.literal(false), error: z.string(), errors: z.array(fieldErrorSchema), errorCode: textRefSchema.optional() }),
]);
export type ConfigUpdateResult = z.infer<typeof configUpdateResultSchema>;

export const syncReportSchema = z.object({
  success: z.boolean(),
  inserted: z.number().int(),
  updated: z.number().int(),
  deleted: z.number().int(),
  unchanged: z.number().int(),
  failed: z.number().int(),
  held: z.number().int(),
  /** Cancelled matches that have no event (nothing to do, but not "up to date"). */
  cancelled: z.number().int().optional(),
  /** Events of played matches, left exactly as they are (the sync never changes history). */
  past: z.number().int().optional(),
  /** "3 updated, 1 deleted, 0 failed" */
  summary: z.string(),
  error: z.string().optional(),
  /** The failure for the user's language (shared/text-ref.ts `fail.*`); `error` stays English. */
  errorCode: textRefSchema.optional(),
});
export type SyncReport = z.infer<typeof syncReportSchema>;

export const actionResultSchema = z.object({
  success: z.boolean(),
  message: z.string().optional(),
  error: z.string().optional(),
  /** The failure for the user's language (shared/text-ref.ts `fail.*` or a connection reason). */
  errorCode: textRefSchema.optional(),
  /** What happened, for the user's language, when it differs from what the action usually says. */
  text: textRefSchema.optional(),
});
export type ActionResult = z.infer<typeof actionResultSchema>;

export const redisTestResultSchema = z.object({
  success: z.boolean(),
  ping_ms: z.number().nullable(),
  pubsub_roundtrip_ms: z.number().nullable(),
  /** English, with its hint. */
  error: z.string().optional(),
  /** The same failure for the user's language (shared/text-ref.ts). */
  errorCode: textRefSchema.optional(),
});
export type RedisTestResult = z.infer<typeof redisTestResultSchema>;

export const ackAlertsBodySchema = z.union([
  z.object({ ids: z.array(z.string()).min(1).max(10_000) }).strict(),
  z.object({ all: z.literal(true) }).strict(),
]);
export type AckAlertsBody = z.infer<typeof ackAlertsBodySchema>;

export const pauseBodySchema = z.object({ paused: z.boolean() }).strict();
export const muteBodySchema = z.object({ until: z.string().datetime({ offset: true }).nullable() }).strict();

export const messagesResponseSchema = z.object({
  /** Oldest first: the newest entries older than the query's `before`. */
  entries: z.array(messageLogEntrySchema),
  total: z.number().int(),
  cap: z.number().int(),
  /** `before` for the next (older) page; null when this page reaches the oldest kept entry. */
  next: z.number().int().nullable().optional(),
  /** Arrival times (ms) of the messages of the last 10 minutes, on the first page: the rate chart. */
  arrivals: z.array(z.number()).optional(),
});

/** Messages are read a page at a time (issue 12: the whole log was 15 MB on every open). */
export const MESSAGES_PAGE_DEFAULT = 100;
export const MESSAGES_PAGE_MAX = 1000;
export const messagesQuerySchema = z
  .object({
    limit: z.number().int().min(1).max(MESSAGES_PAGE_MAX).optional(),
    /** Only entries with a smaller `seq` (the page before this one). */
    before: z.number().int().min(1).optional(),
  })
  .strict();
export type MessagesQuery = z.infer<typeof messagesQuerySchema>;
export type MessagesResponse = z.infer<typeof messagesResponseSchema>;

export { configPatchSchema };
export type { ConfigPatch } from './config';

/** The operations' table and the Bridge type derived from it: shared/contract.ts. */
export { IPC } from './contract-channels';
