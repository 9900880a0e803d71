import { configSchema } from '../../shared/config';
import { emptySnapshot as emptyAppSnapshot } from '../../shared/empty-snapshot';
import type { FogisMatch } from '../../shared/messages';
import { withStatus } from '../../shared/status';
import type { Alert, MatchChange, MessageLogEntry, Snapshot } from '../../shared/state';
import { createMemoryBridge, type MemoryBridge } from './bridge/memory';

/** A valid, quiet snapshot: subscribed for 5 minutes, nothing received yet. Tests build on it. */
export function emptySnapshot(now: number = Date.now()): Snapshot {
  const config = configSchema.parse({});
  const base = emptyAppSnapshot(config, now, 'demo');
  return withStatus({
    ...base,
    uptimeSeconds: 60,
    connection: {
      ...base.connection,
      state: 'subscribed',
      stateSince: new Date(now - 5 * 60_000).toISOString(),
      connected: true,
      subscribed: true,
      channels: Object.values(config.redis.channels),
      lastPingMs: 1,
      endpoint: config.redis.url,
    },
    counters: { ...base.counters, started_at: new Date(now - 60_000).toISOString() },
    calendar: { ...base.calendar, subscribeUrl: 'http://127.0.0.1:5003/calendar.ics' },
  });
}

const tidAt = (ms: number): string => `/Date(${ms})/`;

function demoMatches(now: number): FogisMatch[] {
  const day = 86_400_000;
  const at = (days: number, h: number, m: number): number => {
    const d = new Date(now + days * day);
    d.setUTCHours(h - 1, m, 0, 0);
    return d.getTime();
  };
  return [
    {
      matchid: 6400101, matchnr: '000041001', lag1namn: 'Öckerö IF', lag2namn: 'Torslanda IK',
      anlaggningnamn: 'Hönö IP Konstgräs', tid: tidAt(at(5, 17, 0)), avsparkstid: '17:00',
      tavlingnamn: 'Div 4 Göteborg A, herr 2026', installd: false, uppskjuten: false, avbruten: false,
      domaruppdraglista: [
        { domarrollkortnamn: 'Dom', domarrollnamn: 'Huvuddomare', personnamn: 'Anna Ekström' },
        { domarrollkortnamn: 'AD1', domarrollnamn: 'Assisterande 1', personnamn: 'Isak Öhman' },
        { domarrollkortnamn: 'AD2', domarrollnamn: 'Assisterande 2', personnamn: 'Hanna Wik' },
      ],
    },
    {
      matchid: 6400102, matchnr: '000041002', lag1namn: 'Kärra KIF', lag2namn: 'Lerums IS',
      anlaggningnamn: 'Kärra Sportfält 2 (konstgräs)', tid: tidAt(at(9, 19, 0)), avsparkstid: '19:00',
      tavlingnamn: 'Div 4 Göteborg A, herr 2026', installd: true, uppskjuten: false, avbruten: false,
      domaruppdraglista: [{ domarrollkortnamn: 'Dom', domarrollnamn: 'Huvuddomare', personnamn: 'Erik Nyström' }],
    },
  ];
}

