import type { FogisMatch } from '../../../shared/messages';
import { JsonArrayText } from '../store/json-array-text';
import type { EngineStateFile, FailureEntry } from './engine-store';
import { Outbox } from './outbox';
import type { HeldDeletion, MatchRecord } from './types';

export const COUNTER_KEYS = ['inserted', 'updated', 'deleted', 'unchanged', 'api_calls', 'retries', 'failures', 'held'] as const;
export type CounterKey = (typeof COUNTER_KEYS)[number];

/** The last full list the planner saw (the calendar's idea of "now"). */
export interface LastList {
  matches: FogisMatch[];
  receivedAt: string;
  messageId: string;
}

/**
 * The records by match id, each frozen as it is stored: a record is replaced, never changed in
 * place, so the state file can keep each record's JSON text between saves (an in-place change
 * would throw here instead of being left out of the file).
 */
class RecordMap extends Map<string, MatchRecord> {
  override set(key: string, value: MatchRecord): this {
    return super.set(key, Object.freeze(value));
  }
}

/**
 * What one backend's sync knows, in memory: the committed calendar state (records), what is
 * on its way (outbox), held deletions, failures and counters. Persisted as one file
 * (engine-persistence.ts); every other sync file reads and changes this one object.
 */
export class SyncStore {
  readonly records: Map<string, MatchRecord> = new RecordMap();
  private readonly recordTexts = new JsonArrayText();
  outbox = new Outbox();
  /** Keys of upsert jobs that may have reached the calendar (tried now, or restored after a crash). */
  readonly maybeWritten = new Set<string>();
  held: HeldDeletion[] = [];
  readonly failures = new Map<string, FailureEntry>();
  /** Matches whose kickoff cannot be read (not persisted: the next list decides again). */
  readonly unschedulable = new Map<string, FailureEntry>();
  readonly counters = Object.fromEntries(COUNTER_KEYS.map((k) => [k, 0])) as Record<CounterKey, number>;
  lastSyncAt: string | null = null;
  lastList: LastList | null = null;
  /** False until we have looked into the calendar (or written to it): a takeover may be due. */
  calendarKnown = false;

  restore(s: EngineStateFile): void {
    for (const r of s.records) this.records.set(r.matchId, r);
    this.outbox = new Outbox(s.outbox);
    // The outbox is saved before each write is tried, so a job found here after a crash may
    // already be in the calendar even though its attempt count says 0.
    for (const job of s.outbox) if (job.kind === 'upsert') this.maybeWritten.add(job.key);
    this.held = s.held;
    for (const [k, v] of Object.entries(s.failures)) this.failures.set(k, v);
    for (const k of COUNTER_KEYS) this.counters[k] = s.counters[k] ?? 0;
    this.lastSyncAt = s.lastSyncAt;
    this.calendarKnown = s.calendarKnown ?? (s.records.length > 0 || s.outbox.length > 0 || s.lastSyncAt !== null);
  }

  /**
   * `JSON.stringify(this.serialize())` byte for byte, in pieces for writeFileAtomic: the
   * records' texts are kept between saves, so a save during a burst of lists stringifies the
   * changed records and the queue, not all 1000 records (issue 12: ~5 ms a save).
   */
  serializedText(): string[] {
    const s = this.serialize();
    return [
      `{"version":${JSON.stringify(s.version)},"records":`,
      ...this.recordTexts.parts(s.records),
      `,"outbox":${JSON.stringify(s.outbox)},"held":${JSON.stringify(s.held)},"failures":${JSON.stringify(s.failures)},"counters":${JSON.stringify(s.counters)},"lastSyncAt":${JSON.stringify(s.lastSyncAt)},"calendarKnown":${JSON.stringify(s.calendarKnown)}}`,
    ];
  }

  serialize(): EngineStateFile {
    return {
      version: 1,
      records: [...this.records.values()],
      outbox: this.outbox.all(),
      held: this.held,
      failures: Object.fromEntries(this.failures),
      counters: { ...this.counters },
      lastSyncAt: this.lastSyncAt,
      calendarKnown: this.calendarKnown,
    };
  }
}
