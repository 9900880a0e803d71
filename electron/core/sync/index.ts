import path from 'node:path';
import type { AppConfig } from '../../../shared/config';
import type { FogisMatch } from '../../../shared/messages';
import type { CalendarState, TakeoverPreview } from '../../../shared/state';
import type { ActionResult, SyncReport } from '../../../shared/api';
import type { SecretStore } from '../core-api';
import { errorText } from '../log';
import { FileSecretStore } from '../store/secret-file-store';
import type { BackendContext, CalendarBackend } from './backend';
import type { CalendarSink, MatchListInput, SinkContext } from './calendar-sink';
import { GoogleAuth } from './google-auth';
import { GoogleBackend } from './google-backend';
import { IcsBackend } from './ics-backend';
import type { RetryPolicy } from '../retry';
import { SyncEngine } from './sync-engine';
import type { PlanStats } from './plan';
import type { PlanOptions } from './types';
import { failureOf } from '../coded-error';

export interface CalendarSinkOptions {
  /** Defaults to a 0600 file store in the data directory. */
  secretStore?: SecretStore;
  /** Calendar API root, e.g. `http://127.0.0.1:4567/` for the fake server in tests. */
  googleRootUrl?: string;
  /** OAuth token endpoint override (tests). */
  tokenUrl?: string;
  /** OAuth consent page override (tests). */
  authUrl?: string;
  /** credentials.json (the shell passes GOOGLE_CREDENTIALS_PATH); default `<dataDir>/credentials.json`. */
  credentialsPath?: string;
  /** token.json imported on start when no token is stored (the shell passes GOOGLE_CALENDAR_TOKEN_FILE); default `<dataDir>/token.json`; null: none. */
  tokenImportPath?: string | null;
  retry?: Partial<RetryPolicy>;
  saveDelayMs?: number;
  syncWaitMs?: number;
  googleTimeoutMs?: number;
  /** The calendar's clock: what is history (change-window.ts). Tests pin it. */
  clock?: () => number;
  /** Pace of Calendar writes (pacing.ts default: 10/s). */
  googleWritesPerSecond?: number;
  /** Told after every plan how many matches it looked at (tests, the benchmark). */
  onPlan?(stats: PlanStats): void;
}

/** The calendar sink with the few extras the shells wire up (GET /calendar.ics, Google sign-in). */
export interface FullCalendarSink extends CalendarSink {
  readIcs(): Promise<string | null>;
  googleSignIn(openUrl: (url: string) => void): Promise<ActionResult>;
  googleSignOut(): Promise<ActionResult>;
  importGoogleToken(tokenJson: string): Promise<ActionResult>;
  getTakeover(): TakeoverPreview | null;
  confirmTakeover(): Promise<SyncReport>;
  /** Test/shutdown helper: resolves true once no write is pending. */
  drain(timeoutMs?: number): Promise<boolean>;
  /** The one Google sign-in, shared with Google Contacts (spec §5.8: one token). */
  googleAuth(): GoogleAuth;
}

function planOptions(c: AppConfig['calendar']): PlanOptions {
  return {
    syncTag: c.syncTag,
    durationMinutes: c.matchDurationMinutes,
    timeZone: c.timeZone,
    keepCancelled: c.keepCancelled,
    maxDeleteFraction: c.maxDeleteFraction,
  };
}

/**
 * Chooses ICS (default) or Google by `config.calendar.backend`. `updateConfig` switches the
 * backend live; each backend keeps its own records and outbox (`calendar-<kind>-sync.json`).
 */
export function createCalendarSink(config: AppConfig, ctx: SinkContext, opts: CalendarSinkOptions = {}): FullCalendarSink {
  return new SwitchingCalendarSink(config.calendar, ctx, opts);
}

class SwitchingCalendarSink implements FullCalendarSink {
  private engine: SyncEngine | null = null;
  private ics: IcsBackend | null = null;
  private readonly auth: GoogleAuth;
  private authLoaded: Promise<void> | null = null;
  private listeners = new Set<() => void>();
  private unsubscribeEngine: (() => void) | null = null;
  private switching: Promise<void> = Promise.resolve();
  private running = false;

  constructor(
    private calendar: AppConfig['calendar'],
    private readonly ctx: SinkContext,
    private readonly opts: CalendarSinkOptions,
  ) {
    this.auth = new GoogleAuth({
      secretStore: opts.secretStore ?? FileSecretStore.inDataDir(ctx.dataDir),
      log: ctx.log,
      credentialsPath: opts.credentialsPath ?? path.join(ctx.dataDir, 'credentials.json'),
      tokenImportPath: opts.tokenImportPath === undefined ? path.join(ctx.dataDir, 'token.json') : opts.tokenImportPath,
      ...(opts.tokenUrl ? { tokenUrl: opts.tokenUrl } : {}),
      ...(opts.authUrl ? { authUrl: opts.authUrl } : {}),
    });
    this.auth.onChange(() => this.engine?.backendChanged());
    this.engine = this.buildEngine();
  }

