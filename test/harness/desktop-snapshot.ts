import { vi } from 'vitest';
import { configSchema, type AppConfigInput } from '../../shared/config';
import { generationSchema, REJECT_REASONS, type FogisMatch } from '../../shared/messages';
import { withStatus } from '../../shared/status';
import { emptyHistory } from '../../shared/history';
import { snapshotSchema, type Alert, type ConnectionInfo, type MonitorEvent, type Snapshot } from '../../shared/state';
import type { BridgeHandlers, Core, CoreOptions } from '../../electron/core/core-api';
import { emptyCalendarState } from '../../electron/core/sync/calendar-sink';
import { emptyContactsState } from '../../shared/contacts';

/**
 * Snapshots and a fake core for the desktop unit tests. Every snapshot is parsed with the
 * shared schema, so a test can never rely on a shape the real core could not produce.
 */

export const T0 = '2026-05-10T15:00:00.000Z'; // 17:00 in Stockholm (CEST)

export interface SnapshotOverrides {
  now?: string;
  connection?: Partial<ConnectionInfo>;
  alerts?: Alert[];
  matches?: FogisMatch[];
  calendar?: Partial<Snapshot['calendar']>;
  processor?: Partial<Snapshot['processor']>;
  config?: AppConfigInput;
  storageError?: string | null;
  mutedUntil?: string | null;
  lastMessageTime?: string | null;
}

export function makeSnapshot(o: SnapshotOverrides = {}): Snapshot {
  const now = o.now ?? T0;
  const s = {
    version: '0.1.0',
    now,
    uptimeSeconds: 100,
    connection: {
      state: 'subscribed',
      stateSince: '2026-05-10T14:00:00.000Z',
      reason: null,
      reasonCode: null,
      connected: true,
      subscribed: true,
      channels: ['fogis:matches:updates', 'fogis:processor:status', 'fogis:system:alerts'],
      reconnectCount: 0,
      attempt: 0,
      nextRetryAt: null,
      lastPingMs: 1,
      possiblyStale: false,
      staleSince: null,
      endpoint: 'redis://localhost:6379',
      ...o.connection,
    },
    counters: {
      messages_received: 3,
      messages_processed: 3,
      errors: 0,
      reconnect_count: 0,
      duplicates: 0,
      internal_errors: 0,
      by_type: { match_updates: 1, processing_status: 2, system_alert: 0, unknown: 0 },
      by_channel: {},
      // zod 4 records over an enum are exhaustive.
      by_generation: Object.fromEntries(generationSchema.options.map((g) => [g, 0])),
      rejected_by_reason: Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])),
      schema_version_stats: { v2_messages: 0, v1_messages: 0, unknown_messages: 0, preferred_schema: 'v2' },
      last_message_time: o.lastMessageTime === undefined ? '2026-05-10T14:58:00.000Z' : o.lastMessageTime,
      started_at: '2026-05-10T14:00:00.000Z',
    },
    processor: { lastStarted: null, lastCompleted: null, lastFailed: null, last: null, lastDurationMs: null, cycles: 0, ...o.processor },
    alerts: { items: o.alerts ?? [], total: o.alerts?.length ?? 0, cap: 500 },
    matches: { list: o.matches ?? [], receivedAt: null, messageId: null, generation: null, history: [], historyTotal: 0 },
    rejected: { items: [], total: 0, cap: 200 },
    calendar: { ...emptyCalendarState('ics'), ...o.calendar },
    contacts: emptyContactsState(),
    config: configSchema.parse(o.config ?? {}),
    envFixed: {},
    storageError: o.storageError ?? null,
    mutedUntil: o.mutedUntil ?? null,
    history: emptyHistory(Date.parse(now)),
  };
  return snapshotSchema.parse(withStatus(s as unknown as Omit<Snapshot, 'status'>));
}

let alertSeq = 0;
export function makeAlert(o: Partial<Alert> = {}): Alert {
  alertSeq++;
  return {
    id: `a${alertSeq}`,
    source: 'system_alert',
    alertType: 'processing_error',
    severity: 'warning',
    message: 'Something happened',
    at: T0,
    details: {},
    acknowledged: false,
    ...o,
  };
}

export function makeMatch(o: Partial<FogisMatch> & { matchid: number }): FogisMatch {
  return {
    lag1namn: 'Öckerö IF',
    lag2namn: 'Torslanda IK',
    anlaggningnamn: 'Hedens IP',
    tid: '/Date(1778425200000)/',
    speldatum: '2026-05-10',
    avsparkstid: '17:00',
    ...o,
  };
}

export interface FakeCore extends Core {
  current: Snapshot;
  emit(event: MonitorEvent): void;
  calls: Array<{ method: keyof BridgeHandlers; args: unknown[] }>;
  started: boolean;
  stopped: boolean;
  options: CoreOptions | null;
}

export function createFakeCore(initial: Snapshot = makeSnapshot()): FakeCore {
  const listeners = new Set<(e: MonitorEvent) => void>();
  const calls: FakeCore['calls'] = [];
  const record =
    <M extends keyof BridgeHandlers>(method: M, result: Awaited<ReturnType<BridgeHandlers[M]>>) =>
    (...args: unknown[]) => {
      calls.push({ method, args });
      return Promise.resolve(result);
    };
  const ok = { success: true };
  const report = { success: true, inserted: 0, updated: 1, deleted: 0, unchanged: 0, failed: 0, held: 0, summary: '1 updated, 0 deleted, 0 failed' };
  const handlers: BridgeHandlers = {
    getSnapshot: vi.fn(() => {
      calls.push({ method: 'getSnapshot', args: [] });
      return Promise.resolve(core.current);
    }),
    getMessages: record('getMessages', { entries: [], total: 0, cap: 5000 }),
    syncNow: record('syncNow', report),
    confirmDeletions: record('confirmDeletions', report),
    confirmTakeover: record('confirmTakeover', report),
    restartSubscription: record('restartSubscription', ok),
    testConnection: record('testConnection', { success: true, ping_ms: 1, pubsub_roundtrip_ms: 2 }),
    acknowledgeAlerts: record('acknowledgeAlerts', ok),
    setPaused: record('setPaused', ok),
    muteNotifications: record('muteNotifications', ok),
    updateConfig: record('updateConfig', { success: true, config: initial.config, applied: [] }),
    googleSignIn: record('googleSignIn', ok),
    googleSignOut: record('googleSignOut', ok),
    getContacts: record('getContacts', { contacts: [], updatedAt: null }),
  };
  const core: FakeCore = {
    current: initial,
    calls,
    started: false,
    stopped: false,
    options: null,
    handlers,
    dataDir: '/tmp/fake-core',
    accessToken: () => '',
    liveStreamStats: () => null,
    async start() {
      core.started = true;
    },
    async stop() {
      core.stopped = true;
    },
    snapshot: () => core.current,
    onEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    httpBaseUrl: () => 'http://127.0.0.1:5003',
    internalError: () => undefined,
    emit(event) {
      for (const l of listeners) l(event);
    },
  };
  return core;
}
