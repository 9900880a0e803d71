import { z } from 'zod';
import { fogisMatchSchema, generationSchema } from '../../../shared/messages';
import { alertSchema, countersSchema, matchChangeSchema } from '../../../shared/state';

/** What survives a restart (state.json in the data directory). Versioned for later migrations. */
export const persistedStateSchema = z.object({
  version: z.literal(1),
  savedAt: z.string(),
  counters: countersSchema.partial().optional(),
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
