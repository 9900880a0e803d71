import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../store/atomic-file';
import { JsonArrayText, sameParts } from '../store/json-array-text';
import { errorText } from '../log';
import type { BackendContext, BackendInfo, CalendarBackend } from './backend';
import { matchFactsUrl } from './event-builder';
import { mergeDescription } from './description';
import type { CalendarOptions } from './ics-writer';
import { IcsRenderCache } from './ics-render-cache';
import { formatZonedDateTime } from '../../../shared/fogis-time';
import { SyncError, type ExecOutcome, type MatchRecord, type OutboxJob } from './types';

export const ICS_FILE = 'calendar.ics';
export const ICS_STORE_FILE = 'calendar-ics-events.json';
/** Main-thread time per turn for rendering and stringifying changed events ahead of a flush. */
const PREPARE_TURN_MS = 2;

const icsEventSchema = z.object({
  uid: z.string(),
  matchId: z.string(),
  summary: z.string(),
  location: z.string(),
  description: z.string(),
  url: z.string(),
  startMs: z.number(),
  endMs: z.number(),
  status: z.enum(['CONFIRMED', 'CANCELLED']),
  sequence: z.number().int(),
  createdMs: z.number(),
  lastModifiedMs: z.number(),
  alarmMinutes: z.number(),
  renderKey: z.string().nullable(),
});
type StoredIcsEvent = z.infer<typeof icsEventSchema>;

const storeSchema = z.object({
  version: z.literal(1),
  events: z.array(icsEventSchema),
  /** Last SEQUENCE per UID, kept after deletion so a revived match's event supersedes old copies. */
  sequences: z.record(z.string(), z.number().int()),
});

export interface IcsBackendOptions {
  dataDir: string;
  timeZone: string;
  publicBaseUrl: () => string;
  calendarName?: string;
  now?: () => number;
}

/**
 * The default backend: one RFC 5545 file in the data directory that any calendar app can
 * subscribe to (served at GET /calendar.ics). The event data lives in a JSON store; the .ics
 * is derived from it and both are written atomically once per batch.
 */
export class IcsBackend implements CalendarBackend {
  readonly kind = 'ics' as const;
  readonly batchSize = 500;
  // Readonly: a changed event is a new object, which the JSON and VEVENT caches rely on.
  private events = new Map<string, Readonly<StoredIcsEvent>>();
  private sequences: Record<string, number> = {};
  private dirty = false;
  /** The calendar text last written to calendar.ics, in pieces (null until the first write). */
  private text: string[] | null = null;
  /** The store JSON last written, in pieces. */
  private storeText: string[] | null = null;
  private error: string | null = null;
  private readonly render = new IcsRenderCache();
  /** The store's events as JSON, kept per event object. */
  private readonly eventsJson = new JsonArrayText();
  private readonly calendarOptions: CalendarOptions;

  constructor(
    private readonly opts: IcsBackendOptions,
    private readonly ctx: BackendContext,
  ) {
    const tz = opts.timeZone;
    // Made once: the render cache keeps its VEVENTs only while it is given the same options.
    this.calendarOptions = {
      name: opts.calendarName ?? 'FOGIS matcher',
      timeZone: tz,
      localTime: (ms) => formatZonedDateTime(new Date(ms), tz).slice(0, 19).replace(/[-:]/g, ''),
    };
  }

  get icsPath(): string {
    return path.join(this.opts.dataDir, ICS_FILE);
  }

  async start(): Promise<void> {
    const loaded = await readJsonFile(path.join(this.opts.dataDir, ICS_STORE_FILE), storeSchema, this.ctx.log);
    if (loaded.status === 'ok') {
      for (const e of loaded.value.events) this.events.set(e.uid, e);
      this.sequences = loaded.value.sequences;
    }
    // The .ics is derived: regenerate it so a crash between the two writes heals on start.
    this.dirty = true;
    await this.flush();
  }

  async stop(): Promise<void> {
    await this.flush();
  }

