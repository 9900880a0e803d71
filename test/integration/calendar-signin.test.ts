import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCalendarSink, type FullCalendarSink } from '../../electron/core/sync';
import { TOKEN_SECRET_NAME } from '../../electron/core/sync/google-auth';
import { startFakeCalendarServer, type FakeCalendarServer } from '../harness/fake-calendar-server';
import { fixtureClock, fixtureLists, listInput, MemorySecretStore, testConfig, testContext } from '../harness/calendar-helpers';

let fake: FakeCalendarServer;
let dir: string;
let sink: FullCalendarSink | null = null;

beforeEach(async () => {
  fake = await startFakeCalendarServer();
  dir = mkdtempSync(path.join(tmpdir(), 'cal-signin-'));
  writeFileSync(
    path.join(dir, 'credentials.json'),
    JSON.stringify({ installed: { client_id: 'desk.apps.googleusercontent.com', client_secret: 'desk-secret', auth_uri: 'https://accounts.example/auth', token_uri: 'https://oauth2.example/token', redirect_uris: ['http://localhost'] } }),
  );
});
afterEach(async () => {
  await sink?.stop();
  sink = null;
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Google sign-in', () => {
  it('loopback flow with PKCE S256 and a checked state, then writes', async () => {
    const store = new MemorySecretStore();
    const ctx = testContext(dir);
    sink = createCalendarSink(testConfig({ backend: 'google' }), ctx, { secretStore: store, googleRootUrl: fake.rootUrl, tokenUrl: fake.tokenUrl, authUrl: `${fake.url}/auth`, tokenImportPath: null, clock: fixtureClock });
    await sink.start();
    sink.onMatchList(listInput(fixtureLists()[0]!));
    expect(sink.getState()).toMatchObject({ signedIn: false, pending: 3 });
    expect(sink.getState().status).toMatch(/^sign-in needed/);

    const result = sink.googleSignIn((url) => {
      void (async () => {
        const u = new URL(url);
        expect(u.origin + u.pathname).toBe(`${fake.url}/auth`);
        const q = u.searchParams;
        expect(q.get('code_challenge_method')).toBe('S256');
        expect(q.get('scope')).toBe('https://www.googleapis.com/auth/calendar');
        expect(q.get('access_type')).toBe('offline');
        const redirect = q.get('redirect_uri')!;
        expect(redirect).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
        // A forged redirect with the wrong state is refused and does not end the flow.
        const forged = await fetch(`${redirect}?code=evil&state=wrong`);
        expect(forged.status).toBe(400);
        fake.authorizeCode('good-code', q.get('code_challenge')!, 'refresh-from-consent');
        const ok = await fetch(`${redirect}?code=good-code&state=${encodeURIComponent(q.get('state')!)}`);
        expect(ok.status).toBe(200);
      })();
    });
    expect(await result).toMatchObject({ success: true });
    const saved = JSON.parse(store.values.get(TOKEN_SECRET_NAME)!) as { refresh_token: string; client_id: string };
    expect(saved).toMatchObject({ refresh_token: 'refresh-from-consent', client_id: 'desk.apps.googleusercontent.com' });
    expect(await sink.drain(5000)).toBe(true);
    expect(fake.liveEvents()).toHaveLength(3);
    expect(sink.getState().signedIn).toBe(true);

    expect(await sink.googleSignOut()).toMatchObject({ success: true });
    expect(store.values.has(TOKEN_SECRET_NAME)).toBe(false);
    expect(sink.getState().status).toMatch(/^sign-in needed/);
  });

  it('imports the Python service\'s token.json from the data dir on start', async () => {
    writeFileSync(
      path.join(dir, 'token.json'),
      JSON.stringify({ token: 'ya29.old', refresh_token: 'refresh-imported', token_uri: fake.tokenUrl, client_id: 'cid', client_secret: 'cs', scopes: ['https://www.googleapis.com/auth/calendar'], expiry: '2020-01-01T00:00:00' }),
    );
    const store = new MemorySecretStore();
    sink = createCalendarSink(testConfig({ backend: 'google' }), testContext(dir), { secretStore: store, googleRootUrl: fake.rootUrl, tokenUrl: fake.tokenUrl, clock: fixtureClock });
    await sink.start();
    expect(sink.getState().signedIn).toBe(true);
    sink.onMatchList(listInput(fixtureLists()[0]!));
    expect(await sink.drain(5000)).toBe(true);
    expect(fake.liveEvents()).toHaveLength(3);
    expect(fake.count('token')).toBeGreaterThanOrEqual(1);
  });

  it('reports a missing credentials file as a readable error', async () => {
    rmSync(path.join(dir, 'credentials.json'));
    sink = createCalendarSink(testConfig({ backend: 'google' }), testContext(dir), { secretStore: new MemorySecretStore(), tokenImportPath: null });
    await sink.start();
    const r = await sink.googleSignIn(() => undefined);
    expect(r.success).toBe(false);
    expect(r.error).toMatch(/credentials\.json/);
  });
});
