import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../electron/core/log';
import { DEMO_INTERVAL_DEFAULT_MS, demoIntervalMs } from '../../electron/core/demo/demo-interval';

describe('DEMO_INTERVAL_MS', () => {
  it('takes a whole number of 10 ms to 60 s; anything else is logged and the default used', () => {
    const log = createMemoryLogger();
    expect(demoIntervalMs(undefined, log)).toBe(DEMO_INTERVAL_DEFAULT_MS);
    expect(demoIntervalMs('100', log)).toBe(100);
    expect(demoIntervalMs('60000', log)).toBe(60_000);
    expect(log.lines).toEqual([]);
    for (const bad of ['', ' ', 'fast', '9', '60001', '1.5', '-100', 'Infinity', '1e9']) expect(demoIntervalMs(bad, log), bad).toBe(DEMO_INTERVAL_DEFAULT_MS);
    expect(log.lines).toHaveLength(9);
    expect(log.lines[0]).toMatch(/\[demo\].*DEMO_INTERVAL_MS must be a whole number/);
  });
});
