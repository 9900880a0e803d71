import type { FogisMatch, Generation, ProcessingStatusMessage, RejectReason, SystemAlertMessage } from '../../../shared/messages';
import type { MatchChange } from '../../../shared/state';

/**
 * What crosses between the main thread and the ingest worker (structured clone). Internal to
 * electron/core/ingest: nothing here leaves the process, so these are plain types, not zod
 * schemas. Every message carries the sequence number the main thread gave it on arrival; the
 * worker answers in that order (one worker, one queue), so nothing is reordered.
 */

export interface IngestSettings {
  maxMessageBytes: number;
  timeZone: string;
  /** How many recent message ids the duplicate filter remembers (limits.duplicateWindow). */
  duplicateWindow: number;
}

/** One pub/sub message as received, its bytes owned by whoever holds it (transferred). */
export interface WireMessage {
  seq: number;
  channel: string;
  /** Reception time on the main thread: ms for the kickoff window, ISO for the records. */
  receivedMs: number;
  at: string;
  bytes: Uint8Array;
}

interface Base {
  seq: number;
  channel: string;
  at: string;
  /** Payload size in bytes. */
  bytes: number;
}

/** The accepted list's effect: only what changed crosses the thread boundary. */
export interface ListDelta {
  /** One entry per affected match (monitor/match-diff.ts diffMatches, the one change model). */
  changes: MatchChange[];
  /** Matches whose data changed only in fields nobody shows (match-diff.ts ListDiff). */
  quiet: string[];
  /** Matches that are new or not structurally equal to the previous list's match of that id. */
  upserts: FogisMatch[];
  /** The ids in list order when the order or the set of ids changed; null when it is the previous order. */
  order: string[] | null;
  count: number;
}

export type IngestOutcome =
  | (Base & { kind: 'rejected'; reason: RejectReason; error: string; head: string; messageId: string | null })
  | (Base & { kind: 'duplicate'; messageId: string })
  | (Base & { kind: 'processing_status'; message: ProcessingStatusMessage; schemaVersion: string | null; preview: string })
  | (Base & { kind: 'system_alert'; message: SystemAlertMessage; schemaVersion: string | null; preview: string })
  | (Base & {
      kind: 'match_updates';
      messageId: string;
      generation: Generation;
      schemaVersion: string | null;
      /** Enhanced-v2 / legacy elements: shown, never synced (§2.3). */
      otherMatches: number;
      preview: string;
      /** Null for an Enhanced-v2 / legacy list: it does not replace the FOGIS list. */
      delta: ListDelta | null;
    })
  /** An exception while handling this message (a bug, not bad input): counted as an internal error. */
  | (Base & { kind: 'fault'; error: string });

/** An outcome as the main thread hands it on: an accepted FOGIS list comes with the whole new list. */
export type IngestResult =
  | Exclude<IngestOutcome, { kind: 'match_updates' }>
  | (Extract<IngestOutcome, { kind: 'match_updates' }> & { matches: FogisMatch[] | null });

export type ToWorker =
  | { kind: 'settings'; settings: IngestSettings }
  /** The list in force (restored at start, or the main thread's copy after a worker restart). */
  | { kind: 'seed'; matches: FogisMatch[] }
  | { kind: 'messages'; messages: WireMessage[] }
  /** Ids the main thread's gate recorded in its duplicate filter since the last messages (in order). */
  | { kind: 'noteIds'; ids: string[] }
  /** The duplicate filter's ids, oldest first: the worker's filter becomes this one. */
  | { kind: 'resetIds'; ids: string[] };

/**
 * `spent`: the buffers that carried messages and that the worker no longer reads, transferred
 * back so the main thread fills its batch buffers again (outgoing-batch.ts) and frees the rest
 * at its next collection, not whenever the worker's heap next fills (issue 12: memory).
 */
export type FromWorker = { kind: 'outcomes'; outcomes: IngestOutcome[]; spent?: ArrayBuffer[] } | { kind: 'ready' };
