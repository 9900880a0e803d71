import {
  configPatchSchema,
  type AckAlertsBody,
  type ActionResult,
  type ConfigPatch,
  type ConfigUpdateResult,
  type FieldError,
  type MessagesResponse,
  type MessagesQuery,
  MESSAGES_PAGE_DEFAULT,
  type RedisTestResult,
  type SyncReport,
} from '../../../shared/api';
import type { Bridge } from '../../../shared/contract';
import { configSchema, maskConfig, maskRedisUrl, plainIssueMessage } from '../../../shared/config';
import { resolveMaskedUrl } from '../../../shared/redis-url';
import type { z } from 'zod';
import type { MessageLogEntry, MonitorEvent, Snapshot } from '../../../shared/state';
import { computeStatus, withStatus } from '../../../shared/status';
import { failure } from '../../../shared/text-ref';
import type { ContactsResponse } from '../../../shared/contacts';

/**
 * An in-memory host for component tests and the `?demo` page: holds a Snapshot, answers
 * like the real server (validation included) and lets the test script events.
 */
export interface MemoryBridge extends Bridge {
  /** The current state as the fake server sees it. */
  snapshot: Snapshot;
  messages: MessageLogEntry[];
  messagesTotal: number;
  /** Every call the renderer made, in order. */
  readonly calls: { method: string; args: unknown[] }[];
  /** What the next `syncNow` / `confirmDeletions` answers. */
  nextSync: SyncReport;
  /** How long `syncNow` takes, to make the progress state observable. */
  syncDelayMs: number;
  /** What `testConnection` answers. */
  nextTest: RedisTestResult;
  /** What `getContacts` answers. */
  contacts: ContactsResponse;
  /** Set to make an action answer this instead of doing its work (a failure to show). */
  answers: ScriptedAnswers;
  /** Pushes an event to subscribers (and applies snapshot/state events to `snapshot`). */
  emit(event: MonitorEvent): void;
  /** Replaces parts of the snapshot and pushes them as a `state` event. */
  patch(patch: Partial<Snapshot>): void;
  /** Appends log entries and pushes them as a `messages` event. */
  pushMessages(entries: Omit<MessageLogEntry, 'seq'>[]): void;
  /** Reports the event stream down or up, as the HTTP bridge does on a server restart. */
  setLink(up: boolean): void;
  /** The password the fake server keeps, to check "masked URL keeps the password". */
  readonly redisUrl: string;
}

export interface MemoryBridgeOptions {
  kind?: Bridge['kind'];
  messages?: MessageLogEntry[];
  nextSync?: SyncReport;
  syncDelayMs?: number;
  /** The real (unmasked) Redis URL; defaults to the snapshot's. */
  redisUrl?: string;
  contacts?: ContactsResponse;
}

/** Actions whose answer a test can script, e.g. a failed Reconnect with its code. */
export interface ScriptedAnswers {
  restartSubscription?: ActionResult;
  setPaused?: ActionResult;
  muteNotifications?: ActionResult;
  googleSignIn?: ActionResult;
  googleSignOut?: ActionResult;
  acknowledgeAlerts?: ActionResult;
  updateConfig?: ConfigUpdateResult;
}

type Listener = { onEvent: (e: MonitorEvent) => void; onLink?: (up: boolean) => void };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    const cur = out[k];
    out[k] = isRecord(v) && isRecord(cur) ? deepMerge(cur, v) : v;
  }
  return out;
}

