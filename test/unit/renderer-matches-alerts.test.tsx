// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { fixtureFacts, renderApp, snapshotAfterFirstList, snapshotAfterRun } from '../harness/renderer-fixture';
import { parseTid, kickoffOf } from '../../renderer/src/format';
import { sortMatches } from '../../renderer/src/pages/Matches';

afterEach(cleanup);

const openTab = async (name: string): Promise<void> => {
  fireEvent.click(await screen.findByTestId(`tab-${name}`));
};

describe('Matches', () => {
  it('lists the first list sorted by kickoff in Stockholm time, with referees and roles', async () => {
    const s = snapshotAfterFirstList();
    // Reverse the list so sorting is what puts them in order.
    s.matches.list = [...s.matches.list].reverse();
    renderApp(s);
    await openTab('matches');
    const rows = screen.getAllByTestId('match-row');
    expect(rows.map((r) => r.dataset.matchId)).toEqual(['6400101', '6400102', '6400103']);
    // /Date(1796047200000)/ is 2026-11-30 14:00 UTC = 15:00 in Stockholm.
    expect(within(rows[0]!).getByTestId('match-time').textContent).toBe('15:00');
    expect(within(rows[0]!).getByTestId('match-teams').textContent).toBe('Öckerö IF – Torslanda IK');
    expect(rows[0]!.textContent).toContain('Hönö IP Konstgräs');
    expect(rows[0]!.textContent).toContain('Div 4 Göteborg A, herr 2026');
    expect(rows[0]!.textContent).toMatch(/Dom\s*Anna Ekström/);
    expect(rows[0]!.textContent).toMatch(/AD1\s*Björn Åberg/);
    expect(screen.queryAllByTestId('badge-cancelled')).toHaveLength(0);
  });

  it('goes from 3 to 2 matches live, B shown cancelled, C listed as removed, the change old → new', async () => {
    const { bridge } = renderApp(snapshotAfterFirstList());
    await openTab('matches');
    expect(screen.getAllByTestId('match-row')).toHaveLength(3);
    const after = snapshotAfterRun();
    act(() => bridge.patch({ matches: after.matches }));
    const rows = screen.getAllByTestId('match-row');
    expect(rows).toHaveLength(2);
    const b = rows.find((r) => r.dataset.matchId === '6400102')!;
    expect(b.dataset.cancelled).toBe('true');
    expect(within(b).getByTestId('badge-cancelled').textContent).toBe('Cancelled');
    expect(within(b).getByTestId('status-change').textContent).toMatch(/^Cancelled in FOGIS \d{2}:\d{2}\.$/);
    expect(screen.getByTestId('removed-row').textContent).toContain('IFK Björkö');
    const a = rows.find((r) => r.dataset.matchId === '6400101')!;
    expect(within(a).getByTestId('badge-changed')).toBeTruthy();
    const lines = within(a).getAllByTestId('change-field').map((l) => l.textContent);
    expect(lines[0]).toMatch(/^Kickoff:\s*16:30\s*→\s*changed to\s*17:00$/);
    expect(lines[1]).toMatch(/^Referee \(AD1\):\s*Björn Åberg\s*→\s*changed to\s*Isak Öhman$/);
    expect(lines[2]).toMatch(/^Referee \(AD2\):\s*—\s*→\s*changed to\s*Hanna Wik$/);
    expect(lines[3]).toBe('Contact details of Dom changed');
    expect(screen.getByTestId('matches-count').textContent).toContain('2 matches');
  });

  it('shows the per-match calendar state', async () => {
    const s = snapshotAfterRun();
    s.calendar.perMatch = { '6400101': { status: 'failed', reason: 'quota exceeded', updatedAt: s.now } };
    renderApp(s);
    await openTab('matches');
    const badge = screen.getByTestId('match-calendar');
    expect(badge.dataset.status).toBe('failed');
    expect(screen.getByText('quota exceeded')).toBeTruthy();
  });

  it('reads both tid forms and sorts dateless matches last', () => {
    expect(parseTid('/Date(1796047200000)/')?.toISOString()).toBe('2026-11-30T14:00:00.000Z');
    // ISO without offset is Swedish wall time (CET in winter, CEST in summer).
    expect(parseTid('2026-11-30T15:00:00')?.toISOString()).toBe('2026-11-30T14:00:00.000Z');
    expect(parseTid('2026-05-01T17:00:00')?.toISOString()).toBe('2026-05-01T15:00:00.000Z');
    expect(parseTid('2026-05-01T17:00:00Z')?.toISOString()).toBe('2026-05-01T17:00:00.000Z');
    expect(parseTid('/Date(-62135596800000)/')).toBeNull();
    const [a, b] = fixtureFacts().lists[0]!;
    const dateless = { ...a!, matchid: 1, tid: '/Date(-62135596800000)/', speldatum: undefined };
    expect(sortMatches([dateless, b!, a!]).map((m) => m.matchid)).toEqual([a!.matchid, b!.matchid, 1]);
    expect(kickoffOf(dateless)).toBeNull();
  });
});

describe('Alerts', () => {
  it('shows the processing alert, acknowledges it, and the tab badge goes away', async () => {
    const { bridge } = renderApp(snapshotAfterRun());
    expect((await screen.findByTestId('alerts-unacked')).textContent).toBe('1');
    await openTab('alerts');
    const row = screen.getByTestId('alert-row');
    expect(row.dataset.severity).toBe('error');
    // The processor's text as sent, framed in the app's words (issue 14.1).
    expect(within(row).getByTestId('alert-message').textContent).toBe(`The processor reported: ${fixtureFacts().alertMessage}`);
    fireEvent.click(within(row).getByTestId('ack-alert'));
    await waitFor(() => expect(screen.getByTestId('alert-row').dataset.acknowledged).toBe('true'));
    expect(bridge.calls.find((c) => c.method === 'acknowledgeAlerts')?.args[0]).toEqual({ ids: ['a1'] });
    expect(screen.queryByTestId('alerts-unacked')).toBeNull();
  });

  it('acknowledges all and filters by severity', async () => {
    const s = snapshotAfterRun();
    const base = s.alerts.items[0]!;
    s.alerts.items = [
      base,
      { ...base, id: 'a2', severity: 'warning', message: 'Slow FOGIS' },
      { ...base, id: 'a3', severity: 'info', message: 'Started' },
    ];
    s.alerts.total = 3;
    const { bridge } = renderApp(s);
    await openTab('alerts');
    fireEvent.change(screen.getByTestId('alerts-filter'), { target: { value: 'warning' } });
    expect(screen.getAllByTestId('alert-row').map((r) => r.dataset.alertId)).toEqual(['a2']);
    fireEvent.change(screen.getByTestId('alerts-filter'), { target: { value: 'all' } });
    fireEvent.click(screen.getByTestId('ack-all'));
    await waitFor(() => expect(screen.getAllByTestId('alert-row').every((r) => r.dataset.acknowledged === 'true')).toBe(true));
    expect(bridge.calls.find((c) => c.method === 'acknowledgeAlerts')?.args[0]).toEqual({ all: true });
  });

  it('a new alert event appears at the top', async () => {
    const { bridge } = renderApp(snapshotAfterRun());
    await openTab('alerts');
    const first = bridge.snapshot.alerts.items[0]!;
    act(() => bridge.emit({ kind: 'alert', alert: { ...first, id: 'new', message: 'Redis connection lost', at: '2026-11-25T21:36:00Z' } }));
    expect(screen.getAllByTestId('alert-row')[0]!.dataset.alertId).toBe('new');
    expect(screen.getByTestId('alerts-unacked').textContent).toBe('2');
  });
});
