import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { OP_NAMES, OPS } from '../../../shared/contract-channels';
import { errorText, type Logger } from '../log';
import { checkHost, checkOrigin, checkToken, queryTokenValid, tokenCookie, tokenRequired, type GuardOptions } from './guard';
import { readStatic } from './static-files';
import { DASHBOARD_CSP, setSecurityHeaders } from './security-headers';
import { containedAsync } from '../containment';
import { HttpError, sendJson } from './respond';
import { LiveStream, type LiveStreamLimits, type LiveStreamStats } from './live-stream';
import { mergeRoutes, type HttpApp, type RouteDeps, type Routes } from './http-app';
import { pythonRoutes } from './python-routes';
import { feedRoutes } from './feed-routes';
import { dashboardRoutes } from './dashboard-routes';

export type { HttpApp } from './http-app';

/**
 * The local monitoring server: listening, the request guard (Host, Origin, token), method
 * and 404 handling, errors as JSON, and the built dashboard. The routes are the Python
 * service's (python-routes.ts, spec §4, exact keys and status codes), the calendar and
 * phonebook files (feed-routes.ts) and the dashboard's API (dashboard-routes.ts, derived
 * from the contract table) with its live stream (live-stream.ts).
 * Unlike the original it binds to loopback, checks Host and Origin, needs a token beyond
 * loopback, and never returns a secret (spec §8.8).
 */

export interface HttpOptions {
  app: HttpApp;
  log: Logger;
  token: string;
  staticDir: string | null;
  liveLimits?: LiveStreamLimits;
}

/**
 * Requests other than GET/HEAD that any program on this computer may send without the token:
 * they only test or reconnect, and the Python service's verification commands use them as
 * written. Every other write (settings, sign-in, deletions, pause, mute, acknowledgements,
 * calendar contents, and any route added later) needs the token from every client (issue 9).
 * The contract table says which (`token: false` on a write: /redis-test and /redis-restart).
 */
const OPEN_WRITES_ON_LOOPBACK: ReadonlySet<string> = new Set(
  OP_NAMES.filter((name) => !OPS[name].token && OPS[name].http.method !== 'GET').map((name) => `${OPS[name].http.method} ${OPS[name].http.path}`),
);

/** Every route the server answers (besides the dashboard's files); the README documents each. */
export function serverRoutes(deps: RouteDeps): Routes {
  return mergeRoutes(pythonRoutes(deps), feedRoutes(deps), dashboardRoutes(deps));
}

export class MonitorHttpServer {
  private server: Server | null = null;
  private port = 0;
  private readonly live: LiveStream;
  private readonly routes: Routes;
  private bindHost = '127.0.0.1';

  constructor(private readonly opts: HttpOptions) {
    this.live = new LiveStream(opts.app, opts.log, opts.liveLimits);
    const deps = { app: opts.app, maxBody: () => opts.app.config().http.maxBodyBytes, live: this.live };
    this.routes = serverRoutes(deps);
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
}
