import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installProcessGuards } from './core/containment';
import { ConfigError, createCore, type Core } from './core/index';
import { demoIntervalMs } from './core/demo/demo-interval';
import { createConsoleLogger, errorText } from './core/log';

/**
 * Headless shell: the same core as the desktop app under plain Node, with the local server
 * serving the dashboard. `npm run headless`.
 */
const log = createConsoleLogger();
const here = path.dirname(fileURLToPath(import.meta.url));
const staticDir = [path.join(here, 'renderer'), path.join(here, '..', 'dist', 'renderer')].find((d) => existsSync(path.join(d, 'index.html'))) ?? null;

/**
 * Signal handling is installed before anything starts: a SIGINT/SIGTERM that arrives while the
 * core is still starting (the HTTP server already answers) used to hit Node's default action
 * and kill the process without saving state. Such a signal now waits for the start to finish
 * and then shuts down cleanly.
 */
let stopCore: ((signal: string) => void) | null = null;
let pendingSignal: string | null = null;
const onSignal = (signal: string): void => {
  if (stopCore) stopCore(signal);
  else pendingSignal ??= signal;
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

/**
 * The last line of defence at process level (electron/core/containment.ts): once running, an
 * uncaught exception or unhandled rejection is logged, counted and raised as an alert, and the
 * server keeps serving; until the start has finished it ends the process with exit code 1.
 */
let running: Core | null = null;
installProcessGuards({
  log,
  starting: () => running === null,
  report: (area, err) => (running ? running.internalError(area, err) : log.error('app', `${area}: ${errorText(err)}`)),
});

/**
 * `npm run demo` (`--demo`): the recorded processor run played in-process, no Redis needed,
 * in a throw-away data directory (removed at exit), with none of the user's settings: the
 * real data directory, calendar and Google sign-in are never touched.
 */
const demoMode = process.argv.includes('--demo');
const demoDir = demoMode ? mkdtempSync(path.join(tmpdir(), 'fogis-monitor-demo-')) : null;
const demoRecording = path.join(here, '..', 'test', 'fixtures', 'processor-run-default.jsonl');
if (demoDir) process.on('exit', () => rmSync(demoDir, { recursive: true, force: true }));

function demoEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'MONITOR_HTTP_PORT', 'MONITOR_HTTP_HOST', 'TZ', 'LANG'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
}

async function main(): Promise<void> {
  let core;
  try {
    core = await createCore({
      log,
      http: true,
      staticDir,
      ...(demoDir ? { dataDir: demoDir, env: demoEnv(), demo: { file: demoRecording, intervalMs: demoIntervalMs(process.env.DEMO_INTERVAL_MS, log) } } : {}),
    });
    if (demoDir) log.info('demo', `DEMO: a recorded processor run, not live data; throw-away data directory ${demoDir}`);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n\nFix the setting(s) above (environment variable or config.json in the data directory) and start again.\n`);
      process.exit(2);
    }
    log.error('app', `could not start: ${errorText(err)}`);
    process.exit(1);
  }
  try {
    await core.start();
  } catch (err) {
    log.error('app', errorText(err));
    await core.stop();
    process.exit(1);
  }
  running = core;
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('app', `${signal}: shutting down`);
    const force = setTimeout(() => process.exit(0), 1900);
    force.unref();
    const t0 = Date.now();
    void core.stop().then(() => { log.info('app', `stopped in ${Date.now() - t0} ms`); process.exit(0); });
  };
  stopCore = shutdown;
  if (pendingSignal) shutdown(pendingSignal);
}

void main().catch((err: unknown) => {
  log.error('app', `could not start: ${errorText(err)}`);
  process.exit(1);
});
