import { z } from 'zod';
import { fogisMatchSchema, generationSchema, rejectReasonSchema } from '../../../shared/messages';
import { alertSchema, countersSchema, matchChangeSchema } from '../../../shared/state';

/** What survives a restart (state.json in the data directory). Versioned for later migrations. */
export const persistedStateSchema = z.object({
  version: z.literal(1),
  savedAt: z.string(),
  // Partial throughout: a state file written before a counter or a reject reason existed
  // still loads (the missing ones start at 0) instead of being set aside as corrupt.
  counters: countersSchema.extend({ rejected_by_reason: z.partialRecord(rejectReasonSchema, z.number().int()) }).partial().optional(),
  matches: z.object({
    list: z.array(fogisMatchSchema),
    receivedAt: z.string().nullable(),
    messageId: z.string().nullable(),
    generation: generationSchema.nullable(),
  }),
  history: z.array(matchChangeSchema),
  historyTotal: z.number().int(),
  alerts: z.array(alertSchema),
  alertsTotal: z.number().int(),
});
export type PersistedState = z.infer<typeof persistedStateSchema>;
