import { emptyCounters } from '../../../shared/empty-snapshot';
import type { Generation, MessageType, RejectReason } from '../../../shared/messages';
import type { Counters } from '../../../shared/state';
import type { PersistedState } from './persisted-state';

/**
 * The message counters of the Python service's `/stats` (spec §6) plus ours: what arrived,
 * what was rejected and why, which generation and schema version the lists had. Plain
 * functions over one `Counters` value (its empty form: shared/empty-snapshot.ts), which is itself
 * the snapshot part and what state.json keeps.
 */

/**
 * The saved counters on top of fresh ones: a file written before a counter or a reject
 * reason existed still loads (the missing ones start at 0). `started_at` is this run's.
 */
export function restoredCounters(saved: NonNullable<PersistedState['counters']>, startedAt: string): Counters {
  const base = emptyCounters(startedAt);
  return {
    ...base,
    ...saved,
    started_at: base.started_at,
    by_type: { ...base.by_type, ...saved.by_type },
    rejected_by_reason: { ...base.rejected_by_reason, ...saved.rejected_by_reason },
    by_generation: { ...base.by_generation, ...saved.by_generation },
  };
}

/** Every pub/sub message, before anything is known about it. */
export function countReceived(c: Counters, channel: string, at: string): void {
  c.messages_received++;
  c.by_channel[channel] = (c.by_channel[channel] ?? 0) + 1;
  c.last_message_time = at;
}

export function countRejected(c: Counters, reason: RejectReason): void {
  c.errors++;
  c.by_type.unknown++;
  c.rejected_by_reason[reason]++;
}

export function countAccepted(c: Counters, type: MessageType): void {
  c.by_type[type]++;
}

/** A match list's generation (spec §2.3) and schema version (spec §2.1). */
export function countMatchList(c: Counters, generation: Generation, schemaVersion: string | null): void {
  c.by_generation[generation]++;
  const sv = schemaVersion ?? '1.0';
  if (sv === '2.0') c.schema_version_stats.v2_messages++;
  else if (sv === '1.0' || sv === '1.5') c.schema_version_stats.v1_messages++;
  else c.schema_version_stats.unknown_messages++;
}
