import { expect, type TestContext } from 'vitest';
import type { Row } from '../../reliability/lib';

/**
 * Asserts a reliability row: a skipped scenario is reported as skipped with its reason
 * (never as a pass), a failed one fails with every failed check and the figures.
 */
export function expectRow(row: Row, ctx: TestContext): void {
  if (row.skipped) ctx.skip(`SKIPPED — ${row.skipped}`);
  const why = [...(row.notes ?? []), JSON.stringify(row.figures)].join('\n');
  expect(row.pass, why).toBe(true);
}
