import path from 'node:path';
import type { Logger } from '../log';
import type { FaultReporter } from '../containment';
import { DebouncedWriter, readJsonFile, type LoadResult } from '../store/atomic-file';
import { JsonArrayText } from '../store/json-array-text';
import { persistedStateSchema, type PersistedState } from './persisted-state';

export interface MonitorStoreOptions {
  dataDir: string;
  log: Logger;
  /** What to save; called when the debounced write is due. */
  serialise: () => PersistedState;
  /** The one storage error changed (null: saving works again); `began` when it just started failing. */
  onError: (error: string | null, began: boolean) => void;
  fault: FaultReporter;
}

/**
 * state.json in the data directory: what survives a restart (persisted-state.ts), written
 * at most once a second after a change and retried while it fails. history.json
 * (watch-history.ts) reports its write errors here too, into a slot of its own: a failing
 * history.json must neither hide nor clear state.json's error.
 */
export class MonitorStore {
  private readonly writer: DebouncedWriter;
  private stateError: string | null = null;
  private historyError: string | null = null;
  private current: string | null = null;
  private readonly listText = new JsonArrayText();
  private readonly historyText = new JsonArrayText();

  constructor(private readonly opts: MonitorStoreOptions) {
    this.writer = new DebouncedWriter(
      path.join(opts.dataDir, 'state.json'),
      () => {
        try {
          return this.text(opts.serialise());
        } catch (err) {
          opts.fault('timer', err);
          throw err;
        }
      },
      1000,
      (error) => {
        this.stateError = error;
        this.setError(error ?? this.historyError);
      },
    );
  }

  /** The error shown to the user (`storageError` in the snapshot), or null. */
  get error(): string | null {
    return this.current;
  }

  /** history.json's writer reports here (WatchHistoryOptions.onError). */
  readonly historyWriteError = (error: string | null): void => {
    this.historyError = error;
    this.setError(this.stateError ?? error);
  };

  /** Reads state.json; a corrupt file is moved aside (atomic-file.ts). */
  load(dataDir = this.opts.dataDir): Promise<LoadResult<PersistedState>> {
    return readJsonFile(path.join(dataDir, 'state.json'), persistedStateSchema, this.opts.log);
  }

  /** Something worth saving changed: a write follows within a second. */
  schedule(): void {
    this.writer.schedule();
  }

  /** Writes now (shutdown), whether or not anything changed. */
  async flush(): Promise<void> {
    this.writer.schedule();
    await this.writer.flush();
  }

  dispose(): void {
    this.writer.cancelRetry();
  }

  /**
   * `JSON.stringify(state)` byte for byte, in pieces (writeFileAtomic writes them without
   * joining them). The match list and the change history come from per-element texts kept
   * between saves (their objects are never changed once stored: a changed match arrives as a
   * new object), so a save with 1000 matches stringifies what changed instead of ~2 MB in one
   * turn of the main thread (issue 12).
   */
  text(state: PersistedState): string[] {
    const out: string[] = ['{'];
    const field = (key: string, first: boolean): void => void out.push(`${first ? '' : ','}${JSON.stringify(key)}:`);
    let first = true;
    for (const [key, value] of Object.entries(state)) {
      if (value === undefined) continue;
      field(key, first);
      first = false;
      if (key === 'history') out.push(...this.historyText.parts(state.history));
      else if (key === 'matches') {
        out.push('{');
        let innerFirst = true;
        for (const [k, v] of Object.entries(state.matches)) {
          if (v === undefined) continue;
          field(k, innerFirst);
          innerFirst = false;
          if (k === 'list') out.push(...this.listText.parts(state.matches.list));
          else out.push(JSON.stringify(v));
        }
        out.push('}');
      } else out.push(JSON.stringify(value));
    }
    out.push('}');
    return out;
  }

  private setError(error: string | null): void {
    if (error === this.current) return;
    const began = error !== null && this.current === null;
    if (error) this.opts.log.error('store', `${error}; retrying`);
    else if (this.current) this.opts.log.info('store', 'saving works again');
    this.current = error;
    this.opts.onError(error, began);
  }
}
