import path from 'node:path';
import type { FogisMatch } from '../../../shared/messages';
import { readJsonFile, writeFileAtomic } from '../store/atomic-file';
import { contained, type FaultReporter } from '../containment';
import { errorText, type Logger } from '../log';
import { engineStateSchema, lastListSchema } from './engine-store';
import type { SyncStore } from './sync-store';

export const LAST_LIST_FILE = 'calendar-last-list.json';

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
}

/**
 * The sync state on disk: one atomic file per backend (records, outbox, holds, counters) and
 * the last full list. A job is durable before it is attempted (the worker awaits `saveNow`
 * when `jobsUnsaved`); finished writes are saved a little later in one go.
 */
export class EnginePersistence {
  /** Jobs were added or changed that the file does not have yet. */
  jobsUnsaved = false;
  storageError: string | null = null;
  private stopped = false;
  private saveTimer: NodeJS.Timeout | null = null;
  private saving: Promise<void> = Promise.resolve();
  private savingList: Promise<void> = Promise.resolve();

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
    const data = JSON.stringify(this.opts.store.serialize());
    this.jobsUnsaved = false;
    const file = this.stateFile;
    this.saving = this.saving.then(() =>
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
    return this.saving;
  }

  /** The last save in flight (the worker waits for it before writing into the calendar). */
  settled(): Promise<void> {
    return this.saving;
  }

  saveLastList(): void {
    const list = this.opts.store.lastList;
    if (!list) return;
    const data = JSON.stringify({ version: 1, ...list });
    const file = path.join(this.opts.dataDir, LAST_LIST_FILE);
    this.savingList = this.savingList.then(() =>
      writeFileAtomic(file, data).catch((err: unknown) => this.opts.log.warn('sync', `cannot save the last match list: ${errorText(err)}`)),
    );
  }

  /** No more timed saves; `flushLists` then waits for the list file. */
  stop(): void {
    this.stopped = true;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
  }

  flushLists(): Promise<void> {
    return this.savingList;
  }
}
