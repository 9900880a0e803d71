import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SyncReport } from '../../shared/api';
import type { Bridge } from '../../shared/contract';
import type { Alert, MatchChange, MessageLogEntry, MonitorEvent, Snapshot } from '../../shared/state';
import type { Lang } from './format';

/** The inspector keeps the newest 5,000 entries; `messagesTotal` counts all of them. */
export const MESSAGE_BUFFER_CAP = 5_000;
/** The rate chart covers this window. */
export const RATE_WINDOW_MS = 10 * 60_000;
const ARRIVALS_CAP = 100_000;

export interface ActionState {
  running: boolean;
  report: SyncReport | null;
  /** Set when the host could not be reached at all. */
  error: string | null;
  at: number | null;
}

export interface AppState {
  snapshot: Snapshot | null;
  /** Why the first snapshot could not be loaded (host down); cleared by the next one. */
  loadError: string | null;
  /** Whether the live stream to the host is up (always true over IPC). */
  linkUp: boolean;
  linkLostAt: number | null;
  messages: MessageLogEntry[];
  messagesTotal: number;
  /** Cursor of the next older page of the log (null: nothing older is kept). */
  messagesOlder: number | null;
  /** Entries that arrived while the inspector was paused; shown on resume. */
  heldBack: MessageLogEntry[];
  inspectorPaused: boolean;
  /** Arrival times (ms) of messages in the rate window. */
  arrivals: number[];
  navigatorLang: Lang;
  /** The header switch's choice; dropped when the configured language changes. */
  langOverride: Lang | null;
  sync: ActionState;
  confirm: ActionState;
}

export interface AppActions {
  start(): () => void;
  apply(event: MonitorEvent): void;
  refresh(): Promise<void>;
  syncNow(): Promise<void>;
  confirmDeletions(): Promise<void>;
  confirmTakeover(): Promise<void>;
  acknowledge(ids: string[] | 'all'): Promise<boolean>;
  setLanguage(lang: Lang): void;
  setInspectorPaused(paused: boolean): void;
  clearInspector(): void;
  /** Fetches the next older page of the message log into the inspector. */
  loadOlderMessages(): Promise<void>;
  /** The whole stored preview of one message (live entries carry a cut one). */
  fullMessage(seq: number): Promise<MessageLogEntry | null>;
}

export type AppStore = StoreApi<AppState & AppActions>;

export function langFromNavigator(language: string | undefined): Lang {
  return language?.toLowerCase().startsWith('sv') ? 'sv' : 'en';
}

/** config.ui.language wins over the browser's locale; the header switch wins over both. */
export function effectiveLang(s: Pick<AppState, 'snapshot' | 'navigatorLang' | 'langOverride'>): Lang {
  if (s.langOverride) return s.langOverride;
  const configured = s.snapshot?.config.ui.language;
  if (configured === 'sv' || configured === 'en') return configured;
  return s.navigatorLang;
}

const idle: ActionState = { running: false, report: null, error: null, at: null };

function upsertAlert(snapshot: Snapshot, alert: Alert): Snapshot {
  const items = snapshot.alerts.items;
  const i = items.findIndex((a) => a.id === alert.id);
  if (i >= 0) {
    const next = items.slice();
    next[i] = alert;
    return { ...snapshot, alerts: { ...snapshot.alerts, items: next } };
  }
  const cap = snapshot.alerts.cap || snapshot.config.limits.alertLog;
  return {
    ...snapshot,
    alerts: { ...snapshot.alerts, items: [alert, ...items].slice(0, cap), total: snapshot.alerts.total + 1 },
  };
}

const changeKey = (c: MatchChange): string => `${c.messageId}|${c.matchId}|${c.kind}`;

function addChanges(snapshot: Snapshot, changes: MatchChange[]): Snapshot {
  const known = new Set(snapshot.matches.history.map(changeKey));
  const fresh = changes.filter((c) => !known.has(changeKey(c)));
  if (fresh.length === 0) return snapshot;
  // The event lists changes as they happened; the history is newest first.
  const history = [...fresh.reverse(), ...snapshot.matches.history].slice(0, snapshot.config.limits.changeHistory);
  return { ...snapshot, matches: { ...snapshot.matches, history, historyTotal: snapshot.matches.historyTotal + fresh.length } };
}

type Ev<K extends MonitorEvent['kind']> = Extract<MonitorEvent, { kind: K }>;

