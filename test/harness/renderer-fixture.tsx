import { render, type RenderResult } from '@testing-library/react';
import { fogisMatchSchema, type FogisMatch } from '../../shared/messages';
import type { Alert, MatchChange, Snapshot } from '../../shared/state';
import { App } from '../../renderer/src/App';
import { createMemoryBridge, type MemoryBridge, type MemoryBridgeOptions } from '../../renderer/src/bridge/memory';
import { emptySnapshot } from '../../renderer/src/demo';
import { loadFixture } from './fixture';

/**
 * Snapshots for component tests, built from the recorded processor run so the pages see
 * real FOGIS match objects (names, `/Date(ms)/` kickoffs, referee lists).
 */
export interface FixtureFacts {
  /** Match lists of the 5 match_updates messages, in order. */
  lists: FogisMatch[][];
  alertMessage: string;
  counts: { total: number; byChannel: Record<string, number>; byType: Record<string, number> };
}

export function fixtureFacts(): FixtureFacts {
  const lines = loadFixture();
  const lists: FogisMatch[][] = [];
  let alertMessage = '';
  const byChannel: Record<string, number> = {};
  const byType: Record<string, number> = {};
  for (const l of lines) {
    const msg = JSON.parse(l.raw) as { type: string; payload: { matches?: unknown[]; message?: string } };
    byChannel[l.channel] = (byChannel[l.channel] ?? 0) + 1;
    byType[msg.type] = (byType[msg.type] ?? 0) + 1;
    if (msg.type === 'match_updates') lists.push((msg.payload.matches ?? []).map((m) => fogisMatchSchema.parse(m)));
    if (msg.type === 'system_alert') alertMessage = msg.payload.message ?? '';
  }
  return { lists, alertMessage, counts: { total: lines.length, byChannel, byType } };
}

/** Relative to the real clock: "changed recently" and "ago" texts depend on it. */
export const NOW = Date.now();

/** The state after the whole fixture was received: 2 matches (B cancelled), one error alert. */
export function snapshotAfterRun(now = NOW): Snapshot {
  const f = fixtureFacts();
  const base = emptySnapshot(now);
  const at = new Date(now - 30_000).toISOString();
  const alert: Alert = {
    id: 'a1', source: 'system_alert', alertType: 'processing_error', severity: 'error',
    message: f.alertMessage, at, details: { error_type: 'RuntimeError' }, acknowledged: false,
  };
  const history: MatchChange[] = [
    { matchId: '6400103', kind: 'removed', title: 'IFK Björkö - Hovås Billdal IF', fields: [], at, messageId: 'u5' },
    { matchId: '6400102', kind: 'cancelled', title: 'Kärra KIF - Lerums IS', fields: [{ field: 'installd', old: false, new: true }], at, messageId: 'u4' },
    {
      matchId: '6400101', kind: 'changed', title: 'Öckerö IF - Torslanda IK', at, messageId: 'u3',
      // Field names and values as electron/core/monitor/match-diff.ts reports them.
      fields: [
        { field: 'kickoff', old: '2026-11-30 16:30', new: '2026-11-30 17:00' },
        { field: 'referee:AD1', old: 'Björn Åberg', new: 'Isak Öhman' },
        { field: 'referee:AD2', old: null, new: 'Hanna Wik' },
        { field: 'referee:Dom:contact', old: null, new: null },
      ],
    },
  ];
  return {
    ...base,
    counters: {
      ...base.counters,
      messages_received: f.counts.total,
      messages_processed: f.counts.total,
      by_channel: f.counts.byChannel,
      by_type: { ...base.counters.by_type, ...f.counts.byType },
      last_message_time: at,
    },
    alerts: { ...base.alerts, items: [alert], total: 1 },
    matches: { list: f.lists[4]!, receivedAt: at, messageId: 'u5', generation: 'g3', history, historyTotal: 3 },
  };
}

/** The state after step 1: the first list with all 3 matches. */
export function snapshotAfterFirstList(now = NOW): Snapshot {
  const f = fixtureFacts();
  const base = emptySnapshot(now);
  return { ...base, matches: { ...base.matches, list: f.lists[0]!, receivedAt: new Date(now).toISOString(), messageId: 'u1', generation: 'g3' } };
}

export function renderApp(
  snapshot: Snapshot,
  opts: MemoryBridgeOptions & { lang?: string } = {},
): { bridge: MemoryBridge; view: RenderResult } {
  window.history.replaceState(null, '', '/');
  const bridge = createMemoryBridge(snapshot, opts);
  const view = render(<App bridge={bridge} storeOptions={{ navigatorLanguage: opts.lang ?? 'en-GB' }} />);
  return { bridge, view };
}
