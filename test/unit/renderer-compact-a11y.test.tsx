// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { renderApp, snapshotAfterRun, NOW } from '../harness/renderer-fixture';
import { App } from '../../renderer/src/App';
import { createMemoryBridge } from '../../renderer/src/bridge/memory';
import { summarizeMessage } from '../../renderer/src/message-summary';
import { nextMatch } from '../../renderer/src/pages/Glance';
import { fmtCountdown } from '../../renderer/src/format';
import type { MessageLogEntry, Snapshot } from '../../shared/state';

/** Issue 14: the compact view, landmarks, focus, live regions, the message list, plurals. */

afterEach(cleanup);

function failedCycle(s: Snapshot, error = 'FOGIS API client unreachable'): Snapshot {
  const at = new Date(NOW - 60_000).toISOString();
  const cycle = { status: 'failed' as const, at, details: { error_type: 'RuntimeError', error_message: error }, messageId: 'c9' };
  return { ...s, processor: { ...s.processor, last: cycle, lastFailed: cycle, cycles: 4 } };
}

/** The fixture's matches are in 2026; move one into the future relative to the real clock. */
function withFutureMatch(s: Snapshot): Snapshot {
  const list = s.matches.list.map((m, i) => (i === 0 ? { ...m, tid: `/Date(${NOW + 2 * 86_400_000})/`, installd: false } : m));
  return { ...s, matches: { ...s.matches, list } };
}

function renderCompact(s: Snapshot, kind: 'memory' | 'ipc' = 'memory', lang = 'en-GB') {
  window.history.replaceState(null, '', '/#compact');
  const bridge = createMemoryBridge(s, { kind });
  render(<App bridge={bridge} storeOptions={{ navigatorLanguage: lang }} />);
  return bridge;
}

