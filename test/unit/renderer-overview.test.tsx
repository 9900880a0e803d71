// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { App } from '../../renderer/src/App';
import { createMemoryBridge } from '../../renderer/src/bridge/memory';
import { renderApp, snapshotAfterRun, fixtureFacts } from '../harness/renderer-fixture';

afterEach(cleanup);

describe('Overview', () => {
  it('renders the counters of the recorded run by total, channel and type', async () => {
    const f = fixtureFacts();
    renderApp(snapshotAfterRun());
    expect(await screen.findByTestId('counter-received')).toHaveProperty('textContent', '20');
    expect(screen.getByTestId('counter-processed').textContent).toBe('20');
    expect(screen.getByTestId('counter-rejected').textContent).toBe('0');
    expect(screen.getByTestId('counter-type-match_updates').textContent).toBe('5');
    expect(screen.getByTestId('counter-type-processing_status').textContent).toBe('14');
    expect(screen.getByTestId('counter-type-system_alert').textContent).toBe('1');
    expect(screen.getByTestId('counter-channel-fogis:matches:updates').textContent).toBe(String(f.counts.byChannel['fogis:matches:updates']));
    expect(screen.getByTestId('connection-state').textContent).toContain('Connected to Redis');
    expect(screen.getByTestId('connection-state').dataset.state).toBe('subscribed');
  });

  it('follows live state patches', async () => {
    const { bridge } = renderApp(snapshotAfterRun());
    await screen.findByTestId('counter-received');
    act(() => bridge.patch({ counters: { ...bridge.snapshot.counters, messages_received: 21 } }));
    expect(screen.getByTestId('counter-received').textContent).toBe('21');
  });

  it('Sync now shows progress, then the result line', async () => {
    const { bridge } = renderApp(snapshotAfterRun(), { syncDelayMs: 50 });
    const button = await screen.findByTestId('sync-now');
    button.focus();
    fireEvent.click(button);
    await waitFor(() => expect(screen.getByTestId('sync-now').textContent).toContain('Syncing'));
    // Busy, but still focusable (the one SyncNow component, as in the glance): a second click does nothing.
    expect(screen.getByTestId('sync-now').getAttribute('aria-disabled')).toBe('true');
    expect(document.activeElement).toBe(screen.getByTestId('sync-now'));
    fireEvent.click(screen.getByTestId('sync-now'));
    const result = await screen.findByTestId('sync-result');
    expect(result.textContent).toBe('3 updated, 1 deleted, 0 failed');
    expect(result.dataset.success).toBe('true');
    expect(bridge.calls.filter((c) => c.method === 'syncNow')).toHaveLength(1);
  });

  it('a failed sync says so with the reason', async () => {
    renderApp(snapshotAfterRun(), {
      nextSync: { success: false, inserted: 0, updated: 0, deleted: 0, unchanged: 0, failed: 2, held: 0, summary: 'x', error: 'Google said no' },
    });
    fireEvent.click(await screen.findByTestId('sync-now'));
    const result = await screen.findByTestId('sync-result');
    expect(result.textContent).toContain('Google said no');
    expect(result.dataset.success).toBe('false');
  });

  it('shows the possibly-stale banner with its time and held deletions with a Confirm button', async () => {
    const s = snapshotAfterRun();
    s.connection = { ...s.connection, possiblyStale: true, staleSince: '2026-11-25T21:00:00Z' };
    s.calendar = { ...s.calendar, heldDeletions: 2 };
    const { bridge } = renderApp(s);
    const banner = await screen.findByTestId('stale-banner');
    expect(banner.textContent).toContain('22:00'); // Stockholm time
    expect(screen.getByTestId('held-deletions').textContent).toContain('2 matches would be deleted');
    fireEvent.click(screen.getByTestId('confirm-deletions'));
    await waitFor(() => expect(screen.queryByTestId('held-deletions')).toBeNull());
    expect(bridge.calls.some((c) => c.method === 'confirmDeletions')).toBe(true);
  });

  it('says when the live link is lost and refetches the snapshot when it returns', async () => {
    const { bridge } = renderApp(snapshotAfterRun());
    await screen.findByTestId('counter-received');
    act(() => bridge.setLink(false));
    expect(screen.getByTestId('link-banner')).toBeTruthy();
    expect(screen.getByTestId('overall-status').textContent).toBe('No contact with FOGIS Monitor');
    bridge.snapshot = { ...bridge.snapshot, counters: { ...bridge.snapshot.counters, messages_received: 0 } };
    const before = bridge.calls.filter((c) => c.method === 'getSnapshot').length;
    act(() => bridge.setLink(true));
    await waitFor(() => expect(screen.getByTestId('counter-received').textContent).toBe('0'));
    expect(screen.queryByTestId('link-banner')).toBeNull();
    expect(bridge.calls.filter((c) => c.method === 'getSnapshot').length).toBe(before + 1);
  });

  it('shows the last processor cycle and the reason when not connected', async () => {
    const s = snapshotAfterRun();
    s.processor = {
      ...s.processor,
      last: { status: 'failed', at: '2026-11-25T21:34:29Z', details: {}, messageId: 'x' },
      lastDurationMs: 1500,
      cycles: 8,
    };
    s.connection = { ...s.connection, state: 'reconnecting', subscribed: false, connected: false, reason: 'authentication failed: check the user name and password in the Redis address', reasonCode: { key: 'reason.auth_failed', params: {} }, reconnectCount: 3 };
    renderApp(s);
    expect((await screen.findByTestId('processor-status')).dataset.status).toBe('failed');
    expect(screen.getByTestId('processor-duration').textContent).toBe('1.5 s');
    // The reason comes as a code and is said with its hint in the user's language (issue 14.1).
    expect(screen.getByTestId('connection-reason').textContent).toBe('Reason: authentication failed: check the user name and password in the Redis address');
    expect(screen.getByTestId('reconnect-count').textContent).toBe('3');
  });
});

describe('navigation', () => {
  it('tabs follow the WAI-ARIA pattern: arrows, Home and End move and focus', async () => {
    renderApp(snapshotAfterRun());
    const overview = await screen.findByTestId('tab-overview');
    expect(overview.getAttribute('aria-selected')).toBe('true');
    expect(overview.tabIndex).toBe(0);
    expect(screen.getByTestId('tab-matches').tabIndex).toBe(-1);
    fireEvent.keyDown(overview, { key: 'ArrowRight' });
    expect(screen.getByTestId('tab-matches').getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(screen.getByTestId('tab-matches'));
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe('tab-matches');
    fireEvent.keyDown(screen.getByTestId('tab-matches'), { key: 'End' });
    expect(document.activeElement).toBe(screen.getByTestId('tab-settings'));
    fireEvent.keyDown(screen.getByTestId('tab-settings'), { key: 'ArrowRight' });
    expect(document.activeElement).toBe(screen.getByTestId('tab-overview'));
    fireEvent.keyDown(screen.getByTestId('tab-overview'), { key: 'ArrowLeft' });
    expect(screen.getByTestId('tab-settings').getAttribute('aria-selected')).toBe('true');
    expect(window.location.hash).toBe('#settings');
  });

  it('opens at the item a notification points to (#alerts/<id>)', async () => {
    window.history.replaceState(null, '', '/#alerts/a1');
    render(<App bridge={createMemoryBridge(snapshotAfterRun())} storeOptions={{ navigatorLanguage: 'en' }} />);
    const row = await screen.findByTestId('alert-row');
    expect(row.className).toContain('is-focused');
  });
});
