import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error: plain .mjs script without type declarations; its JSDoc gives the shapes.
import { summarize } from '../../scripts/test-summary.mjs';

/**
 * `npm test`'s last line counts failed TESTS (scripts/test-summary.mjs). One failing test
 * in nested describes printed "3 failed" because describe blocks are suites in vitest's
 * report and numFailedTestSuites was added.
 */

type Summary = { passed: number; failedTests: number; failedFiles: number; failed: number; skipped: number; line: string };
const sum = summarize as (report: unknown, exitStatus: number | null) => Summary;

const file = (status: 'passed' | 'failed', asserts: string[]) => ({ name: '/x.test.ts', status, assertionResults: asserts.map((s) => ({ status: s })) });

describe('summarize (synthetic reports)', () => {
  it('counts one failing test in nested describes as one failure', () => {
    const report = {
      numFailedTestSuites: 3,
      numPassedTests: 5,
      numFailedTests: 1,
      numPendingTests: 0,
      numTodoTests: 0,
      testResults: [file('failed', ['failed', 'passed', 'passed']), file('passed', ['passed', 'passed', 'passed'])],
    };
    expect(sum(report, 1)).toMatchObject({ passed: 5, failed: 1, failedTests: 1, failedFiles: 0, line: '5 passed, 1 failed' });
  });

  it('counts a file that failed to load as one failure, only when it has no failed test', () => {
    const report = {
      numFailedTestSuites: 5,
      numPassedTests: 2,
      numFailedTests: 2,
      testResults: [file('failed', []), file('failed', ['failed', 'failed']), file('failed', ['passed']), file('passed', ['passed'])],
    };
    // Two failed tests in one file, plus two files that failed without a failed test.
    expect(sum(report, 1)).toMatchObject({ failedTests: 2, failedFiles: 2, failed: 4, line: '2 passed, 4 failed' });
  });

  it('reports skipped and todo tests', () => {
    expect(sum({ numPassedTests: 3, numFailedTests: 0, numPendingTests: 2, numTodoTests: 1, testResults: [] }, 0).line).toBe('3 passed, 0 failed, 3 skipped');
  });

  it('never prints 0 failed for a run that failed without a count, or without a report', () => {
    expect(sum({ numPassedTests: 10, numFailedTests: 0, testResults: [] }, 1).failed).toBe(1);
    expect(sum(null, 1).line).toBe('0 passed, 1 failed');
    expect(sum(null, 0).failed).toBe(1);
    expect(sum('garbage', 0).failed).toBe(1);
    expect(sum({ numPassedTests: 10, numFailedTests: 0, testResults: [] }, 0).line).toBe('10 passed, 0 failed');
  });

  it('ignores nonsense numbers instead of printing them', () => {
    expect(sum({ numPassedTests: -4, numFailedTests: 'x', numPendingTests: Number.NaN, testResults: 'no' }, 0).line).toBe('0 passed, 0 failed');
  });
});

describe('summarize (a real vitest run of test/fixtures/vitest-report)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fogis-vitest-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says 3 passed, 2 failed, 2 skipped for one failing nested test and one file that cannot load', () => {
    const out = path.join(dir, 'report.json');
    const root = path.resolve(__dirname, '../..');
    const res = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', path.join(root, 'test/fixtures/vitest-report/vitest.config.mjs'), '--reporter=json', `--outputFile.json=${out}`],
      { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CI: '1' } },
    );
    expect(res.status).toBe(1);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { numFailedTestSuites: number; numFailedTests: number };
    // The numbers the old line added up: describes count as suites.
    expect(report.numFailedTests + report.numFailedTestSuites).toBeGreaterThan(2);
    expect(sum(report, res.status)).toMatchObject({ passed: 3, failedTests: 1, failedFiles: 1, failed: 2, skipped: 2, line: '3 passed, 2 failed, 2 skipped' });
  });
});
