import { describe, expect, it } from 'vitest';
import { waitForAnswer } from '../../electron/core/redis/answer-wait';

const never = new Promise<string>(() => undefined);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('waitForAnswer (the PING silence budget)', () => {
  it('passes the answer through, and the reply’s own error', async () => {
    await expect(waitForAnswer(Promise.resolve('PONG'), { budgetMs: 100, progress: () => 0, held: () => false })).resolves.toEqual({ answered: true, value: 'PONG' });
    await expect(waitForAnswer(Promise.reject(new Error('Connection is closed.')), { budgetMs: 100, progress: () => 0, held: () => false })).rejects.toThrow('Connection is closed.');
  });

  it('gives up after the budget of silence, not before', async () => {
    const t0 = performance.now();
    const out = await waitForAnswer(never, { budgetMs: 120, progress: () => 0, held: () => false });
    const took = performance.now() - t0;
    expect(out.answered).toBe(false);
    expect(took).toBeGreaterThanOrEqual(115);
    expect(took).toBeLessThan(1000);
  });

  it('keeps waiting while anything is read, or while reading is held back; then counts the silence afresh', async () => {
    let bytes = 0;
    let held = false;
    const t0 = performance.now();
    const feeder = (async () => {
      for (let i = 0; i < 10; i++) {
        await sleep(40);
        bytes += 100;
      }
      held = true;
      await sleep(300);
      held = false;
    })();
    const out = await waitForAnswer(never, { budgetMs: 100, progress: () => bytes, held: () => held });
    await feeder;
    // 400 ms of trickle + 300 ms held + 100 ms of real silence.
    expect(out.answered).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(750);
  });
});
