import diagnostics_channel from 'node:diagnostics_channel';
import type { IngestOutcome } from './ingest-protocol';

/**
 * Instruments for measuring the ingest pipeline from outside (bench/probe.ts), free when
 * nobody listens: one event when a pipeline starts, and one per message once its result has
 * been applied.
 */
export const PIPELINE_STARTED_CHANNEL = 'fogis-monitor:ingest-pipeline';
export const RESULT_APPLIED_CHANNEL = 'fogis-monitor:ingest-applied';
const startedChannel = diagnostics_channel.channel(PIPELINE_STARTED_CHANNEL);
const appliedChannel = diagnostics_channel.channel(RESULT_APPLIED_CHANNEL);

export function publishStarted(worker: boolean): void {
  if (startedChannel.hasSubscribers) startedChannel.publish({ worker });
}

export function publishApplied(o: IngestOutcome): void {
  if (appliedChannel.hasSubscribers) appliedChannel.publish({ seq: o.seq, messageId: messageIdOf(o) });
}

function messageIdOf(o: IngestOutcome): string | null {
  switch (o.kind) {
    case 'processing_status':
    case 'system_alert':
      return o.message.message_id;
    case 'fault':
      return null;
    default:
      return o.messageId;
  }
}
