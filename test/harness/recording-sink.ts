import type { FogisMatch } from '../../shared/messages';
import type { CalendarState } from '../../shared/state';
import type { SyncReport } from '../../shared/api';
import { emptyCalendarState, summarizeReport, type CalendarSink, type MatchListInput } from '../../electron/core/sync/calendar-sink';

/** A calendar sink that records what it was asked to do (the core's tests, the benchmarks). */
export class RecordingSink implements CalendarSink {
  readonly lists: MatchListInput[] = [];
  readonly manual: Array<FogisMatch[] | null> = [];
  private listeners = new Set<() => void>();
  private state = emptyCalendarState('ics');

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  onMatchList(input: MatchListInput): void {
    this.lists.push(input);
    this.state = { ...this.state, lastSyncAt: input.receivedAt };
    for (const l of this.listeners) l();
  }
  async sync(matches: FogisMatch[] | null): Promise<SyncReport> {
    this.manual.push(matches);
    const counts = { inserted: 0, updated: 0, deleted: 0, unchanged: matches?.length ?? 0, failed: 0, held: 0 };
    return { success: true, ...counts, summary: summarizeReport(counts) };
  }
  async confirmDeletions(): Promise<SyncReport> {
    const counts = { inserted: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0, held: 0 };
    return { success: true, ...counts, summary: summarizeReport(counts) };
  }
  getState(): CalendarState {
    return this.state;
  }
  onStateChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  updateConfig(): void {}
}