/** Applies keyed changes to a list: replaced in place, new ones appended, removed ids dropped. */
function applyKeyed<T>(list: readonly T[], upsert: readonly T[], remove: readonly string[], key: (item: T) => string, prepend: boolean): T[] {
  if (upsert.length === 0 && remove.length === 0) return list as T[];
  const gone = new Set(remove);
  const byKey = new Map(upsert.map((u) => [key(u), u]));
  const out: T[] = [];
  for (const item of list) {
    const k = key(item);
    if (gone.has(k)) continue;
    const next = byKey.get(k);
    if (next !== undefined) byKey.delete(k);
    out.push(next ?? item);
  }
  const added = [...byKey.values()];
  return prepend ? [...added, ...out] : [...out, ...added];
}

function applyMatches(s: Snapshot, e: Ev<'matches'>): Snapshot {
  const list = applyKeyed(s.matches.list, e.upsert, e.remove, (m) => String(m.matchid), false);
  return { ...s, matches: { ...s.matches, list, receivedAt: e.receivedAt, messageId: e.messageId, generation: e.generation, historyTotal: e.historyTotal } };
}

function applyAlerts(s: Snapshot, e: Ev<'alerts'>): Snapshot {
  const items = applyKeyed(s.alerts.items, e.upsert, e.remove, (a) => a.id, true).slice(0, e.cap);
  return { ...s, alerts: { items, total: e.total, cap: e.cap } };
}

function applyRejected(s: Snapshot, e: Ev<'rejected'>): Snapshot {
  // Entries are numbered by the total: skip those the snapshot already had.
  const fresh = e.entries.slice(0, Math.max(0, e.total - s.rejected.total));
  if (fresh.length === 0 && e.total <= s.rejected.total) return s;
  return { ...s, rejected: { items: [...fresh, ...s.rejected.items].slice(0, e.cap), total: Math.max(e.total, s.rejected.total), cap: e.cap } };
}

function applyCalendar(s: Snapshot, e: Ev<'calendar'>): Snapshot {
  const perMatch = { ...s.calendar.perMatch };
  for (const [id, state] of Object.entries(e.perMatch)) {
    if (state === null) delete perMatch[id];
    else perMatch[id] = state;
  }
  return { ...s, calendar: { ...e.calendar, perMatch } };
}

function pruneArrivals(arrivals: number[], now: number): number[] {
  const from = now - RATE_WINDOW_MS;
  let i = 0;
  while (i < arrivals.length && (arrivals[i] ?? 0) < from) i++;
  const kept = i > 0 ? arrivals.slice(i) : arrivals;
  return kept.length > ARRIVALS_CAP ? kept.slice(-ARRIVALS_CAP) : kept;
}

export interface StoreOptions {
  navigatorLanguage?: string;
  now?: () => number;
}

