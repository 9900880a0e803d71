import { z } from 'zod';

/**
 * A text the coordinator reads, as a catalogue key and its values, so each shell can say it
 * in the user's language (issue 14.1: a reason must not be an English sentence that the
 * Swedish lookup never matches). Values that are times are ISO strings; a text from outside
 * the app (a processor's message, a library's error) is a value, shown as sent.
 */
export const textParamsSchema = z.record(z.string(), z.union([z.string(), z.number()]));
export type TextParams = z.infer<typeof textParamsSchema>;

export const textRefSchema = z.object({ key: z.string().max(200), params: textParamsSchema });
export type TextRef = z.infer<typeof textRefSchema>;

/** Why the Redis subscription is not up: `reason.<code>` (+ `reasonHint.<code>`) in the catalogue. */
export const CONNECTION_REASON_CODES = [
  'auth_failed',
  'no_permission',
  'host_not_found',
  'connection_refused',
  'connection_reset',
  'no_answer',
  'no_answer_within',
  'network_unreachable',
  'tls_error',
  'sentinel',
  'connection_closed',
  'closed_by_server',
  'ping_timeout',
  'invalid_settings',
  'channels_failed',
  'paused',
  'disabled',
  'not_started',
  'settings_changed',
  'restarting',
  'app_stopping',
  'stopped',
  'other',
] as const;
export type ConnectionReasonCode = (typeof CONNECTION_REASON_CODES)[number];

export function connectionReason(code: ConnectionReasonCode, params: TextParams = {}): TextRef {
  return { key: `reason.${code}`, params };
}

/**
 * Why an action failed (Reconnect, Sync now, Save settings, Google sign-in, a refused HTTP
 * request): `fail.<code>` in the catalogue. The English `error` of a result stays for the
 * Python-compatible routes and scripts; the dashboard says this instead (issue 14.1).
 */
export const FAILURE_CODES = [
  'demo',
  'redisDisabled',
  'restartFailed',
  'notGoogle',
  'noTakeover',
  'takeoverWaiting',
  'reconcileFailed',
  'signInNeeded',
  'signingIn',
  'writesFailed',
  'notStarted',
  'googleNoClientFile',
  'googleBadClientFile',
  'googleSignInTimeout',
  'googleSignInRefused',
  'googleNoRefreshToken',
  'googleNoCalendarAccess',
  'googleBadToken',
  'notSignedIn',
  'invalidSettings',
  'settingsNotSaved',
  'settingsNotApplied',
  'settingsFailed',
  'invalidRequest',
  'unauthorized',
  'forbidden',
  'tooMany',
  'serverError',
  'badRequest',
  'badAnswer',
  'unreachable',
  'other',
] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

export function failure(code: FailureCode, params: TextParams = {}): TextRef {
  return { key: `fail.${code}`, params };
}
