import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Bridge, SyncReport } from '../../shared/api';
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
  const history = [...fresh, ...snapshot.matches.history].slice(0, snapshot.config.limits.changeHistory);
  return { ...snapshot, matches: { ...snapshot.matches, history, historyTotal: snapshot.matches.historyTotal + fresh.length } };
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

    const takeMessages = (entries: MessageLogEntry[], total: number, replace: boolean): void => {
      const fresh = replace ? entries : entries.filter((e) => e.seq > lastSeq);
      for (const e of fresh) lastSeq = Math.max(lastSeq, e.seq);
      const s = get();
      const times = fresh.map((e) => Date.parse(e.at)).filter((t) => !Number.isNaN(t));
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
        takeMessages(res.entries, res.total, true);
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
        set({ messages: [], heldBack: [] });
      },
    };
  });
}