  private buildEngine(): SyncEngine {
    let engine: SyncEngine | null = null;
    const bctx: BackendContext = {
      log: this.ctx.log,
      countApiCall: () => engine?.countApiCall(),
      changed: () => engine?.backendChanged(),
    };
    let backend: CalendarBackend;
    if (this.calendar.backend === 'google') {
      this.ics = null;
      backend = new GoogleBackend(
        {
          auth: this.auth,
          calendarId: this.calendar.calendarId,
          syncTag: this.calendar.syncTag,
          ...(this.opts.googleRootUrl ? { rootUrl: this.opts.googleRootUrl } : {}),
          ...(this.opts.googleTimeoutMs ? { timeoutMs: this.opts.googleTimeoutMs } : {}),
          ...(this.opts.clock ? { clock: this.opts.clock } : {}),
          ...(this.opts.googleWritesPerSecond ? { writesPerSecond: this.opts.googleWritesPerSecond } : {}),
        },
        bctx,
      );
    } else {
      this.ics = new IcsBackend({ dataDir: this.ctx.dataDir, timeZone: this.calendar.timeZone, publicBaseUrl: this.ctx.publicBaseUrl }, bctx);
      backend = this.ics;
    }
    engine = new SyncEngine({
      dataDir: this.ctx.dataDir,
      backend,
      plan: planOptions(this.calendar),
      log: this.ctx.log,
      raiseAlert: (a) => this.ctx.raiseAlert(a),
      resolveAlerts: (t) => this.ctx.resolveAlerts?.(t),
      calendarLabel: this.calendar.backend === 'google' ? this.calendar.calendarId : 'calendar.ics',
      ...(this.ctx.internalError ? { internalError: this.ctx.internalError } : {}),
      ...(this.opts.retry ? { retry: this.opts.retry } : {}),
      ...(this.opts.saveDelayMs !== undefined ? { saveDelayMs: this.opts.saveDelayMs } : {}),
      ...(this.opts.syncWaitMs !== undefined ? { syncWaitMs: this.opts.syncWaitMs } : {}),
      ...(this.opts.clock ? { clock: this.opts.clock } : {}),
      ...(this.opts.onPlan ? { onPlan: this.opts.onPlan } : {}),
    });
    this.unsubscribeEngine?.();
    this.unsubscribeEngine = engine.onStateChange(() => this.emit());
    return engine;
  }

  private loadAuth(): Promise<void> {
    this.authLoaded ??= this.auth.load().catch((err: unknown) => this.ctx.log.warn('google', `cannot load Google sign-in: ${errorText(err)}`));
    return this.authLoaded;
  }

  async start(): Promise<void> {
    await this.loadAuth();
    this.running = true;
    await this.engine?.start();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.switching;
    await this.engine?.stop();
  }

  onMatchList(input: MatchListInput): void {
    this.engine?.onMatchList(input);
  }

  async sync(matches: FogisMatch[] | null): Promise<SyncReport> {
    await this.switching;
    if (!this.engine) throw new Error('calendar sink not started');
    return this.engine.sync(matches);
  }

  getTakeover(): TakeoverPreview | null {
    return this.engine ? this.engine.getTakeover() : null;
  }

  async confirmTakeover(): Promise<SyncReport> {
    await this.switching;
    if (!this.engine) throw new Error('calendar sink not started');
    return this.engine.confirmTakeover();
  }

  async confirmDeletions(): Promise<SyncReport> {
    await this.switching;
    if (!this.engine) throw new Error('calendar sink not started');
    return this.engine.confirmDeletions();
  }

  getState(): CalendarState {
    if (!this.engine) throw new Error('calendar sink not started');
    return this.engine.getState();
  }

  onStateChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  updateConfig(calendar: AppConfig['calendar']): void {
    const prev = this.calendar;
    this.calendar = calendar;
    const rebuild = prev.backend !== calendar.backend || prev.calendarId !== calendar.calendarId || prev.syncTag !== calendar.syncTag || prev.timeZone !== calendar.timeZone;
    if (!rebuild) {
      this.engine?.setPlanOptions(planOptions(calendar));
      return;
    }
    this.ctx.log.info('calendar', `calendar settings changed: switching to ${calendar.backend}${calendar.backend === 'google' ? ` (${calendar.calendarId})` : ''}`);
    const old = this.engine;
    this.switching = this.switching.then(async () => {
      await old?.stop();
      this.engine = this.buildEngine();
      if (this.running) await this.engine.start();
      this.emit();
    });
  }

  async readIcs(): Promise<string | null> {
    return this.ics ? this.ics.readIcs() : null;
  }

  async googleSignIn(openUrl: (url: string) => void): Promise<ActionResult> {
    try {
      await this.loadAuth();
      await this.auth.signIn(openUrl);
      return { success: true, message: 'Signed in to Google Calendar' };
    } catch (err) {
      return { success: false, error: errorText(err), errorCode: failureOf(err) };
    }
  }

  async googleSignOut(): Promise<ActionResult> {
    try {
      await this.auth.signOut();
      return { success: true, message: 'Signed out of Google Calendar' };
    } catch (err) {
      return { success: false, error: errorText(err), errorCode: failureOf(err) };
    }
  }

  async importGoogleToken(tokenJson: string): Promise<ActionResult> {
    try {
      await this.loadAuth();
      await this.auth.importToken(tokenJson);
      return { success: true, message: 'Google token imported' };
    } catch (err) {
      return { success: false, error: errorText(err), errorCode: failureOf(err) };
    }
  }

  googleAuth(): GoogleAuth {
    return this.auth;
  }

  async drain(timeoutMs?: number): Promise<boolean> {
    await this.switching;
    return this.engine ? this.engine.drain(timeoutMs) : true;
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

export { FileSecretStore };