describe('compact view (#compact)', () => {
  it('answers "is everything fine, what is next" without tabs: status, failure, next match, alerts, Sync now', async () => {
    const s = withFutureMatch(failedCycle(snapshotAfterRun()));
    const bridge = renderCompact(s);
    const view = await screen.findByTestId('compact-view');
    expect(screen.queryByRole('tablist')).toBeNull();
    expect(screen.getByTestId('overall-status').textContent).toContain('Unacknowledged error: ');
    const proc = within(view).getByTestId('glance-processor');
    expect(proc.textContent).toContain('Last processor check failed');
    expect(proc.textContent).toContain('The processor reported: FOGIS API client unreachable');
    const next = nextMatch(s.matches.list, Date.now());
    expect(next).not.toBeNull();
    expect(within(view).getByTestId('glance-next-match').textContent).toContain(next!.match.lag1namn);
    expect(within(view).getAllByTestId('glance-alert')).toHaveLength(1);
    fireEvent.click(within(view).getByTestId('glance-sync-now'));
    const result = await within(view).findByTestId('glance-sync-result');
    expect(result.dataset.success).toBe('true');
    expect(bridge.calls.filter((c) => c.method === 'syncNow')).toHaveLength(1);
  });

  it('acknowledging in the glance keeps focus off the page body', async () => {
    renderCompact(snapshotAfterRun());
    const button = await screen.findByTestId('glance-ack');
    button.focus();
    fireEvent.click(button);
    await waitFor(() => expect(screen.queryByTestId('glance-ack')).toBeNull());
    await waitFor(() => expect(document.activeElement).not.toBe(document.body));
    expect(document.activeElement?.textContent).toBe('No alerts waiting');
  });

  it('"Open dashboard" switches a browser to the full layout, and asks the window host in Electron', async () => {
    renderCompact(snapshotAfterRun());
    fireEvent.click(await screen.findByTestId('open-dashboard'));
    await screen.findByRole('tablist');
    expect(window.location.hash).toBe('#overview');
    cleanup();

    const opened: string[] = [];
    const original = window.open;
    window.open = ((url?: string | URL) => {
      opened.push(String(url));
      return null;
    }) as typeof window.open;
    try {
      renderCompact(snapshotAfterRun(), 'ipc');
      fireEvent.click(await screen.findByTestId('open-dashboard'));
      expect(opened).toHaveLength(1);
      expect(opened[0]).toMatch(/#overview$/);
      // The compact window itself stays compact; main shows the dashboard window.
      expect(screen.getByTestId('compact-view')).toBeTruthy();
    } finally {
      window.open = original;
    }
  });

  it('is Swedish for a Swedish coordinator', async () => {
    renderCompact(withFutureMatch(failedCycle(snapshotAfterRun())), 'memory', 'sv-SE');
    await screen.findByTestId('compact-view');
    expect(screen.getByTestId('glance-processor').textContent).toContain('Processorns senaste kontroll misslyckades');
    expect(screen.getByTestId('glance-processor').textContent).toContain('Processorn rapporterade: FOGIS API client unreachable');
    expect(screen.getByTestId('glance-next-match').textContent).toContain('Nästa match');
    expect(screen.getByTestId('glance-sync-now').textContent).toBe('Synkronisera nu');
    expect(screen.getByTestId('open-dashboard').textContent).toBe('Öppna översikten');
  });

  it('says why Redis is down and that the list may be out of date, in a region that was already there', async () => {
    const s = snapshotAfterRun();
    const bridge = renderCompact(s);
    const region = await screen.findByTestId('glance-problems');
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(region.textContent).toBe('');
    act(() =>
      bridge.patch({
        connection: { ...s.connection, state: 'reconnecting', subscribed: false, connected: false, reason: 'connection refused', attempt: 3, nextRetryAt: new Date(Date.now() + 5_000).toISOString(), possiblyStale: true, staleSince: new Date(NOW).toISOString() },
      }),
    );
    const conn = within(region).getByTestId('glance-connection');
    expect(conn.textContent).toContain('connection refused');
    expect(conn.textContent).toMatch(/Attempt 3; next try in [45] sec/);
    expect(screen.getByTestId('glance-problems')).toBe(region);
    expect(within(region).getByTestId('glance-stale').textContent).toContain('out of date since');
  });

  it('nextMatch skips past and cancelled matches', () => {
    const s = snapshotAfterRun();
    // Cancelled and past matches are never "next".
    const past = s.matches.list.map((m) => ({ ...m, tid: `/Date(${NOW - 86_400_000})/` }));
    expect(nextMatch(past, NOW)).toBeNull();
    const cancelled = withFutureMatch(s).matches.list.map((m) => ({ ...m, installd: true }));
    expect(nextMatch(cancelled, NOW)).toBeNull();
  });
});

describe('landmarks and live regions', () => {
  it('keeps nav and main landmarks around the tab widget', async () => {
    renderApp(snapshotAfterRun());
    const nav = await screen.findByRole('navigation');
    expect(within(nav).getByRole('tablist')).toBeTruthy();
    const main = screen.getByRole('main');
    expect(within(main).getByRole('tabpanel')).toBeTruthy();
  });

  it('the stale banner fills a live region that was already there', async () => {
    const { bridge } = renderApp(snapshotAfterRun());
    const region = await screen.findByTestId('stale-live');
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(region.textContent).toBe('');
    act(() => bridge.patch({ connection: { ...bridge.snapshot.connection, possiblyStale: true, staleSince: new Date(NOW).toISOString() } }));
    expect(screen.getByTestId('stale-live')).toBe(region);
    expect(within(region).getByTestId('stale-banner').textContent).toContain('may be out of date');
  });
});

describe('focus after actions', () => {
  it('Test connection, Reconnect and Pause keep focus on their button while busy and after', async () => {
    const { bridge } = renderApp(snapshotAfterRun());
    for (const id of ['test-connection', 'restart-subscription', 'pause-listening']) {
      const button = await screen.findByTestId(id);
      button.focus();
      fireEvent.click(button);
      // Busy: still focusable, marked busy rather than disabled.
      expect((button as HTMLButtonElement).disabled).toBe(false);
      await screen.findByTestId('connection-note');
      await waitFor(() => expect(button.getAttribute('aria-disabled')).toBeNull());
      expect(document.activeElement).toBe(screen.getByTestId(id));
    }
    expect(bridge.calls.map((c) => c.method)).toEqual(expect.arrayContaining(['testConnection', 'restartSubscription', 'setPaused']));
  });

  it('a second click while busy does not run the action twice', async () => {
    const { bridge } = renderApp(snapshotAfterRun());
    const button = await screen.findByTestId('test-connection');
    fireEvent.click(button);
    fireEvent.click(button);
    await screen.findByTestId('connection-note');
    expect(bridge.calls.filter((c) => c.method === 'testConnection')).toHaveLength(1);
  });

  it('Acknowledge moves focus to the text that replaced the button', async () => {
    renderApp(snapshotAfterRun());
    fireEvent.click(await screen.findByTestId('tab-alerts'));
    const button = await screen.findByTestId('ack-alert');
    button.focus();
    fireEvent.click(button);
    const acked = await screen.findByTestId('alert-acked');
    await waitFor(() => expect(document.activeElement).toBe(acked));
  });
});

describe('Messages', () => {
  const entry = (seq: number, type: string, payload: Record<string, unknown>): MessageLogEntry => {
    const preview = JSON.stringify({ message_id: `m${seq}`, type, payload });
    return { seq, at: new Date(NOW - (100 - seq) * 1000).toISOString(), channel: type === 'match_updates' ? 'fogis:matches:updates' : 'fogis:processor:status', type, messageId: `m${seq}`, bytes: preview.length, preview };
  };

  it('is one tab stop; arrows, Home and End move; rows show the cycle status and the failure', async () => {
    const messages = [
      entry(1, 'processing_status', { status: 'started' }),
      entry(2, 'processing_status', { status: 'failed', details: { error_message: 'FOGIS down' } }),
      entry(3, 'match_updates', { matches: [{}, {}, {}] }),
    ];
    renderApp(snapshotAfterRun(), { messages });
    fireEvent.click(await screen.findByTestId('tab-messages'));
    const rows = await screen.findAllByTestId('message-row');
    expect(rows).toHaveLength(3);
    const summaries = rows.map((r) => r.querySelector('summary')!);
    expect(summaries.map((s) => s.tabIndex)).toEqual([0, -1, -1]);
    // Newest first: the list, the failed cycle, the started one.
    expect(within(rows[0]!).getByTestId('message-matches').textContent).toBe('3 matches');
    expect(rows[1]!.dataset.status).toBe('failed');
    expect(within(rows[1]!).getByTestId('message-status').textContent).toBe('failed');
    expect(within(rows[1]!).getByTestId('message-text').textContent).toBe('FOGIS down');
    summaries[0]!.focus();
    fireEvent.keyDown(summaries[0]!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(summaries[1]);
    await waitFor(() => expect(summaries.map((s) => s.tabIndex)).toEqual([-1, 0, -1]));
    fireEvent.keyDown(summaries[1]!, { key: 'End' });
    expect(document.activeElement).toBe(summaries[2]);
    fireEvent.keyDown(summaries[2]!, { key: 'Home' });
    expect(document.activeElement).toBe(summaries[0]);
  });

  it('summarizeMessage reads whole and cut previews', () => {
    expect(summarizeMessage({ type: 'processing_status', preview: '{"payload":{"status":"completed"}}' })).toMatchObject({ status: 'completed', tone: 'ok' });
    // A preview cut mid-way still yields the status.
    expect(summarizeMessage({ type: 'processing_status', preview: '{"payload": {"status": "failed", "details": {"error_message": "x' })).toMatchObject({ status: 'failed', tone: 'error' });
    expect(summarizeMessage({ type: 'system_alert', preview: '{"payload":{"severity":"critical","message":"disk full"}}' })).toMatchObject({ status: 'critical', tone: 'error', text: 'disk full' });
    expect(summarizeMessage({ type: 'system_alert', preview: JSON.stringify({ payload: { severity: 'error', message: 'y'.repeat(500) } }) }).text).toHaveLength(120);
    expect(summarizeMessage({ type: 'unknown', preview: 'not json' })).toEqual({ status: null, tone: null, matches: null, text: null });
  });
});

describe('words', () => {
  it('one unsaved change is singular in both languages', async () => {
    for (const [lang, one, two] of [['en-GB', '1 unsaved change', '2 unsaved changes'], ['sv-SE', '1 osparad ändring', '2 osparade ändringar']] as const) {
      renderApp(snapshotAfterRun(), { lang });
      fireEvent.click(await screen.findByTestId('tab-settings'));
      fireEvent.change(screen.getByTestId('setting-redis.channels.matchUpdates'), { target: { value: 'fogis:x' } });
      expect(await screen.findByText(one)).toBeTruthy();
      fireEvent.change(screen.getByTestId('setting-redis.channels.processorStatus'), { target: { value: 'fogis:y' } });
      expect(await screen.findByText(two)).toBeTruthy();
      cleanup();
    }
  });

  it('while reconnecting: a countdown, no stale response time', async () => {
    const s = snapshotAfterRun();
    s.connection = { ...s.connection, state: 'reconnecting', connected: false, subscribed: false, attempt: 6, lastPingMs: 3, nextRetryAt: new Date(Date.now() + 8_000).toISOString(), reason: 'connection refused' };
    renderApp(s);
    expect((await screen.findByTestId('connection-next-retry')).textContent).toMatch(/^Attempt 6; next try in [78] sec/);
    expect(screen.getByTestId('connection-ping').textContent).toBe('—');
    expect(fmtCountdown(new Date(NOW + 8_000), 'sv', NOW)).toBe('om 8 sek');
    expect(fmtCountdown(new Date(NOW - 1_000), 'en', NOW)).toBe('now');
    expect(fmtCountdown(new Date(NOW + 180_000), 'en', NOW)).toBe('in 3 min');
  });
});
