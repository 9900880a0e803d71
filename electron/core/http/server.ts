import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ackAlertsBodySchema, messagesQuerySchema, muteBodySchema, pauseBodySchema, type MessagesQuery, type SyncReport } from '../../../shared/api';
import type { AppConfig, EnvFixed } from '../../../shared/config';
import { maskConfig, maskRedisUrl } from '../../../shared/config';
import { fogisMatchSchema, type FogisMatch } from '../../../shared/messages';
import type { ConnectionInfo, Counters, MonitorEvent } from '../../../shared/state';
import { STATUS_PARTS, type Status } from '../../../shared/status';
import type { History } from '../../../shared/history';
import { sayReason } from '../../../shared/i18n/say';
import type { BridgeHandlers } from '../core-api';
import { parsePatch } from '../config/load-config';
import { errorText, type Logger } from '../log';
import { checkHost, checkOrigin, checkToken, queryTokenValid, tokenCookie, tokenRequired, type GuardOptions } from './guard';
import { readStatic } from './static-files';
import { DASHBOARD_CSP, setSecurityHeaders } from './security-headers';
import { containedAsync } from '../containment';
import { checkMatchList } from '../messages/match-gate';
import { MAX_MATCHES } from '../messages/parse-message';
import { HttpError, jsonBody, parseWith, sendJson } from './respond';
import { LiveStream, type LiveStreamLimits, type LiveStreamStats } from './live-stream';

/**
 * The local monitoring server: the Python service's six routes with their exact keys and
 * status codes (spec §4), plus the dashboard's API, an SSE stream and the built dashboard.
 * Unlike the original it binds to loopback, checks Host and Origin, needs a token beyond
 * loopback, and never returns a secret (spec §8.8).
 */

export interface HttpApp {
  handlers: BridgeHandlers;
  config(): AppConfig;
  /** Fields set by an environment variable (dotted path → variable). */
  envFixed(): EnvFixed;
  counters(): Counters;
  connection(): ConnectionInfo;
  onEvent(listener: (e: MonitorEvent) => void): () => void;
  /** The last line of defence: an exception that escaped a route handler (containment.ts). */
  internalError(area: 'http', err: unknown): void;
  snapshotEvent(): MonitorEvent;
  /** `/redis-restart`: true when subscribed again within the connect timeout. */
  restart(): Promise<{ ok: boolean; reason: string | null }>;
  manualSync(matches: FogisMatch[]): Promise<SyncReport>;
  readIcs(): Promise<string | null>;
  /** The referee phonebook as vCard 3.0; null before the first match list. */
  readVcard(): Promise<string | null>;
  uptimeSeconds(): number;
  /** The one honest status (shared/status.ts), as the dashboard and the tray show it. */
  status(): Status;
  /** The last 7 days of the watch (shared/history.ts). */
  history(): History;
  version: string;
}

export interface HttpOptions {
  app: HttpApp;
  log: Logger;
  token: string;
  staticDir: string | null;
  liveLimits?: LiveStreamLimits;
}

type Handler = (ctx: { req: IncomingMessage; res: ServerResponse; url: URL }) => Promise<void> | void;
type Routes = Record<string, Partial<Record<'GET' | 'POST' | 'PUT', Handler>>>;

const nowIso = (): string => new Date().toISOString();

/**
 * Requests other than GET/HEAD that any program on this computer may send without the token:
 * they only test or reconnect, and the Python service's verification commands use them as
 * written. Every other write (settings, sign-in, deletions, pause, mute, acknowledgements,
 * calendar contents, and any route added later) needs the token from every client (issue 9).
 */
const OPEN_WRITES_ON_LOOPBACK: ReadonlySet<string> = new Set(['POST /redis-test', 'POST /redis-restart']);

export class MonitorHttpServer {
  private server: Server | null = null;
  private port = 0;
  private readonly live: LiveStream;
  private readonly routes: Routes;
  private bindHost = '127.0.0.1';

