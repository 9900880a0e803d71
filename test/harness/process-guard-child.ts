import { installProcessGuards } from '../../electron/core/containment';
import { createConsoleLogger } from '../../electron/core/log';

/**
 * A child process for test/unit/process-guards.test.ts: installs the shells' process-level
 * guards, then throws from a timer and rejects a promise nobody awaits. `running` means the
 * start has finished (both are reported and it keeps going); `starting` means it has not (the
 * first uncaught exception ends it with exit code 1 and a clear line).
 */
const mode = process.argv[2] === 'starting' ? 'starting' : 'running';
installProcessGuards({
  log: createConsoleLogger(),
  starting: () => mode === 'starting',
  report: (area, err) => process.stdout.write(`REPORT ${area}: ${err instanceof Error ? err.message : String(err)}\n`),
});
setTimeout(() => {
  throw new Error('boom in a timer');
}, 10);
setTimeout(() => {
  void Promise.reject(new Error('a rejected promise'));
}, 50);
setTimeout(() => {
  process.stdout.write('STILL RUNNING\n');
  process.exit(0);
}, 300);
