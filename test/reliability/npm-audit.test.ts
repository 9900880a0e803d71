import { describe, it } from 'vitest';
import { npmAudit } from '../../reliability/audit';
import { expectRow } from './expect-row';

/** Skipped, with the registry's answer as the reason, when the audit endpoint cannot be reached. */
describe('reliability: supply chain', () => {
  it('npm audit --omit=dev: no high or critical advisory', async (ctx) => {
    expectRow(await npmAudit(), ctx);
  }, 120_000);
});