export function createAppStore(bridge: Bridge, opts: StoreOptions = {}): AppStore {
  const now = opts.now ?? (() => Date.now());
  let lastSeq = 0;
  let everUp = false;

  return createStore<AppState & AppActions>()((set, get) => {
    const setSnapshot = (snapshot: Snapshot): void => {
      const prev = get().snapshot;
      const langChanged = prev !== null && prev.config.ui.language !== snapshot.config.ui.language;
      set({ snapshot, loadError: null, ...(langChanged ? { langOverride: null } : {}) });
    };

    const takeMessages = (entries: MessageLogEntry[], total: number, replace: boolean, knownArrivals?: number[]): void => {
      const fresh = replace ? entries : entries.filter((e) => e.seq > lastSeq);
      for (const e of fresh) lastSeq = Math.max(lastSeq, e.seq);
      const s = get();
      const times = knownArrivals ?? fresh.map((e) => Date.parse(e.at)).filter((t) => !Number.isNaN(t));
      const arrivals = pruneArrivals([...(replace ? [] : s.arrivals), ...times].sort((a, b) => a - b), now());
      if (s.inspectorPaused && !replace) {
        set({ heldBack: [...s.heldBack, ...fresh].slice(-MESSAGE_BUFFER_CAP), messagesTotal: total, arrivals });
      } else {
        const base = replace ? [] : s.messages;
        set({ messages: [...base, ...fresh].slice(-MESSAGE_BUFFER_CAP), messagesTotal: total, arrivals, ...(replace ? { heldBack: [] } : {}) });
      }
    };

    const loadMessages = async (): Promise<void> => {
      try {
        const res = await bridge.getMessages();
        lastSeq = 0;
        takeMessages(res.entries, res.total, true, res.arrivals);
        set({ messagesOlder: res.next ?? null });
      } catch {
        /* the stream will bring new ones; the buffer just starts empty */
      }
    };

    const runSync = async (key: 'sync' | 'confirm', call: () => Promise<SyncReport>): Promise<void> => {
      if (get()[key].running) return;
      set({ [key]: { ...get()[key], running: true, error: null } } as Partial<AppState>);
      try {
        const report = await call();
        set({ [key]: { running: false, report, error: null, at: now() } } as Partial<AppState>);
      } catch (err) {
        set({ [key]: { running: false, report: null, error: err instanceof Error ? err.message : String(err), at: now() } } as Partial<AppState>);
      }
    };

    return {
      snapshot: null,
      loadError: null,
      linkUp: false,
      linkLostAt: null,
      messages: [],
      messagesTotal: 0,
      messagesOlder: null,
      heldBack: [],
      inspectorPaused: false,
      arrivals: [],
      navigatorLang: langFromNavigator(opts.navigatorLanguage ?? (typeof navigator === 'undefined' ? undefined : navigator.language)),
      langOverride: null,
      sync: idle,
      confirm: idle,

      start() {
        const off = bridge.subscribe(
          (e) => get().apply(e),
          (up) => {
            if (!up) {
              if (get().linkUp || get().linkLostAt === null) set({ linkUp: false, linkLostAt: now() });
              return;
            }
            const wasDown = everUp && !get().linkUp;
            everUp = true;
            set({ linkUp: true, linkLostAt: null });
            // After a server restart the counters and the log may have started over.
            if (wasDown) void get().refresh();
          },
        );
        void get().refresh();
        return off;
      },

      async refresh() {
        try {
          setSnapshot(await bridge.getSnapshot());
        } catch (err) {
          if (!get().snapshot) set({ loadError: err instanceof Error ? err.message : String(err) });
        }
        await loadMessages();
      },

      apply(event) {
        const s = get().snapshot;
        switch (event.kind) {
          case 'snapshot':
            setSnapshot(event.snapshot);
            return;
          case 'state':
            if (s) setSnapshot({ ...s, ...event.patch });
            return;
          case 'messages':
            takeMessages(event.entries, event.total, false);
            return;
          case 'alert':
            if (s) set({ snapshot: upsertAlert(s, event.alert) });
            return;
          case 'changes':
            if (s) set({ snapshot: addChanges(s, event.changes) });
            return;
          case 'matches':
            if (s) set({ snapshot: applyMatches(s, event) });
            return;
          case 'alerts':
            if (s) set({ snapshot: applyAlerts(s, event) });
            return;
          case 'rejected':
            if (s) set({ snapshot: applyRejected(s, event) });
            return;
          case 'calendar':
            if (s) set({ snapshot: applyCalendar(s, event) });
            return;
        }
      },

      syncNow: () => runSync('sync', () => bridge.syncNow()),
      confirmDeletions: () => runSync('confirm', () => bridge.confirmDeletions()),
      confirmTakeover: () => runSync('confirm', () => bridge.confirmTakeover()),

      async acknowledge(ids) {
        const body = ids === 'all' ? ({ all: true } as const) : { ids };
        if (ids !== 'all' && ids.length === 0) return true;
        try {
          const res = await bridge.acknowledgeAlerts(body);
          const s = get().snapshot;
          // Reflect at once; the host's state event confirms it moments later.
          if (res.success && s) {
            const hit = ids === 'all' ? null : new Set(ids);
            const items = s.alerts.items.map((a) => (hit === null || hit.has(a.id) ? { ...a, acknowledged: true } : a));
            set({ snapshot: { ...s, alerts: { ...s.alerts, items } } });
          }
          return res.success;
        } catch {
          return false;
        }
      },

      setLanguage(lang) {
        set({ langOverride: lang });
      },

      setInspectorPaused(paused) {
        const s = get();
        if (!paused && s.heldBack.length > 0) {
          set({ inspectorPaused: false, messages: [...s.messages, ...s.heldBack].slice(-MESSAGE_BUFFER_CAP), heldBack: [] });
        } else {
          set({ inspectorPaused: paused });
        }
      },

      clearInspector() {
        set({ messages: [], heldBack: [], messagesOlder: null });
      },

      async loadOlderMessages() {
        const before = get().messagesOlder;
        if (before === null) return;
        try {
          const res = await bridge.getMessages({ before });
          const s = get();
          const have = new Set(s.messages.map((m) => m.seq));
          const older = res.entries.filter((e) => !have.has(e.seq));
          set({ messages: [...older, ...s.messages].slice(-MESSAGE_BUFFER_CAP), messagesOlder: res.next ?? null, messagesTotal: Math.max(s.messagesTotal, res.total) });
        } catch {
          /* the button stays; the next press tries again */
        }
      },

      async fullMessage(seq) {
        try {
          const res = await bridge.getMessages({ before: seq + 1, limit: 1 });
          const entry = res.entries.find((e) => e.seq === seq) ?? null;
          if (entry) set({ messages: get().messages.map((m) => (m.seq === seq ? entry : m)) });
          return entry;
        } catch {
          return null;
        }
      },
    };
  });
}
