import type { Logger } from '../log';
import { errorText } from '../log';
import { backoffDelay, type RetryPolicy } from '../retry';
import type { AppAlertInput } from './calendar-sink';
import { SyncError, type CalendarBlock } from './types';

export interface WriteGateOptions {
  log: Logger;
  retry: RetryPolicy;
  random?: () => number;
  raiseAlert(alert: AppAlertInput): void;
  resolveAlerts?(alertType: string): void;
  /** The calendar's name in alerts (the Google calendar id). */
  calendarLabel: string;
  changed(): void;
}

/**
 * What holds every write back, as opposed to one job's failure: sign-in needed, a calendar
 * that is missing or read-only (re-checked with backoff), a Retry-After from the server, and
 * the pause after the worker itself failed. Each raises its alert once and resolves it.
 */
export class WriteGate {
  /** The calendar is missing or read-only: every write waits, re-checked with backoff. */
  calendarBlock: { block: CalendarBlock; message: string } | null = null;
  blockCheckAt = 0;
  /** Retry-After: the server asked for quiet until then (every write waits, not only the job). */
  pausedUntil = 0;
  /** After a worker fault (a bug): no turn before then. */
  faultPauseUntil = 0;
  private blockChecks = 0;
  private authAlerted = false;
  private authChecks = 0;

  constructor(private readonly opts: WriteGateOptions) {}

  /** Nothing may be sent before this instant (ms). */
  openAt(): number {
    return Math.max(this.faultPauseUntil, this.pausedUntil, this.calendarBlock ? this.blockCheckAt : 0);
  }

  /** The worker's loop stops for now (a pause or a blocked calendar not yet due for a check). */
  closed(now: number): boolean {
    return now < this.pausedUntil || (this.calendarBlock !== null && now < this.blockCheckAt);
  }

  /** Plain status words (the dashboard says them in the user's language); the alert has the detail. */
  blockText(): string | null {
    if (!this.calendarBlock) return null;
    return this.calendarBlock.block === 'calendar-not-found' ? 'calendar not found' : 'no write access';
  }

  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  /** Sign-in works again. */
  signedIn(): void {
    if (this.authAlerted) this.opts.resolveAlerts?.('calendar_sign_in_needed');
    this.authAlerted = false;
    this.authChecks = 0;
  }

  /** The delay before the next look for what heals a needed sign-in by itself. */
  nextAuthCheckDelay(): number {
    return backoffDelay(++this.authChecks, this.opts.retry, this.opts.random);
  }

  noteAuthNeeded(e: SyncError): void {
    this.opts.log.warn('google', `Google Calendar needs sign-in: ${e.message}`);
    if (!this.authAlerted) {
      this.authAlerted = true;
      this.opts.raiseAlert({
        alertType: 'calendar_sign_in_needed',
        severity: 'error',
        message: `Google Calendar sign-in needed: Google refused the saved sign-in (${e.message}). Sign in again in Settings, or place a new token.json in the data directory. Calendar writes wait until then; nothing is lost.`,
        text: { key: 'appAlert.calendarSignIn', params: { error: e.message } },
      });
    }
    this.opts.changed();
  }

  noteCalendarBlocked(e: SyncError): void {
    const block = e.block ?? 'calendar-not-found';
    const fresh = this.calendarBlock?.block !== block;
    this.calendarBlock = { block, message: e.message };
    this.blockChecks++;
    this.blockCheckAt = Date.now() + backoffDelay(this.blockChecks, this.opts.retry, this.opts.random);
    if (fresh) {
      const calendar = this.opts.calendarLabel;
      this.opts.log.warn('sync', `${e.message}; calendar writes wait and are retried by themselves`);
      this.opts.raiseAlert(
        block === 'calendar-not-found'
          ? {
              alertType: 'calendar_not_found',
              severity: 'error',
              message: `The Google calendar "${calendar}" was not found. Check the calendar id in Settings (or that the calendar still exists). Calendar writes wait and resume by themselves.`,
              text: { key: 'appAlert.calendarNotFound', params: { calendar } },
              details: { status: e.status, reason: e.reason },
            }
          : {
              alertType: 'calendar_no_write_access',
              severity: 'error',
              message: `No write access to the Google calendar "${calendar}". Share it with the signed-in account with "Make changes to events", or choose another calendar. Calendar writes wait and resume by themselves.`,
              text: { key: 'appAlert.calendarNoWriteAccess', params: { calendar } },
              details: { status: e.status, reason: e.reason },
            },
      );
    }
    this.opts.changed();
  }

  clearCalendarBlock(): void {
    if (!this.calendarBlock) return;
    const was = this.calendarBlock.block;
    this.calendarBlock = null;
    this.blockChecks = 0;
    this.opts.log.info('sync', 'the calendar can be written again');
    this.opts.resolveAlerts?.(was === 'calendar-not-found' ? 'calendar_not_found' : 'calendar_no_write_access');
    this.opts.changed();
  }
}

export function toSyncError(err: unknown): SyncError {
  if (err instanceof SyncError) return err;
  return new SyncError(errorText(err), 'retryable');
}