export function demoSnapshot(now: number = Date.now()): Snapshot {
  const base = emptySnapshot(now);
  const ago = (min: number): string => new Date(now - min * 60_000).toISOString();
  const list = demoMatches(now);
  const history: MatchChange[] = [
    { matchId: '6400103', kind: 'removed', title: 'IFK Björkö - Hovås Billdal IF', fields: [], at: ago(3), messageId: 'm5' },
    { matchId: '6400102', kind: 'cancelled', title: 'Kärra KIF - Lerums IS', fields: [{ field: 'installd', old: false, new: true }], at: ago(6), messageId: 'm4' },
    {
      matchId: '6400101', kind: 'changed', title: 'Öckerö IF - Torslanda IK', at: ago(9), messageId: 'm3',
      fields: [
        { field: 'avsparkstid', old: '16:30', new: '17:00' },
        { field: 'referee:AD1', old: 'Björn Åberg', new: 'Isak Öhman' },
      ],
    },
  ];
  const alert: Alert = {
    id: 'demo-alert-1', source: 'system_alert', alertType: 'processing_error', severity: 'error',
    message: 'Match processing failed: FOGIS API client unreachable', at: ago(1),
    details: { error_type: 'RuntimeError', component: 'match-list-processor' }, acknowledged: false,
  };
  const cycle = (status: 'started' | 'completed' | 'failed', min: number) => ({ status, at: ago(min), details: {}, messageId: `c${min}` });
  return {
    ...base,
    counters: {
      ...base.counters,
      messages_received: 20,
      messages_processed: 20,
      by_type: { match_updates: 5, processing_status: 14, system_alert: 1, unknown: 0 },
      by_channel: { 'fogis:matches:updates': 5, 'fogis:processor:status': 14, 'fogis:system:alerts': 1 },
      last_message_time: ago(1),
      rejected_by_reason: { ...base.counters.rejected_by_reason, invalid_json: 1 },
      by_generation: { ...base.counters.by_generation, g3: 5 },
    },
    processor: { lastStarted: cycle('started', 1), lastCompleted: cycle('completed', 3), lastFailed: cycle('failed', 1), last: cycle('failed', 1), lastDurationMs: 1140, cycles: 8 },
    alerts: { ...base.alerts, items: [alert], total: 1 },
    matches: { list, receivedAt: ago(3), messageId: 'm5', generation: 'g3', history, historyTotal: history.length },
    rejected: {
      ...base.rejected,
      items: [{ at: ago(7), channel: 'fogis:matches:updates', reason: 'invalid_json', error: 'Unexpected token } at position 41', head: '{"message_id": "x", "type": "match_updates",}', bytes: 44 }],
      total: 1,
    },
    calendar: {
      ...base.calendar,
      lastSyncAt: ago(3),
      counters: { inserted: 3, updated: 2, deleted: 1 },
      perMatch: {
        '6400101': { status: 'synced', reason: null, updatedAt: ago(3) },
        '6400102': { status: 'synced', reason: null, updatedAt: ago(3) },
      },
    },
  };
}

function demoMessages(now: number): MessageLogEntry[] {
  const out: MessageLogEntry[] = [];
  for (let i = 0; i < 20; i++) {
    const at = new Date(now - (20 - i) * 25_000).toISOString();
    const type = i % 4 === 1 ? 'match_updates' : 'processing_status';
    const channel = type === 'match_updates' ? 'fogis:matches:updates' : 'fogis:processor:status';
    const payload = type === 'match_updates' ? { matches: [{ matchid: 6400101, lag1namn: 'Öckerö IF', lag2namn: 'Torslanda IK' }] } : { status: i % 4 === 0 ? 'started' : 'completed' };
    const preview = JSON.stringify({ message_id: `demo-${i}`, timestamp: at, source: 'match-list-processor', version: '1.0', type, payload });
    out.push({ seq: i + 1, at, channel, type, messageId: `demo-${i}`, bytes: preview.length, preview });
  }
  return out;
}

/** The `?demo` host: demo data plus a heartbeat message every 20 s so the page looks alive. */
export function createDemoBridge(now: number = Date.now()): MemoryBridge {
  const bridge = createMemoryBridge(demoSnapshot(now), { messages: demoMessages(now), syncDelayMs: 900, redisUrl: 'redis://localhost:6379' });
  setInterval(() => {
    const at = new Date().toISOString();
    const preview = JSON.stringify({ message_id: `beat-${at}`, timestamp: at, type: 'processing_status', payload: { status: 'started' } });
    bridge.pushMessages([{ at, channel: 'fogis:processor:status', type: 'processing_status', messageId: `beat-${at}`, bytes: preview.length, preview }]);
  }, 20_000);
  return bridge;
}
