import { z } from 'zod';
import { textRefSchema } from './text-ref';

/**
 * The history of the watch (issue 14, "History of the watch"): the last 7 days of the Redis
 * subscription and of processor cycles, as Uptime Kuma shows a monitor. Kept by the core in
 * the data directory (history.json, 0600, size-capped), shown in the dashboard and at
 * `GET /api/history`. Times are ISO-8601 UTC.
 */
export const HISTORY_WINDOW_MS = 7 * 86_400_000;

/** `up`: subscribed; `down`: trying and failing; `off`: paused, disabled or the app not running. */
export const WATCH_STATES = ['up', 'down', 'off'] as const;
export const watchStateSchema = z.enum(WATCH_STATES);
export type WatchState = z.infer<typeof watchStateSchema>;

/** One change of the subscription's state (stored). */
export const watchEventSchema = z.object({ at: z.string(), state: watchStateSchema, reason: textRefSchema.nullable() });
export type WatchEvent = z.infer<typeof watchEventSchema>;

/** One finished processor cycle (stored). */
export const cycleEventSchema = z.object({ at: z.string(), ok: z.boolean(), error: z.string().max(500).nullable() });
export type CycleEvent = z.infer<typeof cycleEventSchema>;

export const historyFileSchema = z.object({
  version: z.literal(1),
  watch: z.array(watchEventSchema),
  cycles: z.array(cycleEventSchema),
});
export type HistoryFile = z.infer<typeof historyFileSchema>;

export const outageSchema = z.object({
  start: z.string(),
  /** null while it lasts. */
  end: z.string().nullable(),
  /** Why the subscription was down (the first reason seen). */
  reason: textRefSchema.nullable(),
});
export type Outage = z.infer<typeof outageSchema>;

export const historySchema = z.object({
  from: z.string(),
  to: z.string(),
  /** Share of watched time (up or down, not off) the subscription was up; null before any. */
  uptimePercent: z.number().nullable(),
  watchedMs: z.number(),
  /** Newest first. */
  outages: z.array(outageSchema),
  outagesTotal: z.number().int(),
  /** Newest first. */
  failedCycles: z.array(cycleEventSchema),
  cycles: z.object({ completed: z.number().int(), failed: z.number().int() }),
  /** Size of history.json and its cap. */
  bytes: z.number().int(),
  capBytes: z.number().int(),
});
export type History = z.infer<typeof historySchema>;

/** Nothing watched yet (fixtures, a host other than the core). */
export function emptyHistory(nowMs: number): History {
  return {
    from: new Date(nowMs - HISTORY_WINDOW_MS).toISOString(),
    to: new Date(nowMs).toISOString(),
    uptimePercent: null,
    watchedMs: 0,
    outages: [],
    outagesTotal: 0,
    failedCycles: [],
    cycles: { completed: 0, failed: 0 },
    bytes: 0,
    capBytes: 0,
  };
}
