import type { Logger } from './log';
import { errorText } from './log';

/**
 * The last line of defence (DESIGN rule 9). Every entry point the outside world or a timer
 * can call (a Redis message, a timer, an HTTP request, the calendar worker, an event
 * listener) runs inside one of these; an exception that escapes its handler becomes a report
 * (the monitor counts it as `internal_errors` and raises an alert "internal error in <area>")
 * instead of ending the process. Bad input is never this path: it is a counted rejection.
 */

export type FaultArea = 'redis' | 'timer' | 'http' | 'sync' | 'listener' | 'process';
export type FaultReporter = (area: FaultArea, err: unknown) => void;

/** Runs `fn`; an exception is reported and `fallback` returned. */
export function contained<T>(report: FaultReporter, area: FaultArea, fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (err) {
    safeReport(report, area, err);
    return fallback;
  }
}

/** Starts `fn` without awaiting it; a throw or a rejection is reported. */
export function containedAsync(report: FaultReporter, area: FaultArea, fn: () => Promise<unknown>): void {
  try {
    fn().catch((err: unknown) => safeReport(report, area, err));
  } catch (err) {
    safeReport(report, area, err);
  }
}

/** A reporter must never be the thing that throws. */
export function safeReport(report: FaultReporter, area: FaultArea, err: unknown): void {
  try {
    report(area, err);
  } catch (inner) {
    try {
      process.stderr.write(`[app] internal error in ${area}: ${errorText(err)} (and reporting it failed: ${errorText(inner)})\n`);
    } catch {
      // Nothing left to tell.
    }
  }
}

export interface ProcessGuardOptions {
  log: Logger;
  /** Where a caught process-level error goes once the app runs (the core's internal error). */
  report: FaultReporter;
  /** While true, an uncaught exception is fatal: start-up failed and the app must say so and exit. */
  starting: () => boolean;
  /** @default process.exit */
  exit?: (code: number) => void;
}

/**
 * Process-level handlers for the shells (headless.ts; the Electron main process can call the
 * same). Once started, an `uncaughtException` or `unhandledRejection` is logged and reported
 * and the process keeps running: the coordinator's calendar and dashboard matter more than a
 * clean stack. During start-up an uncaught exception still exits (code 1) with a clear line,
 * so a broken start never leaves a half-running app behind. Returns a function that removes them.
 */
export function installProcessGuards(opts: ProcessGuardOptions): () => void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const onException = (err: unknown): void => {
    if (opts.starting()) {
      safeLog(opts.log, `could not start: ${errorText(err)}`);
      exit(1);
      return;
    }
    safeLog(opts.log, `uncaught exception (the app keeps running): ${stackOf(err)}`);
    safeReport(opts.report, 'process', err);
  };
  const onRejection = (reason: unknown): void => {
    safeLog(opts.log, `unhandled promise rejection (the app keeps running): ${stackOf(reason)}`);
    safeReport(opts.report, 'process', reason);
  };
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}

function stackOf(err: unknown): string {
  return err instanceof Error && err.stack ? err.stack.split('\n').slice(0, 6).join('\n') : errorText(err);
}

function safeLog(log: Logger, text: string): void {
  try {
    log.error('app', text);
  } catch {
    process.stderr.write(`[app] ${text}\n`);
  }
}
