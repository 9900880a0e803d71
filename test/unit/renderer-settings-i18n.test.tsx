// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { renderApp, snapshotAfterRun } from '../harness/renderer-fixture';
import { translate, catalogues } from '../../renderer/src/i18n';
import { en } from '../../shared/i18n/en';

afterEach(cleanup);

const openSettings = async (): Promise<void> => {
  fireEvent.click(await screen.findByTestId('tab-settings'));
};
const input = (path: string): HTMLInputElement => screen.getByTestId(`setting-${path}`) as HTMLInputElement;

describe('Settings', () => {
  it('rejects an invalid Redis URL with a field message and does not send it', async () => {
    const { bridge } = renderApp(snapshotAfterRun());
    await openSettings();
    fireEvent.change(input('redis.url'), { target: { value: 'http://redis.example:6379' } });
    const err = await screen.findByTestId('field-error-redis.url');
    expect(err.textContent).toContain('not a Redis address');
    expect(input('redis.url').getAttribute('aria-invalid')).toBe('true');
    expect(input('redis.url').getAttribute('aria-describedby')).toContain(err.id);
    fireEvent.click(screen.getByTestId('settings-save'));
    expect((await screen.findByTestId('settings-result')).dataset.result).toBe('invalid');
    expect(bridge.calls.some((c) => c.method === 'updateConfig')).toBe(false);
  });

  it('validates numbers against the schema bounds', async () => {
    renderApp(snapshotAfterRun());
    await openSettings();
    fireEvent.change(input('redis.backoffInitialMs'), { target: { value: '10' } });
    expect((await screen.findByTestId('field-error-redis.backoffInitialMs')).textContent).toBe('Must be at least 50.');
    fireEvent.change(input('http.port'), { target: { value: 'abc' } });
    expect((await screen.findByTestId('field-error-http.port')).textContent).toBe('Enter a number.');
  });

  it('sends only the changed channel and shows it saved', async () => {
    const { bridge } = renderApp(snapshotAfterRun());
    await openSettings();
    fireEvent.change(input('redis.channels.matchUpdates'), { target: { value: 'fogis:matches:test' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    const result = await screen.findByTestId('settings-result');
    await waitFor(() => expect(result.dataset.result).toBe('saved'));
    expect(bridge.calls.find((c) => c.method === 'updateConfig')?.args[0]).toEqual({ redis: { channels: { matchUpdates: 'fogis:matches:test' } } });
    expect(bridge.snapshot.config.redis.channels.matchUpdates).toBe('fogis:matches:test');
    expect(input('redis.channels.matchUpdates').value).toBe('fogis:matches:test');
  });

  it('shows the password masked and keeps it when the masked URL is sent back', async () => {
    const s = snapshotAfterRun();
    s.config = { ...s.config, redis: { ...s.config.redis, url: 'redis://:s3cret@redis.local:6379/0' } };
    const { bridge } = renderApp(s);
    await openSettings();
    expect(input('redis.url').value).toBe('redis://:****@redis.local:6379/0');
    expect(document.body.textContent).not.toContain('s3cret');
    // Another database on the same server: the stored password is kept.
    fireEvent.change(input('redis.url'), { target: { value: 'redis://:****@redis.local:6379/2' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    await waitFor(() => expect(screen.getByTestId('settings-result').dataset.result).toBe('saved'));
    expect(bridge.redisUrl).toBe('redis://:s3cret@redis.local:6379/2');
    expect(input('redis.url').value).toBe('redis://:****@redis.local:6379/2');
  });

  it('asks for the password again when the masked address points to another server (issue 9 finding 4)', async () => {
    const s = snapshotAfterRun();
    s.config = { ...s.config, redis: { ...s.config.redis, url: 'redis://:s3cret@redis.local:6379/0' } };
    const { bridge } = renderApp(s);
    await openSettings();
    fireEvent.change(input('redis.url'), { target: { value: 'redis://:****@redis.other:6380/0' } });
    expect((await screen.findByTestId('field-error-redis.url')).textContent).toContain('Type the password again');
    fireEvent.click(screen.getByTestId('settings-save'));
    expect((await screen.findByTestId('settings-result')).dataset.result).toBe('invalid');
    expect(bridge.calls.some((c) => c.method === 'updateConfig')).toBe(false);
    expect(bridge.redisUrl).toBe('redis://:s3cret@redis.local:6379/0');
  });

  it('shows fields fixed by the environment read-only with the variable, in both languages (issue 14 item 4)', async () => {
    const s = snapshotAfterRun();
    s.envFixed = { 'redis.url': 'REDIS_URL', 'redis.enabled': 'REDIS_PUBSUB_ENABLED' };
    renderApp(s, { lang: 'sv' });
    await openSettings();
    expect(input('redis.url').readOnly).toBe(true);
    expect(input('redis.enabled').disabled).toBe(true);
    expect(input('redis.channels.matchUpdates').readOnly).toBe(false);
    const note = screen.getByTestId('env-fixed-redis.url');
    expect(note.textContent).toBe('Sätts av miljövariabeln REDIS_URL och kan inte ändras här.');
    expect(input('redis.url').getAttribute('aria-describedby')).toContain(note.id);
    cleanup();
    renderApp(s, { lang: 'en' });
    await openSettings();
    expect(screen.getByTestId('env-fixed-redis.enabled').textContent).toBe('Set by the environment variable REDIS_PUBSUB_ENABLED; it cannot be changed here.');
  });

  it('translates a refusal the core names by code (a field fixed by the environment)', async () => {
    const { bridge } = renderApp(snapshotAfterRun(), { lang: 'sv' });
    bridge.updateConfig = async () => ({
      success: false,
      error: 'Some settings are not valid; nothing was changed.',
      errors: [{ path: 'redis.channels.systemAlerts', message: 'is set by the environment variable REDIS_SYSTEM_ALERTS_CHANNEL; change it there', code: 'envFixed', variable: 'REDIS_SYSTEM_ALERTS_CHANNEL' }],
    });
    await openSettings();
    fireEvent.change(input('redis.channels.systemAlerts'), { target: { value: 'fogis:alerts:other' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    expect((await screen.findByTestId('field-error-redis.channels.systemAlerts')).textContent).toBe('Sätts av miljövariabeln REDIS_SYSTEM_ALERTS_CHANNEL; ändra den där.');
  });

  it('refuses a time zone the computer does not know before sending it (issue 9 finding 1)', async () => {
    const { bridge } = renderApp(snapshotAfterRun());
    await openSettings();
    fireEvent.change(input('calendar.timeZone'), { target: { value: 'Europe/Stokholm' } });
    expect((await screen.findByTestId('field-error-calendar.timeZone')).textContent).toBe('Not a known time zone. Use a name such as Europe/Stockholm.');
    fireEvent.click(screen.getByTestId('settings-save'));
    expect(bridge.calls.some((c) => c.method === 'updateConfig')).toBe(false);
  });

  it("shows the server's field errors after saving", async () => {
    const { bridge } = renderApp(snapshotAfterRun());
    bridge.updateConfig = async () => ({
      success: false,
      error: 'Invalid settings',
      errors: [{ path: 'redis.channels.systemAlerts', message: 'channel is already used for match lists' }],
    });
    await openSettings();
    fireEvent.change(input('redis.channels.systemAlerts'), { target: { value: 'fogis:alerts:elsewhere' } });
    fireEvent.click(screen.getByTestId('settings-save'));
    expect((await screen.findByTestId('field-error-redis.channels.systemAlerts')).textContent).toBe('channel is already used for match lists');
    expect(screen.getByTestId('settings-result').dataset.result).toBe('rejected');
  });

  it('shows start-at-login only in the desktop app', async () => {
    renderApp(snapshotAfterRun());
    await openSettings();
    expect(screen.queryByTestId('setting-ui.startAtLogin')).toBeNull();
    cleanup();
    renderApp(snapshotAfterRun(), { kind: 'ipc' });
    await openSettings();
    expect(screen.getByTestId('setting-ui.startAtLogin')).toBeTruthy();
  });
});

describe('Language', () => {
  it('is Swedish for a Swedish browser and switches to English and back', async () => {
    const { bridge } = renderApp(snapshotAfterRun(), { lang: 'sv-SE' });
    expect((await screen.findByTestId('connection-state')).textContent).toContain('Ansluten till Redis');
    expect(screen.getByTestId('tab-matches').textContent).toBe('Matcher');
    expect(document.documentElement.lang).toBe('sv');
    fireEvent.click(screen.getByTestId('language-switch'));
    await waitFor(() => expect(screen.getByTestId('connection-state').textContent).toContain('Connected to Redis'));
    expect(screen.getByTestId('tab-matches').textContent).toBe('Matches');
    expect(bridge.calls.find((c) => c.method === 'updateConfig')?.args[0]).toEqual({ ui: { language: 'en' } });
    fireEvent.click(screen.getByTestId('language-switch'));
    await waitFor(() => expect(screen.getByTestId('connection-state').textContent).toContain('Ansluten till Redis'));
  });

  it('is English otherwise, and config.ui.language overrides the browser', async () => {
    renderApp(snapshotAfterRun(), { lang: 'de-DE' });
    expect((await screen.findByTestId('sync-now')).textContent).toBe('Sync now');
    cleanup();
    const s = snapshotAfterRun();
    s.config = { ...s.config, ui: { ...s.config.ui, language: 'sv' } };
    const { bridge } = renderApp(s, { lang: 'en-US' });
    expect((await screen.findByTestId('sync-now')).textContent).toBe('Synkronisera nu');
    // A config change from elsewhere (tray, another window) applies live.
    act(() => bridge.patch({ config: { ...bridge.snapshot.config, ui: { ...bridge.snapshot.config.ui, language: 'en' } } }));
    expect(screen.getByTestId('sync-now').textContent).toBe('Sync now');
  });

  it('the Swedish sync summary and every catalogue key translated', async () => {
    renderApp(snapshotAfterRun(), { lang: 'sv' });
    fireEvent.click(await screen.findByTestId('sync-now'));
    expect((await screen.findByTestId('sync-result')).textContent).toBe('3 uppdaterade, 1 borttagen, 0 misslyckade');
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(catalogues.sv[key], key).toBeTruthy();
      // Placeholders must survive translation.
      const names = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
      expect(names(catalogues.sv[key]), key).toEqual(names(en[key]));
    }
    expect(translate('sv', 'sync.updated.other', { n: 3 })).toBe('{n} uppdaterade'.replace('{n}', '3'));
  });
});
