import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema, ENV_SETTINGS } from '../../shared/config';
import { createMemoryLogger } from '../../electron/core/log';
import { SubscriberSupervisor } from '../../electron/core/redis/subscriber';
import { REPO_ROOT } from '../harness/app';
import { serverRoutes } from '../../electron/core/http/server';
import type { HttpApp } from '../../electron/core/http/http-app';
import type { LiveStream } from '../../electron/core/http/live-stream';
import { OP_NAMES, OPS } from '../../shared/contract-channels';

describe('README stays true', () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  it.each(ENV_SETTINGS.map((s) => s.env))('documents %s', (env) => {
    expect(readme).toContain(`\`${env}\``);
  });
  it('documents every route of the server, with its methods', () => {
    // The route tables the server itself merges (server.ts `serverRoutes`): building them
    // calls nothing of the app, only their paths and methods are read here.
    const app = { handlers: {} } as unknown as HttpApp;
    const routes = serverRoutes({ app, maxBody: () => 0, live: {} as LiveStream });
    const paths = Object.keys(routes);
    expect(paths.length).toBeGreaterThan(15);
    // Every operation of the contract table is served, so it is among the routes checked.
    for (const name of OP_NAMES) expect(routes[OPS[name].http.path]?.[OPS[name].http.method], name).toBeDefined();
    for (const p of paths) {
      const row = documentedRow(readme, p);
      expect(row, `README's server table has no row for ${p}`).not.toBeNull();
      for (const method of Object.keys(routes[p] ?? {})) expect(row, `${method} ${p}`).toContain(method);
    }
  });
});

/** The first cell of the README's route table that names `route` in backticks (`GET /x`, `/x`). */
function documentedRow(readme: string, route: string): string | null {
  for (const line of readme.split('\n')) {
    const cell = /^\| ([^|]*`[^|]*) \|/.exec(line)?.[1];
    if (cell && [...cell.matchAll(/`(?:[A-Z/]+ )?(\/[^`\s]*)`/g)].some((m) => m[1] === route)) return cell;
  }
  return null;
}

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
