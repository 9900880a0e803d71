import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { constants as zlibConstants, createGzip, type Gzip } from 'node:zlib';
import type { MonitorEvent } from '../../../shared/state';
import type { Logger } from '../log';
import { acceptsGzip, sendJson } from './respond';

/**
 * `/api/events` (Server-Sent Events) with a bounded send buffer per client (issue 9 finding
 * 3: a few dozen clients that never read made the server queue every push, 1.5 GB in a
 * minute). A client whose unsent bytes pass `maxBufferedBytes` gets no more events; when its
 * socket drains it gets one fresh snapshot and then the changes again, so it loses nothing it
 * could show. A client that stays behind longer than `maxBehindMs` is disconnected (the
 * browser's EventSource reconnects by itself). At most `maxClients` streams are open at once.
 * A client that accepts gzip gets the stream gzipped, flushed after every push: the snapshot
 * it starts with is ~2 MB of JSON with 1,000 matches and ~0.1 MB gzipped (issue 12: opening
 * a dashboard ≤ 500 KB).
 */

export interface LiveStreamLimits {
  maxClients: number;
  maxBufferedBytes: number;
  maxBehindMs: number;
  keepAliveMs: number;
}

export const LIVE_STREAM_LIMITS: LiveStreamLimits = {
  maxClients: 64,
  maxBufferedBytes: 512 * 1024,
  maxBehindMs: 30_000,
  keepAliveMs: 15_000,
};

export interface LiveStreamSource {
  onEvent(listener: (e: MonitorEvent) => void): () => void;
  snapshotEvent(): MonitorEvent;
}

export interface LiveStreamStats {
  clients: number;
  /** Unsent bytes per client, as Node buffers them (`writableLength`). */
  buffered: number[];
  /** Events not sent to a client that was behind (each replaced by the next snapshot). */
  skipped: number;
  /** Clients disconnected for staying behind. */
  dropped: number;
  /** Streams refused at the client cap. */
  refused: number;
}

interface Client {
  res: ServerResponse;
  /** Unsent bytes: in the gzip stream (both sides) and in the socket's buffer. */
  unsent(): number;
  behindSince: number | null;
  close(): void;
}

export class LiveStream {
  private readonly clients = new Set<Client>();
  private skipped = 0;
  private dropped = 0;
  private refused = 0;

  constructor(
    private readonly source: LiveStreamSource,
    private readonly log: Logger,
    private readonly limits: LiveStreamLimits = LIVE_STREAM_LIMITS,
  ) {}

  stats(): LiveStreamStats {
    return { clients: this.clients.size, buffered: [...this.clients].map((c) => c.unsent()), skipped: this.skipped, dropped: this.dropped, refused: this.refused };
  }

  open(req: IncomingMessage, res: ServerResponse, headOnly: boolean, headers: Record<string, string>): void {
    const streamHeaders = { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no', ...headers };
    if (headOnly) {
      // HEAD: the headers a GET would get, and no stream.
      res.writeHead(200, streamHeaders);
      res.end();
      return;
    }
    if (this.clients.size >= this.limits.maxClients) {
      this.refused++;
      sendJson(res, 503, { success: false, error: `Too many live-stream clients (at most ${this.limits.maxClients} at once); close a dashboard tab and try again` }, { 'Retry-After': '10', ...headers });
      return;
    }
    const gzip: Gzip | null = acceptsGzip(req.headers['accept-encoding']) ? createGzip() : null;
    res.writeHead(200, { ...streamHeaders, Connection: 'keep-alive', Vary: 'Accept-Encoding', ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) });
    if (gzip) {
      gzip.pipe(res);
      gzip.on('error', () => res.destroy());
    }
    /** Where frames are written: the gzip stream, or the response itself. */
    const out: Writable = gzip ?? res;
    /** Sends what a gzip stream holds (a sync flush keeps the dictionary: later pushes stay small). */
    const flush = (): void => {
      if (gzip && !gzip.destroyed) gzip.flush(zlibConstants.Z_SYNC_FLUSH);
    };
    const write = (text: string): void => {
      out.write(text);
    };
    write('retry: 2000\n\n');
    flush();
    const frame = (e: MonitorEvent): string => `data: ${JSON.stringify(e)}\n\n`;
    const client: Client = { res, unsent: () => res.writableLength + (gzip ? gzip.writableLength + gzip.readableLength : 0), behindSince: null, close: () => undefined };
    // A snapshot may be larger than the limit by itself (a 1,000-match list); it is always
    // written, and only what queues up behind it counts against the limit.
    let snapshotAllowance = 0;
    const send = (e: MonitorEvent): void => {
      if (client.behindSince === null && client.unsent() > this.limits.maxBufferedBytes + snapshotAllowance) client.behindSince = Date.now();
      if (client.behindSince !== null) {
        this.skipped++;
        if (Date.now() - client.behindSince > this.limits.maxBehindMs) this.drop(res);
        return;
      }
      const text = frame(e);
      if (e.kind === 'snapshot') snapshotAllowance = Buffer.byteLength(text);
      write(text);
    };
    const onDrain = (): void => {
      snapshotAllowance = 0;
      if (client.behindSince === null) return;
      client.behindSince = null;
      // Caught up: the latest state replaces everything it missed.
      send(this.source.snapshotEvent());
    };
    out.on('drain', onDrain);
    send(this.source.snapshotEvent());
    flush();
    // Events of one coalesced flush arrive synchronously; cork them into one write.
    let corked = false;
    const off = this.source.onEvent((e) => {
      if (!corked && client.behindSince === null) {
        corked = true;
        out.cork();
        process.nextTick(() => {
          corked = false;
          out.uncork();
          flush();
        });
      }
      send(e);
    });
    const keepAlive = setInterval(() => {
      if (client.behindSince === null) {
        write(': keep-alive\n\n');
        flush();
      } else if (Date.now() - client.behindSince > this.limits.maxBehindMs) this.drop(res);
    }, this.limits.keepAliveMs);
    keepAlive.unref();
    let closed = false;
    client.close = (): void => {
      if (closed) return;
      closed = true;
      off();
      clearInterval(keepAlive);
      out.off('drain', onDrain);
      if (gzip) {
        gzip.unpipe(res);
        gzip.destroy();
      }
      this.clients.delete(client);
    };
    this.clients.add(client);
    req.on('close', client.close);
    res.on('close', client.close);
    res.on('error', client.close);
  }

  private drop(res: ServerResponse): void {
    if (res.destroyed) return;
    this.dropped++;
    this.log.info('http', `live-stream client disconnected: it read nothing for ${Math.round(this.limits.maxBehindMs / 1000)} s`);
    res.destroy();
  }

  closeAll(): void {
    for (const c of [...this.clients]) {
      c.res.end();
      c.close();
    }
  }
}