  eventIdFor(matchId: string): string {
    return `fogis-match-${matchId}@fogis-monitor`;
  }

  async execute(job: OutboxJob, _record: MatchRecord | null): Promise<ExecOutcome> {
    const uid = job.eventId ?? this.eventIdFor(job.matchId);
    if (job.kind === 'delete') {
      if (!this.events.delete(uid)) return { action: 'noop', eventId: uid };
      this.dirty = true;
      return { action: 'deleted', eventId: uid };
    }
    const event = job.event;
    if (!event) throw new SyncError('upsert job without an event', 'permanent');
    const existing = this.events.get(uid);
    // A replay after a crash finds its own result already stored: write nothing new.
    if (existing && existing.renderKey === job.renderKey) return { action: 'noop', eventId: uid };
    const now = this.opts.now?.() ?? Date.now();
    const previousSeq = existing?.sequence ?? this.sequences[uid];
    const sequence = previousSeq === undefined ? 0 : previousSeq + 1;
    this.sequences[uid] = sequence;
    this.events.set(uid, {
      uid,
      matchId: job.matchId,
      summary: event.summary,
      location: event.location,
      // Text outside our part (an edited or imported store entry) is kept, as in Google (description.ts).
      description: mergeDescription(existing?.description, event.description),
      url: matchFactsUrl(job.matchId),
      startMs: event.startMs,
      endMs: event.endMs,
      status: event.cancelled ? 'CANCELLED' : 'CONFIRMED',
      sequence,
      createdMs: existing?.createdMs ?? now,
      lastModifiedMs: now,
      alarmMinutes: event.reminderMinutes,
      renderKey: job.renderKey,
    });
    this.dirty = true;
    return { action: existing ? 'updated' : 'inserted', eventId: uid };
  }

  async flush(): Promise<void> {
    if (!this.dirty) return;
    const events = [...this.events.values()];
    // Changed events are rendered and stringified ahead, a slice per turn; the texts below then
    // come from the caches, the same bytes (issue 12: 1000 new events were one 30-50 ms turn).
    while (!this.render.prerender(events, this.calendarOptions, performance.now() + PREPARE_TURN_MS) || !this.eventsJson.prepare(events, performance.now() + PREPARE_TURN_MS)) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // JSON.stringify({ version: 1, events, sequences }), byte for byte; only the changed events are stringified and escaped and folded again.
    // Both texts stay in pieces (never joined on the main thread: issue 12).
    const storeText = ['{"version":1,"events":', ...this.eventsJson.parts(events), ',"sequences":', JSON.stringify(this.sequences), '}'];
    const text = this.render.renderParts(events, this.calendarOptions);
    try {
      // A file already holding these bytes is not written again (a match added and removed in one batch).
      if (!sameParts(this.storeText, storeText)) {
        await writeFileAtomic(path.join(this.opts.dataDir, ICS_STORE_FILE), storeText);
        this.storeText = storeText;
      }
      if (!sameParts(this.text, text)) {
        await writeFileAtomic(this.icsPath, text);
        this.text = text;
      }
      this.dirty = false;
      if (this.error) {
        this.error = null;
        this.ctx.changed();
      }
    } catch (err) {
      this.error = `cannot write ${ICS_FILE}: ${errorText(err)}`;
      this.ctx.changed();
      throw new SyncError(this.error, 'retryable');
    }
  }

  /** The calendar text for GET /calendar.ics. */
  async readIcs(): Promise<string | null> {
    if (this.text !== null) return this.text.join('');
    try {
      return await fs.readFile(this.icsPath, 'utf8');
    } catch {
      return null;
    }
  }

  blockedReason(): string | null {
    return null;
  }

  info(): BackendInfo {
    return {
      status: this.error ? `error: ${this.error}` : 'ok',
      signedIn: null,
      subscribeUrl: `${this.opts.publicBaseUrl().replace(/\/+$/, '')}/calendar.ics`,
    };
  }
}
