import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema, ENV_SETTINGS } from '../../shared/config';
import { createMemoryLogger } from '../../electron/core/log';
import { SubscriberSupervisor } from '../../electron/core/redis/subscriber';
import { REPO_ROOT } from '../harness/app';

describe('README stays true', () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  it.each(ENV_SETTINGS.map((s) => s.env))('documents %s', (env) => {
    expect(readme).toContain(`\`${env}\``);
  });
  it('documents every route of the server', () => {
    const server = readFileSync(path.join(REPO_ROOT, 'electron/core/http/server.ts'), 'utf8');
    const routes = [...server.matchAll(/^ {6}'(\/[^']*)': \{/gm)].map((m) => m[1]);
    expect(routes.length).toBeGreaterThan(15);
    for (const r of routes) expect(readme, r).toContain(r);
  });
});

describe('reconnect backoff', () => {
  const settings = configSchema.parse({}).redis;
  const events = { onMessage: () => undefined, onStatus: () => undefined, onGap: () => undefined, onSubscribed: () => undefined };

  it('doubles from 0.5 s with jitter in [50 %, 100 %] and caps at 30 s', () => {
    for (const r of [0, 0.5, 0.999]) {
      const sup = new SubscriberSupervisor(settings, events, createMemoryLogger(), () => r);
      const delays: number[] = [];
      const internals = sup as unknown as { attempt: number };
      for (let i = 0; i < 12; i++) {
        internals.attempt = i;
        delays.push(sup.nextDelay());
      }
      delays.forEach((d, i) => {
        const step = Math.min(30_000, 500 * 2 ** i);
        expect(d).toBeGreaterThanOrEqual(Math.round(step * 0.5));
        expect(d).toBeLessThanOrEqual(step);
      });
      expect(Math.max(...delays)).toBeLessThanOrEqual(30_000);
    }
  });

  it('never schedules faster than 50 ms, even with odd settings', () => {
    const sup = new SubscriberSupervisor({ ...settings, backoffInitialMs: 50 }, events, createMemoryLogger(), () => 0);
    expect(sup.nextDelay()).toBeGreaterThanOrEqual(50);
  });
});
