import { randomUUID } from 'node:crypto';
import { emptyProcessor } from '../../../shared/empty-snapshot';
import type { Alert, Cycle, ProcessorInfo } from '../../../shared/state';

/** A processing_status payload (spec §2.5). */
export interface ProcessingStatusPayload {
  status: 'started' | 'completed' | 'failed';
  timestamp?: string | undefined;
  details?: Record<string, unknown> | undefined;
}

/** What one processing_status meant: a finished cycle goes into the watch history, a failed one is also an alert. */
export interface CycleOutcome {
  cycle: Cycle;
  finished: { ok: boolean; error: string | null } | null;
  alert: Alert | null;
}

function cycleTime(c: Cycle): number {
  const t = Date.parse(c.at);
  return Number.isNaN(t) ? 0 : t;
}

/** The processor's cycles as its processing_status messages tell them: last of each kind, count, duration. */
export class ProcessorCycles {
  readonly info: ProcessorInfo = emptyProcessor();

  record(payload: ProcessingStatusPayload, messageId: string, envelopeTs: string): CycleOutcome {
    const cycle: Cycle = { status: payload.status, at: payload.timestamp ?? envelopeTs, details: payload.details ?? {}, messageId };
    const p = this.info;
    p.last = cycle;
    if (cycle.status === 'started') {
      p.lastStarted = cycle;
      p.cycles++;
      return { cycle, finished: null, alert: null };
    }
    if (cycle.status === 'completed') {
      p.lastCompleted = cycle;
      p.lastDurationMs = p.lastStarted ? Math.max(0, cycleTime(cycle) - cycleTime(p.lastStarted)) : null;
      return { cycle, finished: { ok: true, error: null }, alert: null };
    }
    p.lastFailed = cycle;
    const d = cycle.details;
    const text = typeof d.error_message === 'string' ? d.error_message : 'unknown error';
    const alert: Alert = {
      id: randomUUID(),
      source: 'processor',
      alertType: typeof d.error_type === 'string' ? d.error_type : 'processing_failed',
      severity: 'error',
      message: `Processing cycle failed: ${text}`,
      at: cycle.at,
      details: d,
      acknowledged: false,
    };
    return { cycle, finished: { ok: false, error: text }, alert };
  }
}
