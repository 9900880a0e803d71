import type { AppConfig } from '../../shared/config';
import { englishText } from './monitor/alert-book';
import type { Monitor } from './monitor/monitor';
import type { LiveStreamStats } from './http/live-stream';
import { MonitorHttpServer, type HttpApp } from './http/server';
import { errorText, type Logger } from './log';

/**
 * The local HTTP server as the core runs it (headless: always; desktop: for the monitoring
 * routes): where it listens, and moving it when the settings change.
 */
export class LocalServer {
  private server: MonitorHttpServer | null = null;

  constructor(
    private readonly log: Logger,
    /** The address in the configuration (before the server listens, the base URL is built from it). */
    private readonly configured: () => AppConfig['http'],
  ) {}

  get running(): boolean {
    return this.server !== null;
  }

  /** `http://127.0.0.1:5003`: where a browser on this computer reaches the server. */
  baseUrl(): string {
    const a = this.server?.address;
    if (!a) return `http://127.0.0.1:${this.configured().port}`;
    const host = a.host === '0.0.0.0' || a.host === '::' ? '127.0.0.1' : a.host.includes(':') ? `[${a.host}]` : a.host;
    return `http://${host}:${a.port}`;
  }

  /** The base URL once listening, else null. */
  listeningUrl(): string | null {
    return this.server?.address ? this.baseUrl() : null;
  }

  liveStats(): LiveStreamStats | null {
    return this.server?.liveStats() ?? null;
  }

  async start(app: HttpApp, token: string, staticDir: string | null): Promise<void> {
    this.server = new MonitorHttpServer({ log: this.log, token, staticDir, app });
    const { host, port } = this.configured();
    await this.server.listen(host, port);
    const what = staticDir ? 'dashboard' : 'monitoring API (dashboard not built: run npm run build)';
    this.log.announce?.('http', `${what}: ${this.baseUrl()}/?token=${token} (the token lets anyone change settings: keep this address private)`);
  }

  /** To the configured address; if it was taken since the check, back to `from` and an alert. */
  async move(from: AppConfig['http'], monitor: Pick<Monitor, 'raiseAppAlert'>): Promise<void> {
    const server = this.server;
    if (!server) return;
    await server.close();
    const to = this.configured();
    try {
      await server.listen(to.host, to.port);
    } catch (err) {
      // Taken since the check: stay reachable where we were.
      this.log.error('http', errorText(err));
      const text = { key: 'appAlert.http', params: { error: errorText(err) } };
      monitor.raiseAppAlert({ alertType: 'http', severity: 'error', message: englishText(text), text });
      await server.listen(from.host, from.port).catch((e: unknown) => this.log.error('http', `cannot listen again on ${from.host}:${from.port}: ${errorText(e)}`));
    }
  }

  async close(): Promise<void> {
    await this.server?.close();
  }
}
