import { describe, it } from 'vitest';
import { httpAttacks } from '../../reliability/hostile-http';
import { expectRow } from './expect-row';

/** Own file so its ~31 s of waiting runs beside the other files. */
describe('reliability: HTTP slow-loris', () => {
  it('slow headers are cut within 12 s and a slow body within 32 s, along with the other HTTP checks', async (ctx) => {
    expectRow(await httpAttacks({ slowLoris: true }), ctx);
  }, 60_000);
});
