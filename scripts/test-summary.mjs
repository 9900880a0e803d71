// The one summary line of `npm test`, from vitest's JSON report (jest-compatible shape).
// Kept apart from scripts/test.mjs so it is tested on real and synthetic reports.
//
// Counting rules:
// - failed tests are `numFailedTests`. `numFailedTestSuites` is NOT added: vitest counts every
//   describe block as a suite, so one failing test in two nested describes made "3 failed".
// - a file that failed without any failed test (it did not load, or a hook threw) is one
//   failure, so a broken file can never pass as "0 failed".
// - a run that exited non-zero with nothing counted (an unhandled error) is one failure.

/**
 * @param {unknown} report parsed JSON report, or null when none was written
 * @param {number | null} exitStatus vitest's exit status
 * @returns {{ passed: number, failedTests: number, failedFiles: number, failed: number, skipped: number, line: string }}
 */
export function summarize(report, exitStatus) {
  const r = report && typeof report === 'object' ? /** @type {Record<string, unknown>} */ (report) : null;
  const num = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
  const passed = num(r?.numPassedTests);
  const failedTests = num(r?.numFailedTests);
  const skipped = num(r?.numPendingTests) + num(r?.numTodoTests);
  const files = Array.isArray(r?.testResults) ? r.testResults : [];
  let failedFiles = 0;
  for (const f of files) {
    if (!f || typeof f !== 'object' || f.status !== 'failed') continue;
    const asserts = Array.isArray(f.assertionResults) ? f.assertionResults : [];
    if (!asserts.some((a) => a && a.status === 'failed')) failedFiles++;
  }
  let failed = failedTests + failedFiles;
  if (!r || (exitStatus !== 0 && failed === 0)) failed = Math.max(failed, 1);
  const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
  return { passed, failedTests, failedFiles, failed, skipped, line };
}
