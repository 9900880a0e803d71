import path from 'node:path';
import type { FogisMatch } from '../../../shared/messages';
import { readJsonFile, writeFileAtomic } from '../store/atomic-file';
import { JsonArrayText } from '../store/json-array-text';
import { contained, type FaultReporter } from '../containment';
import { errorText, type Logger } from '../log';
import { engineStateSchema, lastListSchema } from './engine-store';
import type { SyncStore } from './sync-store';

export const LAST_LIST_FILE = 'calendar-last-list.json';
/** The last list is written at most this often; the newest list waiting wins (issue 12). */
export const LIST_SAVE_INTERVAL_MS = 1000;

export interface PersistenceOptions {
  dataDir: string;
  /** The backend's kind: each backend keeps its own file (`calendar-<kind>-sync.json`). */
  kind: string;
  store: SyncStore;
  log: Logger;
  reportFault: FaultReporter;
  /** The state the dashboard shows changed (a storage error came or went). */
  changed(): void;
  /** Completed writes are saved within this delay (a crash only replays idempotent jobs). */
  saveDelayMs?: number;
  /** The last list is written at most once in this time (default LIST_SAVE_INTERVAL_MS). */
  listSaveIntervalMs?: number;
}

/**
 * The sync state on disk: one atomic file per backend (records, outbox, holds, counters) and
 * the last full list. A job is durable before it is attempted (the worker awaits `saveNow`
 * when `jobsUnsaved`); finished writes are saved a little later in one go.
 *
 * The last list is what a start plans from before the next list comes (reconcile, Sync now,
 * the takeover preview). It is written at most once a second, the newest list winning, and
 * always on stop; a crash may lose the last second of lists, except that a list is always on
 * disk before a job it planned is attempted (`saveNow` writes a waiting list too): otherwise a
 * restart would replan the older list over the calendar the records already show.
 */
export class EnginePersistence {
  /** Jobs were added or changed that the file does not have yet. */
  jobsUnsaved = false;
  storageError: string | null = null;
  private stopped = false;
  private saveTimer: NodeJS.Timeout | null = null;
  private saving: Promise<void> = Promise.resolve();
  private savingList: Promise<void> = Promise.resolve();
  /** A list waits to be written. */
  private listDue = false;
  private listTimer: NodeJS.Timeout | null = null;
  private lastListWriteAt = Number.NEGATIVE_INFINITY;
  private readonly listText = new JsonArrayText();
  /** Last-list files written since the start (the throttle's test reads it). */
  listWrites = 0;

  constructor(private readonly opts: PersistenceOptions) {}

  private get stateFile(): string {
    return path.join(this.opts.dataDir, `calendar-${this.opts.kind}-sync.json`);
  }

  /** Loads both files into the store; a missing or unreadable file leaves the store empty. */
  async load(): Promise<void> {
    const { store, log } = this.opts;
    const loaded = await readJsonFile(this.stateFile, engineStateSchema, log);
    if (loaded.status === 'ok') {
      store.restore(loaded.value);
      if (store.outbox.size > 0) log.info('sync', `resuming ${store.outbox.size} pending calendar write(s) from the outbox`);
    }
    const list = await readJsonFile(path.join(this.opts.dataDir, LAST_LIST_FILE), lastListSchema, log);
    if (list.status === 'ok') store.lastList = { ...list.value, matches: list.value.matches as FogisMatch[] };
  }

  scheduleSave(): void {
    if (this.saveTimer || this.stopped) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      contained(this.opts.reportFault, 'timer', () => void this.saveNow(), undefined);
    }, this.opts.saveDelayMs ?? 250);
    this.saveTimer.unref?.();
  }

  saveNow(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = null;
    }
    // The list that planned these jobs is durable before they are attempted (see the class note).
    const list = this.listDue ? this.writeList() : null;
    const data = this.opts.store.serializedText();
    this.jobsUnsaved = false;
    const file = this.stateFile;
    const state = this.saving.then(() =>
      writeFileAtomic(file, data).then(
        () => {
          if (this.storageError) {
            this.storageError = null;
            this.opts.changed();
          }
        },
        (err: unknown) => {
          this.jobsUnsaved = true;
          this.storageError = `cannot save calendar state: ${errorText(err)}`;
          this.opts.log.error('sync', this.storageError);
          this.opts.changed();
        },
      ),
    );
    this.saving = list ? Promise.all([state, list]).then(() => undefined) : state;
    return this.saving;
  }

  /** The last save in flight (the worker waits for it before writing into the calendar). */
  settled(): Promise<void> {
    return this.saving;
  }

  /** The store's last list changed and is to be kept: written now, or within the interval. */
  saveLastList(): void {
    if (!this.opts.store.lastList) return;
    this.listDue = true;
    if (this.listTimer || this.stopped) return;
    const wait = this.lastListWriteAt + (this.opts.listSaveIntervalMs ?? LIST_SAVE_INTERVAL_MS) - performance.now();
    if (wait <= 0) {
      void this.writeList();
      return;
    }
    this.listTimer = setTimeout(() => {
      this.listTimer = null;
      contained(this.opts.reportFault, 'timer', () => void this.writeList(), undefined);
    }, wait);
    this.listTimer.unref?.();
  }

  /** Writes the waiting list (the newest); resolves when the file holds it. Never rejects. */
  private writeList(): Promise<void> {
    if (this.listTimer) clearTimeout(this.listTimer);
    this.listTimer = null;
    const list = this.opts.store.lastList;
    if (!this.listDue || !list) return this.savingList;
    this.listDue = false;
    this.lastListWriteAt = performance.now();
    this.listWrites++;
    // The same text as JSON.stringify({ version: 1, ...list }), in pieces from per-match texts (never joined: issue 12).
    const data = ['{"version":1,"matches":', ...this.listText.parts(list.matches), `,"receivedAt":${JSON.stringify(list.receivedAt)},"messageId":${JSON.stringify(list.messageId)}}`];
    const file = path.join(this.opts.dataDir, LAST_LIST_FILE);
    this.savingList = this.savingList.then(() =>
      writeFileAtomic(file, data).catch((err: unknown) => this.opts.log.warn('sync', `cannot save the last match list: ${errorText(err)}`)),
    );
    return this.savingList;
  }

  /** No more timed saves; `flushLists` then writes the waiting list. */
  stop(): void {
    this.stopped = true;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (this.listTimer) clearTimeout(this.listTimer);
    this.listTimer = null;
  }

  /** Writes a list still waiting for its turn and resolves when every list write is done. */
  flushLists(): Promise<void> {
    return this.writeList();
  }
}
