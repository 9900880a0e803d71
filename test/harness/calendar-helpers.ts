import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configSchema, type AppConfig } from '../../shared/config';
import type { FogisMatch } from '../../shared/messages';
import type { SecretStore } from '../../electron/core/core-api';
import { createMemoryLogger } from '../../electron/core/log';
import type { AppAlertInput, MatchListInput, SinkContext } from '../../electron/core/sync/calendar-sink';
import { TOKEN_SECRET_NAME } from '../../electron/core/sync/google-auth';

const FIXTURE = fileURLToPath(new URL('../fixtures/processor-run-default.jsonl', import.meta.url));

/** The full lists of the recorded processor run, in order: steps 1, 2, 4, 5, 6. */
export function fixtureLists(): FogisMatch[][] {
  const lists: FogisMatch[][] = [];
  for (const line of readFileSync(FIXTURE, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { raw } = JSON.parse(line) as { channel: string; raw: string };
    const msg = JSON.parse(raw) as { type: string; payload: { matches?: FogisMatch[] } };
    if (msg.type === 'match_updates' && msg.payload.matches) lists.push(msg.payload.matches);
  }
  return lists;
}

/**
 * The recorded run's own time (its first message). The fixture's matches are then upcoming,
 * whatever the date the tests run on: the sync never changes history (change-window.ts).
 */
export const FIXTURE_NOW = Date.parse('2026-11-25T21:34:28Z');
export const fixtureClock = (): number => FIXTURE_NOW;

let seq = 0;
export function listInput(matches: FogisMatch[]): MatchListInput {
  seq++;
  return { matches, changes: [], messageId: `msg-${seq}`, receivedAt: new Date().toISOString() };
}

export function testConfig(calendar: Record<string, unknown> = {}): AppConfig {
  return configSchema.parse({ calendar });
}

export interface TestContext extends SinkContext {
  alerts: AppAlertInput[];
  /** alertType of every resolveAlerts call, in order. */
  resolved: string[];
  lines: string[];
}

export function testContext(dataDir: string): TestContext {
  const log = createMemoryLogger();
  const alerts: AppAlertInput[] = [];
  const resolved: string[] = [];
  return { dataDir, log, alerts, resolved, lines: log.lines, raiseAlert: (a) => alerts.push(a), resolveAlerts: (t) => resolved.push(t), publicBaseUrl: () => 'http://127.0.0.1:5003' };
}

export class MemorySecretStore implements SecretStore {
  readonly kind = 'file' as const;
  readonly warning = null;
  readonly values = new Map<string, string>();
  async get(name: string): Promise<string | null> {
    return this.values.get(name) ?? null;
  }
  async set(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }
  async delete(name: string): Promise<void> {
    this.values.delete(name);
  }
}

/** A secret store holding a signed-in token whose access token must first be refreshed. */
export function signedInStore(refreshToken = 'refresh-ok'): MemorySecretStore {
  const s = new MemorySecretStore();
  s.values.set(
    TOKEN_SECRET_NAME,
    JSON.stringify({ refresh_token: refreshToken, access_token: null, expiry_date: null, scope: 'https://www.googleapis.com/auth/calendar', client_id: 'cid.apps.googleusercontent.com', client_secret: 'csecret', token_uri: null }),
  );
  return s;
}

export const fastRetry = { baseDelayMs: 5, maxDelayMs: 40, maxAttempts: 6 };

export async function waitFor(cond: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
