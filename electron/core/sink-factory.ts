import type { AppConfig } from '../../shared/config';
import type { CoreOptions } from './core-api';
import { RecordingSink, type CalendarSink, type SinkContext } from './sync/calendar-sink';

/** Chooses the calendar backend for the configuration. */
export function createSinkFor(_config: AppConfig, _ctx: SinkContext, _opts: CoreOptions): CalendarSink {
  return new RecordingSink();
}
