import type { AppConfig } from '../../shared/config';
import type { SecretStore } from './core-api';
import type { CalendarSink, SinkContext } from './sync/calendar-sink';
import { createCalendarSink, type FullCalendarSink } from './sync/index';

/**
 * The calendar sink as the core uses it: the configured backend has every extra (the ICS
 * file, Google sign-in, the Google auth the phonebook shares); a sink a test passes
 * (CoreOptions.createSink) may have none of them.
 */
export type CoreSink = CalendarSink & Partial<Pick<FullCalendarSink, 'readIcs' | 'googleSignIn' | 'googleSignOut' | 'googleAuth' | 'confirmTakeover'>>;

/**
 * Chooses the calendar backend for the configuration (ICS by default, Google when selected).
 * `FOGIS_GOOGLE_API_ROOT` / `FOGIS_GOOGLE_TOKEN_URL` (README: settings) point the Google
 * client at other endpoints; the tests use them for a local Calendar v3 server.
 */
export function createSinkFor(config: AppConfig, ctx: SinkContext, env: NodeJS.ProcessEnv, secretStore?: SecretStore): FullCalendarSink {
  return createCalendarSink(config, ctx, {
    // Where the Google files are (README: the Python service's variables).
    ...(env.GOOGLE_CREDENTIALS_PATH ? { credentialsPath: env.GOOGLE_CREDENTIALS_PATH } : {}),
    ...(env.GOOGLE_CALENDAR_TOKEN_FILE ? { tokenImportPath: env.GOOGLE_CALENDAR_TOKEN_FILE } : {}),
    ...(secretStore ? { secretStore } : {}),
    ...(env.FOGIS_GOOGLE_API_ROOT ? { googleRootUrl: env.FOGIS_GOOGLE_API_ROOT } : {}),
    ...(env.FOGIS_GOOGLE_TOKEN_URL ? { tokenUrl: env.FOGIS_GOOGLE_TOKEN_URL } : {}),
  });
}
