import { z } from 'zod';
import type { PlannedEvent } from './event-builder';
import { plannedFromGoogleBody } from './google-body';
import type { MatchRecord, OutboxJob } from './types';

/** The persisted shape of one backend's sync state (records, outbox, holds, counters). */

const snapshotSchema = z.object({
  kickoff: z.string().nullable(),
  venue: z.string(),
  home: z.string(),
  away: z.string(),
  competition: z.string(),
  matchnr: z.string(),
  cancelled: z.boolean(),
  postponed: z.boolean(),
  referees: z.record(z.string(), z.string()),
});

const lastChangeSchema = z.object({ at: z.string(), what: z.string() });

/** Jobs saved before the planned event (one version back) carry the Google body instead. */
const googleBodySchema = z.object({
  summary: z.string(),
  location: z.string(),
  description: z.string(),
  start: z.object({ dateTime: z.string(), timeZone: z.string() }),
  end: z.object({ dateTime: z.string(), timeZone: z.string() }),
  reminders: z.object({ useDefault: z.boolean(), overrides: z.array(z.object({ method: z.string(), minutes: z.number() })) }),
  extendedProperties: z.object({ private: z.object({ matchId: z.string(), syncTag: z.string(), calendarHash: z.string() }) }),
});

const plannedEventSchema = z.object({
  matchId: z.string(),
  summary: z.string(),
  location: z.string(),
  description: z.string(),
  startMs: z.number(),
  endMs: z.number(),
  timeZone: z.string(),
  calendarHash: z.string(),
  syncTag: z.string(),
  cancelled: z.boolean(),
  reminderMinutes: z.number(),
}) satisfies z.ZodType<PlannedEvent>;

export const matchRecordSchema = z.object({
  matchId: z.string(),
  present: z.boolean(),
  eventId: z.string().nullable(),
  calendarHash: z.string().nullable(),
  renderKey: z.string().nullable(),
  sourceKey: z.string().nullable(),
  summary: z.string().nullable(),
  snapshot: snapshotSchema.nullable(),
  lastChange: lastChangeSchema.nullable(),
  title: z.string(),
  updatedAt: z.string(),
  // Records saved before the time window existed have no end: treated as not yet ended.
  endMs: z.number().nullable().default(null),
}) satisfies z.ZodType<MatchRecord>;

const jobFields = {
  key: z.string(),
  matchId: z.string(),
  kind: z.enum(['upsert', 'delete']),
  reason: z.enum(['new', 'changed', 'cancelled', 'removed', 'duplicate']),
  renderKey: z.string().nullable(),
  sourceKey: z.string().nullable(),
  snapshot: snapshotSchema.nullable(),
  lastChange: lastChangeSchema.nullable(),
  title: z.string(),
  eventId: z.string().nullable(),
  attempts: z.number().int(),
  nextAttemptAt: z.number(),
  enqueuedAt: z.string(),
  lastError: z.string().nullable(),
  seq: z.number().int(),
};

const currentJobSchema = z.object({ ...jobFields, event: plannedEventSchema.nullable() }) satisfies z.ZodType<OutboxJob>;

/** A pending write saved by the version before the planned event: converted, never lost. */
const olderJobSchema = z.object({ ...jobFields, body: googleBodySchema.nullable(), cancelled: z.boolean() }).transform(({ body, cancelled, ...rest }): OutboxJob => ({
  ...rest,
  event: body ? plannedFromGoogleBody(body, cancelled) : null,
}));

export const outboxJobSchema = z.union([currentJobSchema, olderJobSchema]);

export const failureSchema = z.object({ sourceKey: z.string().nullable(), reason: z.string(), at: z.string(), title: z.string() });
export type FailureEntry = z.infer<typeof failureSchema>;

export const heldSchema = z.object({ matchId: z.string(), reason: z.enum(['removed', 'cancelled']), title: z.string() });

export const engineStateSchema = z.object({
  version: z.literal(1),
  records: z.array(matchRecordSchema),
  outbox: z.array(outboxJobSchema),
  held: z.array(heldSchema),
  failures: z.record(z.string(), failureSchema),
  counters: z.record(z.string(), z.number()),
  lastSyncAt: z.string().nullable(),
  /** This calendar was written or taken over by us (no takeover preview needed). Absent in older files. */
  calendarKnown: z.boolean().optional(),
});
export type EngineStateFile = z.infer<typeof engineStateSchema>;

export const lastListSchema = z.object({
  version: z.literal(1),
  receivedAt: z.string(),
  messageId: z.string(),
  matches: z.array(z.looseObject({ matchid: z.union([z.number(), z.string()]) })),
});
