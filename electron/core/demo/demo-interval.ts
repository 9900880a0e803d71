import type { Logger } from '../log';

export const DEMO_INTERVAL_DEFAULT_MS = 3000;

/**
 * `DEMO_INTERVAL_MS` (README "npm run demo"): the pause between recorded messages. Anything
 * but a whole number of 10 ms – 60 s is said in the log and the default is used.
 */
export function demoIntervalMs(raw: string | undefined, log: Pick<Logger, 'warn'>): number {
  if (raw === undefined) return DEMO_INTERVAL_DEFAULT_MS;
  const ms = Number(raw);
  if (raw.trim() !== '' && Number.isInteger(ms) && ms >= 10 && ms <= 60_000) return ms;
  log.warn('demo', `DEMO_INTERVAL_MS must be a whole number of milliseconds from 10 to 60000; using ${DEMO_INTERVAL_DEFAULT_MS}`);
  return DEMO_INTERVAL_DEFAULT_MS;
}