function changedPaths(a: unknown, b: unknown, prefix = ''): string[] {
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => changedPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

const okSync: SyncReport = {
  success: true,
  inserted: 0,
  updated: 3,
  deleted: 1,
  unchanged: 0,
  failed: 0,
  held: 0,
  summary: '3 updated, 1 deleted, 0 failed',
};

export function createMemoryBridge(initial: Snapshot, opts: MemoryBridgeOptions = {}): MemoryBridge {
  const listeners = new Set<Listener>();
  let realUrl = opts.redisUrl ?? initial.config.redis.url;
  const record = (method: string, ...args: unknown[]): void => {
    bridge.calls.push({ method, args });
  };
  const broadcast = (e: MonitorEvent): void => {
    for (const l of listeners) l.onEvent(e);
  };
  const action = (message: string): Promise<ActionResult> => Promise.resolve({ success: true, message });

  const bridge: MemoryBridge = {
    kind: opts.kind ?? 'memory',
    // Like the core, this host computes the one status; the pages only read it.
    snapshot: withStatus({ ...initial, config: maskConfig(initial.config) }, { demo: initial.status.demo }),
    messages: opts.messages ?? [],
    messagesTotal: opts.messages?.length ?? 0,
    calls: [],
    nextSync: opts.nextSync ?? okSync,
    syncDelayMs: opts.syncDelayMs ?? 0,
    nextTest: { success: true, ping_ms: 1, pubsub_roundtrip_ms: 2 },
    contacts: opts.contacts ?? { contacts: [], updatedAt: null },
    answers: {},
    get redisUrl() {
      return realUrl;
    },

    async getSnapshot() {
      record('getSnapshot');
      return structuredClone(bridge.snapshot);
    },
    async getMessages(query?: MessagesQuery): Promise<MessagesResponse> {
      record('getMessages');
      const older = query?.before === undefined ? bridge.messages : bridge.messages.filter((m) => m.seq < (query.before ?? 0));
      const limit = query?.limit ?? MESSAGES_PAGE_DEFAULT;
      const entries = older.slice(-limit);
      return { entries, total: bridge.messagesTotal, cap: bridge.snapshot.config.limits.messageLog, next: older.length > entries.length ? (entries[0]?.seq ?? null) : null };
    },
    subscribe(onEvent, onLink) {
      record('subscribe');
      const l: Listener = { onEvent, onLink };
      listeners.add(l);
      onLink?.(true);
      return () => listeners.delete(l);
    },
    async syncNow() {
      record('syncNow');
      if (bridge.syncDelayMs > 0) await new Promise((r) => setTimeout(r, bridge.syncDelayMs));
      const report = bridge.nextSync;
      if (report.success) {
        bridge.patch({ calendar: { ...bridge.snapshot.calendar, lastSyncAt: new Date().toISOString(), pending: 0 } });
      }
      return report;
    },
    async confirmDeletions() {
      record('confirmDeletions');
      const held = bridge.snapshot.calendar.heldDeletions;
      bridge.patch({ calendar: { ...bridge.snapshot.calendar, heldDeletions: 0 } });
      return { ...okSync, updated: 0, deleted: held, summary: `0 updated, ${held} deleted, 0 failed` };
    },
    async confirmTakeover() {
      record('confirmTakeover');
      const t = bridge.snapshot.calendar.takeover;
      bridge.patch({ calendar: { ...bridge.snapshot.calendar, takeover: null } });
      return { ...okSync, updated: t?.updated ?? 0, deleted: t?.deleted ?? 0, summary: `${t?.updated ?? 0} updated, ${t?.deleted ?? 0} deleted, 0 failed` };
    },
    async restartSubscription() {
      record('restartSubscription');
      if (bridge.answers.restartSubscription) return bridge.answers.restartSubscription;
      return action('Subscription restarted');
    },
    async testConnection() {
      record('testConnection');
      return bridge.nextTest;
    },
    async acknowledgeAlerts(body: AckAlertsBody) {
      record('acknowledgeAlerts', body);
      if (bridge.answers.acknowledgeAlerts) return bridge.answers.acknowledgeAlerts;
      const ids = 'ids' in body ? new Set(body.ids) : null;
      const items = bridge.snapshot.alerts.items.map((a) => (ids === null || ids.has(a.id) ? { ...a, acknowledged: true } : a));
      bridge.patch({ alerts: { ...bridge.snapshot.alerts, items } });
      return { success: true };
    },
    async setPaused(paused: boolean) {
      record('setPaused', paused);
      if (bridge.answers.setPaused) return bridge.answers.setPaused;
      const connection = {
        ...bridge.snapshot.connection,
        state: paused ? ('stopped' as const) : ('subscribed' as const),
        subscribed: !paused,
        stateSince: new Date().toISOString(),
      };
      bridge.patch({ connection });
      return action(paused ? 'Paused' : 'Resumed');
    },
    async muteNotifications(until: string | null) {
      record('muteNotifications', until);
      if (bridge.answers.muteNotifications) return bridge.answers.muteNotifications;
      return action(until ? `Muted until ${until}` : 'Unmuted');
    },
    async updateConfig(patch: ConfigPatch): Promise<ConfigUpdateResult> {
      record('updateConfig', patch);
      if (bridge.answers.updateConfig) return bridge.answers.updateConfig;
      const p = configPatchSchema.safeParse(patch);
      const toErrors = (issues: z.core.$ZodIssue[]): FieldError[] =>
        issues.map((i) => ({ path: i.path.map(String).join('.'), message: plainIssueMessage(i) }));
      if (!p.success) return { success: false, error: 'invalid configuration', errorCode: failure('invalidSettings'), errors: toErrors(p.error.issues) };
      // "redis://:****@host" means: keep the password we have, for the same server only (as the core does).
      const incoming = p.data.redis?.url;
      const resolved = incoming === undefined ? { ok: true as const, url: realUrl } : resolveMaskedUrl(incoming, realUrl);
      if (!resolved.ok) return { success: false, error: 'invalid configuration', errorCode: failure('invalidSettings'), errors: [{ path: 'redis.url', message: resolved.message, code: resolved.id }] };
      const nextUrl = resolved.url;
      const unmasked = { ...bridge.snapshot.config, redis: { ...bridge.snapshot.config.redis, url: realUrl } };
      const merged = deepMerge(unmasked, p.data as Record<string, unknown>);
      const full = configSchema.safeParse({ ...merged, redis: { ...(merged.redis as Record<string, unknown>), url: nextUrl } });
      if (!full.success) return { success: false, error: 'invalid configuration', errorCode: failure('invalidSettings'), errors: toErrors(full.error.issues) };
      const applied = changedPaths(unmasked, full.data);
      realUrl = full.data.redis.url;
      const config = maskConfig(full.data);
      const connection = { ...bridge.snapshot.connection, endpoint: maskRedisUrl(realUrl), channels: Object.values(config.redis.channels) };
      bridge.patch({ config, connection });
      return { success: true, config, applied };
    },
    async googleSignIn() {
      record('googleSignIn');
      if (bridge.answers.googleSignIn) return bridge.answers.googleSignIn;
      bridge.patch({ calendar: { ...bridge.snapshot.calendar, signedIn: true, status: 'ok' } });
      return action('Signed in');
    },
    async getContacts() {
      record('getContacts');
      return structuredClone(bridge.contacts);
    },
    async googleSignOut() {
      record('googleSignOut');
      if (bridge.answers.googleSignOut) return bridge.answers.googleSignOut;
      bridge.patch({ calendar: { ...bridge.snapshot.calendar, signedIn: false, status: 'sign-in needed' } });
      return action('Signed out');
    },

    emit(event: MonitorEvent) {
      if (event.kind === 'snapshot') bridge.snapshot = event.snapshot;
      if (event.kind === 'state') bridge.snapshot = { ...bridge.snapshot, ...event.patch };
      broadcast(structuredClone(event));
    },
    patch(patch: Partial<Snapshot>) {
      const status = patch.status ?? computeStatus({ ...bridge.snapshot, ...patch }, { demo: bridge.snapshot.status.demo });
      bridge.emit({ kind: 'state', patch: { ...patch, status } });
    },
    pushMessages(entries) {
      const withSeq = entries.map((e, i) => ({ ...e, seq: bridge.messagesTotal + i + 1 }));
      bridge.messagesTotal += withSeq.length;
      bridge.messages = [...bridge.messages, ...withSeq].slice(-bridge.snapshot.config.limits.messageLog);
      broadcast({ kind: 'messages', entries: withSeq, total: bridge.messagesTotal });
    },
    setLink(up: boolean) {
      for (const l of listeners) l.onLink?.(up);
    },
  };
  return bridge;
}
