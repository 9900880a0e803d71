import { readFile } from 'node:fs/promises';
import type { AppConfig } from '../../../shared/config';
import type { SupervisorStatus } from '../redis/subscriber';
import { channelList } from '../redis/redis-client';
import { errorText, type Logger } from '../log';
import { dayShift, parseRecording, recordedAt, recordingSteps, restamp } from './recorded-run';

/**
 * `npm run demo`: plays a recorded processor run into the monitor through the same ingest
 * path as Redis messages (`Monitor.ingest(channel, bytes)`), without Redis. The status,
 * the header, `/health` and the tray say it is a demo (Status.demo).
 */
export interface DemoOptions {
  /** A recording (`{channel, raw}` per line), e.g. test/fixtures/processor-run-default.jsonl. */
  file: string;
  /** Pause between processor cycles. */
  intervalMs: number;
}

export interface DemoTarget {
  ingest(channel: string, raw: Buffer): void;
  setConnection(status: SupervisorStatus): void;
}

export const DEMO_ENDPOINT = 'demo: recorded processor run (no Redis)';

export class DemoPlayer {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly opts: DemoOptions,
    private readonly target: DemoTarget,
    private readonly config: () => AppConfig,
    private readonly log: Logger,
  ) {}

  /** Stands in for the subscription: "subscribed" to the recording. */
  status(): SupervisorStatus {
    return {
      state: 'subscribed',
      stateSince: new Date().toISOString(),
      reason: null,
      reasonCode: null,
      connected: true,
      subscribed: true,
      channels: channelList(this.config().redis),
      attempt: 0,
      nextRetryAt: null,
      lastPingMs: null,
      endpoint: DEMO_ENDPOINT,
    };
  }

  async start(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.opts.file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read the demo recording ${this.opts.file}: ${errorText(err)}`);
    }
    const lines = parseRecording(text);
    const days = dayShift(recordedAt(lines), Date.now());
    const steps = recordingSteps(lines);
    this.target.setConnection(this.status());
    this.log.info('demo', `playing ${lines.length} recorded messages in ${steps.length} processor cycles, dates moved ${days} days forward`);
    const play = (i: number): void => {
      if (this.stopped || i >= steps.length) {
        if (i >= steps.length) this.log.info('demo', 'the recorded run has been played; the dashboard keeps its final state');
        return;
      }
      for (const line of steps[i] ?? []) this.target.ingest(line.channel, Buffer.from(restamp(line.raw, { days }), 'utf8'));
      this.timer = setTimeout(() => play(i + 1), this.opts.intervalMs);
      this.timer.unref?.();
    };
    play(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
