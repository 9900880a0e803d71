import { z } from 'zod';
import { textParamsSchema, textRefSchema } from './text-ref';

/**
 * The shape of the status (shared/status.ts computes it). Apart from the computation so that
 * shared/state.ts can put it in the snapshot without importing the computation, which reads
 * the snapshot's types.
 */

export const STATUS_LEVELS = ['ok', 'warn', 'error', 'off'] as const;
export const statusLevelSchema = z.enum(STATUS_LEVELS);
export type StatusLevel = z.infer<typeof statusLevelSchema>;

/** Catalogue keys under `status.`; times in params are ISO strings. */
export const STATUS_CODES = [
  'allOk',
  'noData',
  'redisSubscribed',
  'redisDisabled',
  'redisPaused',
  'redisConnecting',
  'redisReconnecting',
  'redisDown',
  'stale',
  'staleSince',
  'procNone',
  'procOk',
  'procRunning',
  'procFailed',
  'calOk',
  'calFailed',
  'calHeld',
  'calPending',
  'calSignIn',
  'calError',
  'alertError',
  'alertErrorApp',
  'alertWarnings',
  'storageError',
  'demo',
] as const;
export type StatusCode = (typeof STATUS_CODES)[number];

export const statusReasonSchema = z.object({
  code: z.enum(STATUS_CODES),
  params: textParamsSchema,
  /** The underlying reason (a connection reason, an app alert's text), said after the code's text. */
  cause: textRefSchema.nullable(),
});
export type StatusReason = z.infer<typeof statusReasonSchema>;

export const statusPartSchema = z.object({ level: statusLevelSchema, reasons: z.array(statusReasonSchema) });
export type StatusPart = z.infer<typeof statusPartSchema>;

export const STATUS_PARTS = ['redis', 'staleness', 'processor', 'calendar', 'alerts', 'storage'] as const;
export type StatusPartName = (typeof STATUS_PARTS)[number];

export const statusSchema = z.object({
  level: statusLevelSchema,
  /** The most important reason; `allOk`/`noData` when nothing is wrong. */
  headline: statusReasonSchema,
  /** Every reason that is not fine, most important first (the tray tooltip's order). */
  reasons: z.array(statusReasonSchema),
  parts: z.object({
    redis: statusPartSchema,
    staleness: statusPartSchema,
    processor: statusPartSchema,
    calendar: statusPartSchema,
    alerts: statusPartSchema,
    storage: statusPartSchema,
  }),
  /** When the level changes by itself (the grace period ends); the core pushes a new status then. */
  recheckAt: z.string().nullable(),
  /** The app runs the recorded demo (`npm run demo`): nothing shown is real. */
  demo: z.boolean(),
});
export type Status = z.infer<typeof statusSchema>;
