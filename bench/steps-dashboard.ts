/**
 * What a dashboard costs: the live stream (one snapshot, then changes; bytes per push when
 * one match of a 1000-match list changes), opening it (bytes on the wire, as a browser asks:
 * Accept-Encoding gzip, deflate), and the local API under load while messages flow.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { BENCH_DIST, log, r1, r2, r3, sleep } from './harness';
import { latencySummary, paced, type Publisher, type Source } from './publishing';
import { stats, type Sub } from './subscribers';

/** What Chromium sends over plain HTTP (it asks for br only over HTTPS). */
const BROWSER_ENCODING = 'gzip, deflate';

interface Frame {
  at: number;
  bytes: number;
  kind: string;
  /** A state frame's `now`: when the server flushed it (every flush under flow has one). */
  serverAt?: number;
}

/** A live-stream client as the dashboard opens it; frames with their size on the wire. */
function openStream(port: number): { frames: Frame[]; wire: () => number; close: () => void; encoding: Promise<string>; firstFrame: Promise<void> } {
  const frames: Frame[] = [];
  let encodingOf: (e: string) => void = () => undefined;
  const encoding = new Promise<string>((r) => (encodingOf = r));
  let framed: () => void = () => undefined;
  const firstFrame = new Promise<void>((r) => (framed = r));
  const req = http.get({ host: '127.0.0.1', port, path: '/api/events', agent: false, headers: { 'Accept-Encoding': BROWSER_ENCODING, Accept: 'text/event-stream' } });
  req.on('response', (res) => {
    encodingOf(String(res.headers['content-encoding'] ?? 'identity'));
    let buf = '';
    /** Where the search for the end of a frame goes on: a 2 MB snapshot comes in 16 KB pieces. */
    let searched = 0;
    let wireAtLastFrame = 0;
    const stream = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
    stream.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n\n', searched)) !== -1) {
        const text = buf.slice(0, i);
        buf = buf.slice(i + 2);
        searched = 0;
        if (!text.startsWith('data: ')) continue;
        const kind = /^data: \{"kind":"([a-z]+)"/.exec(text)?.[1] ?? '?';
        const now = kind === 'state' ? (JSON.parse(text.slice(6)) as { patch: { now?: string } }).patch.now : undefined;
        // Bytes on the wire since the previous frame: the compressed size when gzipped.
        const wire = req.socket?.bytesRead ?? 0;
        frames.push({ at: performance.now(), bytes: wire - wireAtLastFrame, kind, ...(now ? { serverAt: Date.parse(now) } : {}) });
        wireAtLastFrame = wire;
        framed();
      }
      searched = Math.max(0, buf.length - 1);
    });
  });
  req.on('error', () => undefined);
  return { frames, wire: () => req.socket?.bytesRead ?? 0, close: () => req.destroy(), encoding, firstFrame };
}

