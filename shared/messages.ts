import { z } from 'zod';

/**
 * Message contract with the FOGIS match-list-processor (../shared/spec/fogis-interop.md §2).
 * These schemas carry no transforms, so the JSON Schema emitted from them (compiled with Ajv
 * on the hot path, see electron/core/messages/validator.ts) accepts exactly what they accept.
 */

// §2.1: UTC ISO-8601 with Z; the fraction is absent when the microsecond is 0.
export const isoTimestampSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/, 'expected an ISO-8601 UTC timestamp');

const looseRecord = z.record(z.string(), z.unknown());

/** One referee assignment (§2.7). Only keys we render are typed; all others pass through. */
export const refereeSchema = z.looseObject({
  domarrollkortnamn: z.string().optional(),
  domarrollnamn: z.string().optional(),
  personnamn: z.string().optional(),
  namn: z.string().optional(),
  domarnr: z.union([z.string(), z.number()]).optional(),
  domareid: z.union([z.number(), z.string(), z.null()]).optional(),
  mobiltelefon: z.string().optional(),
  telefon: z.string().optional(),
  epostadress: z.string().optional(),
  adress: z.string().optional(),
  postnr: z.string().optional(),
  postort: z.string().optional(),
});
export type Referee = z.infer<typeof refereeSchema>;

export const teamContactSchema = z.looseObject({
  lagnamn: z.string().optional(),
  personnamn: z.string().optional(),
  telefon: z.string().optional(),
  mobiltelefon: z.string().optional(),
  epostadress: z.string().optional(),
});
export type TeamContact = z.infer<typeof teamContactSchema>;

/**
 * A raw FOGIS match (§2.7). `tid` is `/Date(ms)/` in production; MLP's own fixtures use an
 * ISO date-time, which we also accept (§9 robustness). Missing optional keys never fail a
 * match (the Python service fails a whole match on one missing referee `adress`).
 */
export const fogisMatchSchema = z.looseObject({
  // §2.7: a positive FOGIS id; beyond 2^53 a number no longer names one match.
  matchid: z.union([z.number().int().min(1).max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d{1,16}$/, 'expected a match id of at most 16 digits')]),
  matchnr: z.string().optional(),
  lag1namn: z.string(),
  lag2namn: z.string(),
  anlaggningnamn: z.string().optional(),
  tid: z.string().regex(/^(\/Date\(-?\d+\)\/|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)$/, 'expected /Date(ms)/ or an ISO date-time'),
  speldatum: z.string().optional(),
  avsparkstid: z.string().optional(),
  tavlingnamn: z.string().optional(),
  installd: z.boolean().optional(),
  uppskjuten: z.boolean().optional(),
  avbruten: z.boolean().optional(),
  domaruppdraglista: z.array(refereeSchema).optional(),
  kontaktpersoner: z.array(teamContactSchema).optional(),
});
export type FogisMatch = z.infer<typeof fogisMatchSchema>;

/** Enhanced-v2 processed match (§2.3): no tid, no matchid; shown, never synced. */
export const enhancedMatchSchema = z.looseObject({
  match_id: z.union([z.number(), z.string()]),
  teams: z.looseObject({
    home: z.looseObject({ name: z.string().optional() }).optional(),
    away: z.looseObject({ name: z.string().optional() }).optional(),
  }),
  date: z.string().optional(),
  time: z.string().optional(),
});

/** Legacy v1 simplified match (§2.3). */
export const legacyMatchSchema = z.looseObject({
  match_id: z.union([z.number(), z.string()]),
  teams: z.string(),
  date: z.string().optional(),
  time: z.string().optional(),
  venue: z.union([z.string(), z.null()]).optional(),
  referees: z.array(z.unknown()).optional(),
});

export const matchUpdatesPayloadSchema = z.looseObject({
  matches: z.array(z.union([fogisMatchSchema, enhancedMatchSchema, legacyMatchSchema])),
  schema_version: z.union([z.string(), z.number()]).optional(),
  detailed_changes: z.array(looseRecord).optional(),
  high_priority: z.boolean().optional(),
  metadata: looseRecord.optional(),
});

export const processingStatusPayloadSchema = z.looseObject({
  status: z.enum(['started', 'completed', 'failed']),
  timestamp: isoTimestampSchema.optional(),
  details: looseRecord.optional(),
});
export type ProcessingStatusPayload = z.infer<typeof processingStatusPayloadSchema>;

export const alertSeveritySchema = z.enum(['info', 'warning', 'error', 'critical']);
export type AlertSeverity = z.infer<typeof alertSeveritySchema>;

export const systemAlertPayloadSchema = z.looseObject({
  alert_type: z.string(),
  severity: alertSeveritySchema,
  message: z.string(),
  timestamp: isoTimestampSchema.optional(),
  details: looseRecord.optional(),
});
export type SystemAlertPayload = z.infer<typeof systemAlertPayloadSchema>;

const envelopeBase = {
  message_id: z.string().min(1).max(200),
  timestamp: isoTimestampSchema,
  source: z.string(),
  version: z.string(),
  schema_version: z.union([z.string(), z.number()]).optional(),
};

export const matchUpdatesMessageSchema = z.looseObject({
  ...envelopeBase,
  type: z.literal('match_updates'),
  payload: matchUpdatesPayloadSchema,
});
export const processingStatusMessageSchema = z.looseObject({
  ...envelopeBase,
  type: z.literal('processing_status'),
  payload: processingStatusPayloadSchema,
});
export const systemAlertMessageSchema = z.looseObject({
  ...envelopeBase,
  type: z.literal('system_alert'),
  payload: systemAlertPayloadSchema,
});

export const MESSAGE_TYPES = ['match_updates', 'processing_status', 'system_alert'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const envelopeSchema = z.looseObject({
  ...envelopeBase,
  type: z.string(),
  payload: looseRecord,
});

export type MatchUpdatesMessage = z.infer<typeof matchUpdatesMessageSchema>;
export type ProcessingStatusMessage = z.infer<typeof processingStatusMessageSchema>;
export type SystemAlertMessage = z.infer<typeof systemAlertMessageSchema>;
export type FogisMessage = MatchUpdatesMessage | ProcessingStatusMessage | SystemAlertMessage;

/** Which generation of match_updates a message is (§2.2, §2.3). */
export const generationSchema = z.enum(['g1', 'g2', 'g3', 'enhanced_v2', 'legacy_v1']);
export type Generation = z.infer<typeof generationSchema>;

/**
 * Why a message was refused. The last three come from the semantic pass after the schema
 * (electron/core/messages/match-gate.ts): an impossible date or time, a kickoff outside the
 * window around today (shared/fogis-time.ts KICKOFF_WINDOW), one matchid twice in a list.
 */
export const REJECT_REASONS = ['oversize', 'invalid_utf8', 'invalid_json', 'not_object', 'unknown_type', 'schema', 'too_deep', 'bad_date', 'date_out_of_range', 'duplicate_match'] as const;
export const rejectReasonSchema = z.enum(REJECT_REASONS);
export type RejectReason = z.infer<typeof rejectReasonSchema>;

/** `/manual-sync` body: `{"matches":[…]}`, optionally with the dict-form keys (§4). */
export const manualSyncBodySchema = z.looseObject({ matches: z.array(fogisMatchSchema) });
