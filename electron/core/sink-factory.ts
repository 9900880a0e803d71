import type { AppConfig } from '../../shared/config';
import type { CoreOptions } from './core-api';
import type { CalendarSink, SinkContext } from './sync/calendar-sink';
import { createCalendarSink } from './sync/index';

/**
 * Chooses the calendar backend for the configuration (ICS by default, Google when selected).
 * `FOGIS_GOOGLE_API_ROOT` / `FOGIS_GOOGLE_TOKEN_URL` point the Google client elsewhere: the
 * tests use them to talk to a local Calendar v3 server, since Google is not reachable there.
 */
export function createSinkFor(config: AppConfig, ctx: SinkContext, opts: CoreOptions): CalendarSink {
  const env = opts.env ?? process.env;
  return createCalendarSink(config, ctx, {
    env,
    ...(opts.secretStore ? { secretStore: opts.secretStore } : {}),
    ...(env.FOGIS_GOOGLE_API_ROOT ? { googleRootUrl: env.FOGIS_GOOGLE_API_ROOT } : {}),
    ...(env.FOGIS_GOOGLE_TOKEN_URL ? { tokenUrl: env.FOGIS_GOOGLE_TOKEN_URL } : {}),
  });
}