/** Bytes on the wire (headers included) of one GET, as a browser asks for it. */
function wireGet(port: number, p: string): Promise<{ wire: number; encoding: string; status: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent: false, timeout: 20_000, headers: { 'Accept-Encoding': BROWSER_ENCODING } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ wire: req.socket?.bytesRead ?? NaN, encoding: String(res.headers['content-encoding'] ?? 'identity'), status: res.statusCode ?? 0 }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${p}: no answer in 20 s`)));
    req.on('error', reject);
  });
}

function plainJson(port: number, p: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>));
    }).on('error', reject);
  });
}

/**
 * With a 1000-match list known: a dashboard opens (live stream, /api/state, first page of
 * /api/messages, as the renderer does), then lists in which one match changed arrive at
 * 2 a second. Pushes are the frames of one coalesced flush (frames less than 30 ms apart).
 */
export interface DashboardResult {
  sseEncoding: string;
  stateEncoding: string;
  stateWireKB: number;
  messagesPageWireKB: number;
  sseOpenWireKB: number;
  openingKB: number;
  openingFrames: string[];
  firstFrame: string;
  snapshotsAfterOpen: number;
  lists: number;
  pushes: number;
  maxPushBytes: number;
  medianPushBytes: number;
  bytesPerList: number;
  /** /api/state by top-level key, KB uncompressed. */
  stateKeysKB: Record<string, number>;
}

export async function dashboard(pub: Publisher, ours: Sub, source: Source, lists: number): Promise<DashboardResult> {
  const port = ours.httpPort!;
  await paced(pub, ours, source, 2, 1.5, 0); // the 1000-match list is known before the dashboard opens
  await sleep(300);
  const stream = openStream(port);
  const sseEncoding = await stream.encoding;
  const state = await wireGet(port, '/api/state');
  const page = await wireGet(port, '/api/messages');
  // The opening is what arrived once the stream's first frame has (a 2 MB snapshot, gzipped,
  // takes a loaded machine most of a second), and nothing more in the 500 ms after it.
  await Promise.race([stream.firstFrame, sleep(10_000)]);
  await sleep(500);
  const openingFrames = [...stream.frames];
  const sseOpenBytes = stream.wire();
  const firstKind = openingFrames[0]?.kind ?? 'none';
  const plain = await plainJson(port, '/api/state');
  const stateKeysKB = Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, r1(Buffer.byteLength(JSON.stringify(v) ?? '') / 1024)]));
  const from = stream.frames.length;
  const wire0 = stream.wire();
  await paced(pub, ours, source, 2, lists / 2, 0);
  await sleep(800);
  const frames = stream.frames.slice(from);
  const seriesBytes = stream.wire() - wire0;
  stream.close();
  const pushes: number[] = [];
  let last = -Infinity;
  for (const f of frames) {
    if (f.at - last > 30) pushes.push(0);
    pushes[pushes.length - 1]! += f.bytes;
    last = f.at;
  }
  const openingKB = r1((state.wire + page.wire + sseOpenBytes) / 1024);
  const out: DashboardResult = {
    sseEncoding,
    stateEncoding: state.encoding,
    stateWireKB: r1(state.wire / 1024),
    messagesPageWireKB: r1(page.wire / 1024),
    sseOpenWireKB: r1(sseOpenBytes / 1024),
    openingKB,
    openingFrames: openingFrames.map((f) => f.kind),
    firstFrame: firstKind,
    snapshotsAfterOpen: frames.filter((f) => f.kind === 'snapshot').length,
    lists,
    pushes: pushes.length,
    maxPushBytes: Math.max(0, ...pushes),
    medianPushBytes: pushes.length ? [...pushes].sort((a, b) => a - b)[Math.floor(pushes.length / 2)]! : 0,
    bytesPerList: Math.round(seriesBytes / lists),
    stateKeysKB,
  };
  log(`dashboard: opening ${openingKB} KB (state ${out.stateWireKB} KB ${state.encoding}, messages ${out.messagesPageWireKB} KB, live stream ${out.sseOpenWireKB} KB ${sseEncoding}); pushes: max ${out.maxPushBytes} B, ${out.bytesPerList} B per list; first frame ${firstKind}, later snapshots ${out.snapshotsAfterOpen}`);
  return out;
}

/** /redis-stats under 100 keep-alive clients while 5,000 small messages/s flow; SSE pushes to one client. */
export interface HttpLoadResult {
  underFlow: { rps: number; p50: number; p99: number; errors: number | undefined; requests: number | undefined };
  messagesPerSecSent: number;
  messagesProcessedInWindow: number;
  messageLatencyUnderLoad: { p50: number; p99: number; p999: number };
  ssePushesPerSec: number;
  ssePushesMaxInOneSecond: number;
}

export async function httpLoad(pub: Publisher, ours: Sub, small: Source, seconds: number): Promise<HttpLoadResult> {
  const port = ours.httpPort!;
  const runLoad = (s: number): Promise<Record<string, number>> =>
    new Promise((resolve, reject) => {
      const p = spawn(process.execPath, [path.join(BENCH_DIST, 'loadgen.js'), `http://127.0.0.1:${port}/redis-stats`, '100', String(s * 1000)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.on('exit', (code) => {
        try {
          resolve(JSON.parse(out) as Record<string, number>);
        } catch {
          reject(new Error(`loadgen failed (${code}): ${out}`));
        }
      });
    });
  const stream = openStream(port);
  await sleep(500);
  const before = await stats(port);
  const tStart = performance.now();
  const from = stream.frames.length;
  const loadP = runLoad(seconds);
  const flow = await paced(pub, ours, small, 5000, seconds, 0);
  const load = await loadP;
  const tEnd = performance.now();
  await sleep(300);
  const after = await stats(port);
  stream.close();
  // Pushes by the server's clock (the `now` of each flush's state frame): this process is
  // busy publishing 5,000 messages a second, so when it reads a frame says little about when
  // it was sent (grouping by arrival counted one flush read in two turns as two pushes).
  const pushTimes = stream.frames
    .slice(from)
    .filter((f) => f.at <= tEnd && f.serverAt !== undefined)
    .map((f) => f.serverAt!)
    .sort((a, b) => a - b);
  let maxInOneSecond = 0;
  for (let i = 0, j = 0; i < pushTimes.length; i++) {
    while (pushTimes[i]! - pushTimes[j]! >= 1000) j++;
    maxInOneSecond = Math.max(maxInOneSecond, i - j + 1);
  }
  const lat = latencySummary(flow.samples);
  return {
    underFlow: { rps: Math.round(load.rps ?? 0), p50: r2(load.p50 ?? NaN), p99: r2(load.p99 ?? NaN), errors: load.errors, requests: load.requests },
    messagesPerSecSent: Math.round(flow.sentPerSec),
    messagesProcessedInWindow: (after.messages_processed ?? 0) - (before.messages_processed ?? 0),
    messageLatencyUnderLoad: { p50: r3(lat.p50), p99: r3(lat.p99), p999: r3(lat.p999) },
    ssePushesPerSec: r1(pushTimes.length / ((tEnd - tStart) / 1000)),
    ssePushesMaxInOneSecond: maxInOneSecond,
  };
}
