import { describe, it } from 'vitest';
import { crashReplay } from '../../reliability/crashes';
import { corruptState, fullDiskAndReadOnly } from '../../reliability/data-safety';
import { expectRow } from './expect-row';

/** CI counts: 200 lists and 5 kills per backend; `npm run reliability` does 1,000 lists and 20 kills. */
describe('reliability: crashes and data safety (headless app)', () => {
  it('SIGKILL ×5 during a 200-list replay, ICS: the calendar equals the last list, no loss, no duplicate', async (ctx) => {
    expectRow(await crashReplay({ backend: 'ics', messages: 200, kills: 5, seed: 7 }), ctx);
  }, 90_000);

  it('SIGKILL ×5 during a 200-list replay, Google (local Calendar v3 server)', async (ctx) => {
    expectRow(await crashReplay({ backend: 'google', messages: 200, kills: 5, seed: 11 }), ctx);
  }, 90_000);

  it('SIGKILL ×5 during a 200-list replay, Google with API faults (lost answers, 5xx, resets)', async (ctx) => {
    expectRow(await crashReplay({ backend: 'google', messages: 200, kills: 5, seed: 13, apiFaults: true }), ctx);
  }, 120_000);

  it('corrupt or truncated state files at start: moved aside, alert, the app starts', async (ctx) => {
    expectRow(await corruptState(), ctx);
  }, 60_000);

  it('full disk and read-only data directory: clear error, no crash, recovers by itself', async (ctx) => {
    expectRow(await fullDiskAndReadOnly(), ctx);
  }, 60_000);
});