  constructor(private readonly opts: HttpOptions) {
    this.routes = this.buildRoutes();
    this.live = new LiveStream(opts.app, opts.log, opts.liveLimits);
  }

  /** Per-client send buffers of the live stream (tests and the reliability report read it). */
  liveStats(): LiveStreamStats {
    return this.live.stats();
  }

  get address(): { host: string; port: number } | null {
    return this.server ? { host: this.bindHost, port: this.port } : null;
  }

  async listen(host: string, port: number): Promise<void> {
    this.bindHost = host;
    // Slow-loris: a client gets 10 s for its headers and 30 s for the whole request; the
    // check runs every second (Node's default interval is 30 s).
    const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 }, (req, res) => containedAsync((a, e) => this.opts.app.internalError('http', e), 'http', () => this.handle(req, res)));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        if (err.code === 'EADDRINUSE') {
          reject(new Error(`Port ${port} on ${host} is already in use (is FOGIS Monitor or the Python calendar service already running?). Choose another port with MONITOR_HTTP_PORT or the http.port setting.`));
        } else if (err.code === 'EADDRNOTAVAIL') {
          reject(new Error(`Cannot listen on ${host}: no such address on this machine. Check MONITOR_HTTP_HOST.`));
        } else reject(err);
      };
      const onListening = (): void => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, host);
    });
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : port;
    this.server = server;
    if (tokenRequired(host)) this.opts.log.warn('http', `listening on ${host}:${this.port} beyond loopback: every route but /health needs the access token`);
    else this.opts.log.info('http', `listening on http://${host.includes(':') ? `[${host}]` : host}:${this.port}`);
  }

  async close(): Promise<void> {
    this.live.closeAll();
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private guardOptions(): GuardOptions {
    return { bindHost: this.bindHost, port: () => this.port, token: this.opts.token };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      sendJson(res, 400, { success: false, error: 'Bad request URL' });
      return;
    }
    try {
      const g = this.guardOptions();
      for (const check of [checkHost(req, g), checkOrigin(req)]) {
        if (!check.ok) throw new HttpError(check.status, check.error);
      }
      const method = (req.method ?? 'GET').toUpperCase();
      if (this.needsToken(method, url.pathname)) {
        const t = checkToken(req, url, g);
        if (!t.ok) throw new HttpError(t.status, t.error);
      }
      // The address printed at start carries ?token=; the page it opens keeps the token as
      // an HttpOnly cookie, so its script bundle, fetches and EventSource are let in too.
      if ((method === 'GET' || method === 'HEAD') && queryTokenValid(url, g)) res.setHeader('Set-Cookie', tokenCookie(this.opts.token, this.port));
      const route = this.routes[url.pathname];
      if (route) {
        const fn = route[method as 'GET'] ?? (method === 'HEAD' ? route.GET : undefined);
        if (!fn) {
          const allow = Object.keys(route).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
          throw new HttpError(405, `Method ${method} not allowed; use ${allow}`, { __allow: allow });
        }
        await fn({ req, res, url });
        return;
      }
      if ((method === 'GET' || method === 'HEAD') && this.opts.staticDir && !url.pathname.startsWith('/api/')) {
        const file = await readStatic(this.opts.staticDir, url.pathname);
        if (file) {
          setSecurityHeaders(res, DASHBOARD_CSP);
          res.writeHead(200, {
            'Content-Type': file.type,
            'Content-Length': file.body.length,
            'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
          });
          res.end(method === 'HEAD' ? undefined : file.body);
          return;
        }
      }
      throw new HttpError(404, `No such route: ${url.pathname}`);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) {
        const { __allow, ...extra } = err.extra as { __allow?: string };
        if (err.status >= 400 && err.status !== 404) this.opts.log.info('http', `${req.method} ${url.pathname} → ${err.status}: ${err.message}`);
        sendJson(res, err.status, { success: false, error: err.message, ...extra }, __allow ? { Allow: __allow } : {});
        return;
      }
      this.opts.log.error('http', `${req.method} ${url.pathname} failed: ${errorText(err)}`);
      this.opts.app.internalError('http', err);
      sendJson(res, 500, { success: false, error: 'Internal error; see the log' });
    }
  }

  /** Beyond loopback everything but /health; on loopback every write except the allow-list. */
  private needsToken(method: string, pathname: string): boolean {
    if (tokenRequired(this.bindHost)) return pathname !== '/health';
    if (method === 'GET' || method === 'HEAD') return false;
    if (OPEN_WRITES_ON_LOOPBACK.has(`${method} ${pathname}`)) return false;
    if (method === 'POST' && pathname === '/manual-sync' && this.opts.app.config().http.openManualSync) return false;
    return true;
  }

  private maxBody(): number {
    return this.opts.app.config().http.maxBodyBytes;
  }

  private buildRoutes(): Routes {
    const app = this.opts.app;
    const h = app.handlers;
    const post = (fn: (body: unknown) => Promise<{ status: number; body: unknown }>): Handler => async ({ req, res }) => {
      const body = await jsonBody(req, this.maxBody(), true);
      const out = await fn(body);
      sendJson(res, out.status, out.body);
    };
    const statusObject = (): Record<string, unknown> => {
      const c = app.connection();
      const cfg = app.config();
      return {
        enabled: cfg.redis.enabled,
        connected: c.connected,
        subscribed: c.subscribed,
        // The Python service meant "the redis library imported" (spec §3.5), always true here;
        // this says whether the Redis server answers on the live connection (false while the
        // host is not found, refused, or silent).
        redis_available: c.connected,
        state: c.state,
        state_since: c.stateSince,
        reason: c.reason,
        reason_code: c.reasonCode?.key.replace(/^reason\./, '') ?? null,
        possibly_stale: c.possiblyStale,
        stale_since: c.staleSince,
      };
    };
    return {
      '/health': {
        GET: ({ res }) => {
          const c = app.connection();
          const st = app.status();
          const en = (r: Status['headline']): string => sayReason('en', r, { time: (iso) => iso });
          // `status` keeps its two values; it now follows the one status, not only Redis:
          // "healthy" when nothing needs attention (or listening is deliberately off).
          const healthy = st.level === 'ok' || (st.level === 'off' && c.state === 'disabled');
          sendJson(res, 200, {
            status: healthy ? 'healthy' : 'degraded',
            version: app.version,
            redis_state: c.state,
            uptime: app.uptimeSeconds(),
            timestamp: nowIso(),
            level: st.level,
            summary: en(st.headline),
            demo: st.demo,
            parts: Object.fromEntries(
              STATUS_PARTS.map((name) => [name, { level: st.parts[name].level, reasons: st.parts[name].reasons.map((r) => ({ code: r.code, text: en(r) })) }]),
            ),
          });
        },
      },
      '/redis-status': {
        GET: ({ res }) => sendJson(res, 200, { success: true, timestamp: nowIso(), redis_status: statusObject() }),
      },
      '/redis-stats': {
        GET: ({ res }) => {
          const c = app.counters();
          const conn = app.connection();
          sendJson(res, 200, {
            success: true,
            stats: {
              subscription_active: conn.subscribed,
              channels: conn.channels.length ? conn.channels : channelsOf(app.config()),
              timestamp: nowIso(),
              messages_received: c.messages_received,
              messages_processed: c.messages_processed,
              errors: c.errors,
              reconnect_count: c.reconnect_count,
              duplicates: c.duplicates,
              internal_errors: c.internal_errors,
              by_type: c.by_type,
              by_channel: c.by_channel,
              by_generation: c.by_generation,
              rejected_by_reason: c.rejected_by_reason,
              schema_version_stats: c.schema_version_stats,
              last_message_time: c.last_message_time,
              uptime: app.uptimeSeconds(),
            },
          });
        },
      },
      '/redis-test': {
        POST: post(async () => {
          const r = await h.testConnection();
          return {
            status: r.success ? 200 : 503,
            body: { success: r.success, test_results: { ...statusObject(), ping_ms: r.ping_ms, pubsub_roundtrip_ms: r.pubsub_roundtrip_ms }, ...(r.error ? { error: r.error } : {}), timestamp: nowIso() },
          };
        }),
      },
      '/redis-restart': {
        POST: post(async () => {
          if (!app.config().redis.enabled) return { status: 400, body: { success: false, message: 'Redis is disabled' } };
          const r = await app.restart();
          return r.ok
            ? { status: 200, body: { success: true, message: 'Redis subscription restarted', timestamp: nowIso() } }
            : { status: 500, body: { success: false, message: 'Failed to restart subscription', reason: r.reason, timestamp: nowIso() } };
        }),
      },
      '/manual-sync': {
        POST: async ({ req, res }) => {
          const body = await jsonBody(req, this.maxBody(), true);
          // spec §4: a falsy body ({} [] null or none) and a body without `matches` get different 400s.
          const falsy = body === undefined || body === null || body === false || body === 0 || body === '' || (Array.isArray(body) && body.length === 0) || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);
          if (falsy) throw new HttpError(400, 'Missing JSON data in request');
          if (typeof body !== 'object' || Array.isArray(body) || !('matches' in body)) throw new HttpError(400, "Missing 'matches' in request data");
          const list = (body as { matches: unknown }).matches;
          if (!Array.isArray(list)) throw new HttpError(400, "'matches' must be a list of FOGIS matches");
          if (list.length > MAX_MATCHES) throw new HttpError(400, `'matches' has ${list.length} entries; at most ${MAX_MATCHES} are accepted in one list`);
          const matches: FogisMatch[] = [];
          for (const [i, m] of list.entries()) {
            const r = fogisMatchSchema.safeParse(m);
            if (!r.success) {
              const issue = r.error.issues[0];
              throw new HttpError(400, `matches[${i}]${issue?.path.length ? '.' + issue.path.join('.') : ''}: ${issue?.message ?? 'invalid match'}`);
            }
            matches.push(r.data);
          }
          // The same semantic gate as a Redis list (match-gate.ts): real dates, the kickoff window, unique ids.
          const gate = checkMatchList(matches, Date.now(), app.config().calendar.timeZone);
          if (!gate.ok) throw new HttpError(400, `${gate.error.replace(/^payload\./, '')} (${gate.reason})`);
          const report = await app.manualSync(matches);
          sendJson(res, report.success ? 200 : 500, { success: report.success, matches_processed: matches.length, timestamp: nowIso(), summary: report.summary, report, ...(report.error ? { error: report.error } : {}) });
        },
      },
      '/redis-config': {
        GET: ({ res }) => {
          const cfg = app.config();
          sendJson(res, 200, {
            success: true,
            timestamp: nowIso(),
            config: {
              url: maskRedisUrl(cfg.redis.url),
              enabled: cfg.redis.enabled,
              timeout: cfg.redis.connectTimeoutMs / 1000,
              channels: { match_updates: cfg.redis.channels.matchUpdates, processor_status: cfg.redis.channels.processorStatus, system_alerts: cfg.redis.channels.systemAlerts },
            },
            effective: maskConfig(cfg),
          });
        },
      },
      '/calendar.ics': {
        GET: async ({ res }) => {
          const ics = await app.readIcs();
          if (ics === null) throw new HttpError(404, 'No calendar file yet (the ICS calendar is written when the first match list arrives)');
          res.writeHead(200, { 'Content-Type': 'text/calendar; charset=utf-8', 'Content-Disposition': 'inline; filename="fogis-matches.ics"', 'Cache-Control': 'no-cache', 'Content-Length': Buffer.byteLength(ics) });
          res.end(ics);
        },
      },
      '/contacts.vcf': {
        GET: async ({ res }) => {
          const vcf = await app.readVcard();
          if (vcf === null) throw new HttpError(404, 'No phonebook yet (it is written when the first match list arrives)');
          res.writeHead(200, {
            'Content-Type': 'text/vcard; charset=utf-8',
            'Content-Disposition': 'attachment; filename="fogis-contacts.vcf"',
            // Personal data: never kept by a cache on the way.
            'Cache-Control': 'no-store',
            'X-Content-Type-Options': 'nosniff',
            'Content-Length': Buffer.byteLength(vcf),
          });
          res.end(vcf);
        },
      },
      '/api/contacts': { GET: async ({ res }) => sendJson(res, 200, await h.getContacts()) },
      '/api/state': { GET: ({ res }) => sendJson(res, 200, (app.snapshotEvent() as Extract<MonitorEvent, { kind: 'snapshot' }>).snapshot) },
      '/api/messages': { GET: async ({ res, url }) => sendJson(res, 200, await h.getMessages(messagesQuery(url))) },
      '/api/history': { GET: ({ res }) => sendJson(res, 200, app.history()) },
      '/api/events': { GET: ({ req, res }) => this.live.open(req, res, req.method === 'HEAD', {}) },
      '/api/config': {
        GET: ({ res }) => sendJson(res, 200, { success: true, config: maskConfig(app.config()), envFixed: app.envFixed() }),
        PUT: async ({ req, res }) => {
          const body = await jsonBody(req, this.maxBody(), false);
          const r = parsePatch(body);
          if (!r.ok) {
            sendJson(res, 400, { success: false, error: 'Invalid settings', errors: r.errors });
            return;
          }
          const result = await h.updateConfig(r.patch);
          sendJson(res, result.success ? 200 : 400, result);
        },
      },
      '/api/sync': { POST: post(async () => report(await h.syncNow())) },
      '/api/deletions/confirm': { POST: post(async () => report(await h.confirmDeletions())) },
      // Issue 10 §2: what taking over a calendar that already holds FOGIS events does, and the go-ahead.
      '/api/calendar/takeover': { GET: ({ res }) => sendJson(res, 200, { takeover: (app.snapshotEvent() as Extract<MonitorEvent, { kind: 'snapshot' }>).snapshot.calendar.takeover ?? null }) },
      '/api/calendar/takeover/confirm': { POST: post(async () => report(await h.confirmTakeover())) },
      '/api/alerts/ack': { POST: post(async (b) => action(await h.acknowledgeAlerts(parseWith(ackAlertsBodySchema, b)))) },
      '/api/pause': { POST: post(async (b) => action(await h.setPaused(parseWith(pauseBodySchema, b).paused))) },
      '/api/notifications/mute': { POST: post(async (b) => action(await h.muteNotifications(parseWith(muteBodySchema, b).until))) },
      '/api/google/signin': { POST: post(async () => action(await h.googleSignIn())) },
      '/api/google/signout': { POST: post(async () => action(await h.googleSignOut())) },
    };
  }
}

/** `?limit=&before=` as whole numbers, checked by the shared schema (400 names the problem). */
function messagesQuery(url: URL): MessagesQuery {
  const q: Record<string, number> = {};
  for (const [key, value] of url.searchParams) {
    if (key === 'token') continue;
    if (!/^\d{1,15}$/.test(value)) throw new HttpError(400, `Invalid request: ${key} must be a whole number`);
    q[key] = Number(value);
  }
  return parseWith(messagesQuerySchema, q);
}

function channelsOf(cfg: AppConfig): string[] {
  return [cfg.redis.channels.matchUpdates, cfg.redis.channels.processorStatus, cfg.redis.channels.systemAlerts];
}

function report(r: SyncReport): { status: number; body: unknown } {
  return { status: r.success ? 200 : 500, body: r };
}

function action(r: { success: boolean }): { status: number; body: unknown } {
  return { status: r.success ? 200 : 400, body: r };
}
