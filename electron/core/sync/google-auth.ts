import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { Credentials, OAuth2Client } from 'google-auth-library';
import { z } from 'zod';
import type { SecretStore } from '../core-api';
import { errorText, registerSecret, type Logger } from '../log';
import { failure } from '../../../shared/text-ref';
import { CodedError } from '../coded-error';

/** Loaded on first use, not at start: the ICS default never needs it (issue 12, idle RSS). */
let authLib: Promise<typeof import('google-auth-library')> | null = null;
const loadAuthLib = (): Promise<typeof import('google-auth-library')> => (authLib ??= import('google-auth-library'));

export const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';
/** Asked for only once the coordinator turns Google Contacts on (incremental consent, issue 13). */
export const CONTACTS_SCOPE = 'https://www.googleapis.com/auth/contacts';
export const TOKEN_SECRET_NAME = 'google-calendar-token';
const DEFAULT_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const DEFAULT_AUTH_URL = 'https://accounts.google.com/o/oauth2/v2/auth';

const clientSecretsSchema = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().default(''),
  auth_uri: z.string().optional(),
  token_uri: z.string().optional(),
});
/** A Google "Desktop app" OAuth client file; `web` clients are read the same way. */
const credentialsFileSchema = z.union([
  z.object({ installed: clientSecretsSchema }).transform((v) => v.installed),
  z.object({ web: clientSecretsSchema }).transform((v) => v.web),
]);
export type ClientSecrets = z.infer<typeof clientSecretsSchema>;

/** Google's authorized-user token.json, as the Python service stores it (spec §5.8). */
const authorizedUserSchema = z.object({
  token: z.string().nullable().optional(),
  access_token: z.string().nullable().optional(),
  refresh_token: z.string().min(1),
  token_uri: z.string().optional(),
  client_id: z.string().min(1),
  client_secret: z.string().default(''),
  scopes: z.union([z.array(z.string()), z.string()]).optional(),
  expiry: z.string().nullable().optional(),
});

/** What we keep in the secret store. */
const storedTokenSchema = z.object({
  refresh_token: z.string().min(1),
  access_token: z.string().nullable(),
  expiry_date: z.number().nullable(),
  scope: z.string().nullable(),
  client_id: z.string().min(1),
  client_secret: z.string(),
  token_uri: z.string().nullable(),
});
export type StoredToken = z.infer<typeof storedTokenSchema>;

export interface GoogleAuthOptions {
  secretStore: SecretStore;
  log: Logger;
  /** The user's credentials.json (Desktop app client). */
  credentialsPath: string;
  /** A token.json to import on start when no token is stored yet (the Python service's file). */
  tokenImportPath?: string | null;
  /** Overrides for tests: the token endpoint and the consent page. */
  tokenUrl?: string;
  authUrl?: string;
}

export type AuthStatus = 'signed-out' | 'signed-in' | 'sign-in needed' | 'signing-in';

/**
 * Google OAuth for the calendar: tokens in the SecretStore (safeStorage on the desktop, a
 * 0600 file headless), refreshed tokens persisted, invalid_grant turned into a visible
 * "sign-in needed" state (spec §5.8, §7: five token-path bugs — one source of truth here).
 */
export class GoogleAuth {
  private token: StoredToken | null = null;
  private oauth: OAuth2Client | null = null;
  private state: AuthStatus = 'signed-out';
  private reason: string | null = null;
  private listeners = new Set<() => void>();
  private signingIn: Promise<void> | null = null;
  private readonly extraScopes = new Set<string>();

  constructor(private readonly opts: GoogleAuthOptions) {}

  /** Adds (or drops) a scope the next sign-in asks for besides the calendar. */
  wantScope(scope: string, wanted: boolean): void {
    if (wanted) this.extraScopes.add(scope);
    else this.extraScopes.delete(scope);
  }

  /**
   * Whether the saved sign-in grants `scope`: true/false when the token says which scopes it
   * has, null when it does not (an imported token.json without `scopes`).
   */
  hasScope(scope: string): boolean | null {
    const granted = this.token?.scope;
    if (!granted) return null;
    return granted.split(/\s+/).includes(scope);
  }

  onChange(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  status(): AuthStatus {
    return this.state;
  }

  statusReason(): string | null {
    return this.reason;
  }

  client(): OAuth2Client | null {
    return this.state === 'signed-in' ? this.oauth : null;
  }

  async load(): Promise<void> {
    const raw = await this.opts.secretStore.get(TOKEN_SECRET_NAME).catch((err: unknown) => {
      this.opts.log.warn('google', `cannot read the stored Google token: ${errorText(err)}`);
      return null;
    });
    if (raw) {
      const parsed = storedTokenSchema.safeParse(safeJson(raw));
      if (parsed.success) {
        await this.use(parsed.data);
        return;
      }
      this.opts.log.warn('google', 'the stored Google token is unreadable; sign in again');
    }
    if (this.opts.tokenImportPath) {
      try {
        const text = await fs.readFile(this.opts.tokenImportPath, 'utf8');
        await this.importToken(text);
        this.opts.log.info('google', `imported the Google token from ${this.opts.tokenImportPath}`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.opts.log.warn('google', `cannot import ${this.opts.tokenImportPath}: ${errorText(err)}`);
      }
    }
  }

  /** Imports an authorized-user token.json (fields token, refresh_token, token_uri, client_id, client_secret, scopes, expiry). */
  async importToken(json: string): Promise<void> {
    const parsed = authorizedUserSchema.safeParse(safeJson(json));
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const detail = `${first?.path.join('.') || '(root)'} ${first?.message ?? ''}`.trim();
      throw new CodedError(`not an authorized-user token.json: ${detail}`, failure('googleBadToken', { detail }));
    }
    const t = parsed.data;
    const scopes = Array.isArray(t.scopes) ? t.scopes : t.scopes ? t.scopes.split(/\s+/) : [];
    if (scopes.length > 0 && !scopes.some((s) => s === CALENDAR_SCOPE || s === `${CALENDAR_SCOPE}.events`)) {
      throw new CodedError('the token does not grant Google Calendar access', failure('googleNoCalendarAccess'));
    }
    const expiry = t.expiry ? Date.parse(t.expiry.endsWith('Z') || /[+-]\d{2}:?\d{2}$/.test(t.expiry) ? t.expiry : `${t.expiry}Z`) : NaN;
    await this.save({
      refresh_token: t.refresh_token,
      access_token: t.token ?? t.access_token ?? null,
      expiry_date: Number.isNaN(expiry) ? null : expiry,
      scope: scopes.join(' ') || null,
      client_id: t.client_id,
      client_secret: t.client_secret,
      token_uri: t.token_uri ?? null,
    });
  }

  async readClientSecrets(): Promise<ClientSecrets> {
    let text: string;
    try {
      text = await fs.readFile(this.opts.credentialsPath, 'utf8');
    } catch (err) {
      throw new CodedError(
        `no Google OAuth client file at ${this.opts.credentialsPath} (${errorText(err)}); download a "Desktop app" credentials.json from Google Cloud Console`,
        failure('googleNoClientFile', { path: this.opts.credentialsPath }),
      );
    }
    const parsed = credentialsFileSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new CodedError(`${this.opts.credentialsPath} is not a Google OAuth client file (expected "installed" or "web" with client_id)`, failure('googleBadClientFile', { path: this.opts.credentialsPath }));
    }
    registerSecret(parsed.data.client_secret);
    return parsed.data;
  }

  /**
   * Installed-app loopback flow (RFC 8252): PKCE S256, a random `state` checked before the
   * code is exchanged, an ephemeral 127.0.0.1 port that answers one valid redirect.
   */
  signIn(openUrl: (url: string) => void, timeoutMs = 5 * 60_000): Promise<void> {
    if (this.signingIn) return this.signingIn;
    this.signingIn = this.runSignIn(openUrl, timeoutMs).finally(() => {
      this.signingIn = null;
    });
    return this.signingIn;
  }

  private async runSignIn(openUrl: (url: string) => void, timeoutMs: number): Promise<void> {
    const secrets = await this.readClientSecrets();
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const redirectUri = `http://127.0.0.1:${port}/`;
    const prev = this.state;
    this.setState('signing-in', null);
    try {
      const { OAuth2Client, CodeChallengeMethod } = await loadAuthLib();
      const client = new OAuth2Client({
        clientId: secrets.client_id,
        clientSecret: secrets.client_secret,
        redirectUri,
        endpoints: {
          oauth2TokenUrl: this.opts.tokenUrl ?? secrets.token_uri ?? DEFAULT_TOKEN_URL,
          oauth2AuthBaseUrl: this.opts.authUrl ?? secrets.auth_uri ?? DEFAULT_AUTH_URL,
        },
      });
      const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
      const state = randomBytes(24).toString('base64url');
      const scopes = [CALENDAR_SCOPE, ...this.extraScopes];
      const url = client.generateAuthUrl({
        access_type: 'offline',
        // A refresh token is only returned on consent (googleapis#750).
        prompt: 'consent',
        scope: scopes,
        // Incremental consent: what was granted before stays granted (spec §5.8).
        include_granted_scopes: true,
        state,
        code_challenge_method: CodeChallengeMethod.S256,
        code_challenge: codeChallenge,
      });
      const code = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new CodedError('sign-in timed out', failure('googleSignInTimeout'))), timeoutMs);
        timer.unref?.();
        server.on('request', (req, res) => {
          const u = new URL(req.url ?? '/', redirectUri);
          const answer = (status: number, text: string): void => {
            res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
            res.end(`<!doctype html><meta charset="utf-8"><title>FOGIS Monitor</title><p>${text}</p>`);
          };
          if (u.searchParams.get('state') !== state) {
            // Not our redirect (or forged): refuse it and keep waiting for the real one.
            answer(400, 'This sign-in link is not valid.');
            return;
          }
          clearTimeout(timer);
          const error = u.searchParams.get('error');
          const got = u.searchParams.get('code');
          if (error || !got) {
            answer(400, 'Sign-in was cancelled. You can close this window.');
            reject(new CodedError(`sign-in refused: ${error ?? 'no code'}`, failure('googleSignInRefused', { detail: error ?? 'no code' })));
            return;
          }
          answer(200, 'FOGIS Monitor is now connected to Google Calendar. You can close this window.');
          resolve(got);
        });
        try {
          openUrl(url);
        } catch (err) {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
      const { tokens } = await client.getToken({ code, codeVerifier, redirect_uri: redirectUri });
      if (!tokens.refresh_token) throw new CodedError("Google returned no refresh token; remove the app's access in your Google account and sign in again", failure('googleNoRefreshToken'));
      await this.save({
        refresh_token: tokens.refresh_token,
        access_token: tokens.access_token ?? null,
        expiry_date: tokens.expiry_date ?? null,
        scope: tokens.scope ?? scopes.join(' '),
        client_id: secrets.client_id,
        client_secret: secrets.client_secret,
        token_uri: this.opts.tokenUrl ?? secrets.token_uri ?? null,
      });
      this.opts.log.info('google', 'signed in to Google Calendar');
    } catch (err) {
      if (this.state === 'signing-in') this.setState(prev, this.reason);
      throw err;
    } finally {
      server.closeAllConnections?.();
      server.close();
    }
  }

  async signOut(): Promise<void> {
    const token = this.token;
    this.token = null;
    this.oauth?.removeAllListeners('tokens');
    this.oauth = null;
    await this.opts.secretStore.delete(TOKEN_SECRET_NAME);
    this.setState('signed-out', null);
    if (token) this.opts.log.info('google', 'signed out of Google Calendar');
  }

  /** The refresh token was refused (revoked, expired: "Testing" apps lose it after 7 days). */
  markSignInNeeded(reason: string): void {
    if (this.state === 'sign-in needed') return;
    this.refusedRefreshToken = this.token?.refresh_token ?? this.refusedRefreshToken;
    this.setState('sign-in needed', reason);
  }

  private refusedRefreshToken: string | null = null;
  private refreshing: Promise<void> | null = null;

  /**
   * A Calendar call answered 401 although we hold a refresh token: the access token is bad
   * (revoked, clock skew, or a restart reusing a stored one). Forget it, also in the store, so
   * no restart reuses it, and fetch a new one. Throws what the token endpoint said (an
   * invalid_grant there is what "sign-in needed" means). Concurrent callers share one refresh.
   */
  refreshAfterUnauthorized(): Promise<void> {
    this.refreshing ??= this.runRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async runRefresh(): Promise<void> {
    const client = this.oauth;
    const token = this.token;
    if (!client || !token) throw new CodedError('not signed in', failure('notSignedIn'));
    const cleared: StoredToken = { ...token, access_token: null, expiry_date: null };
    this.token = cleared;
    await this.opts.secretStore.set(TOKEN_SECRET_NAME, JSON.stringify(cleared)).catch((err: unknown) => {
      this.opts.log.warn('google', `cannot save the Google token: ${errorText(err)}`);
    });
    client.setCredentials({ ...client.credentials, access_token: null, expiry_date: null });
    this.opts.log.info('google', 'Google answered 401: fetching a new access token');
    // Emits 'tokens', which persists the new access token (use()).
    await client.getAccessToken();
  }

  /**
   * The headless route to a new sign-in (README): a token.json dropped into the data
   * directory. While the stored sign-in is refused, a file with another refresh token
   * replaces it. Returns true when it did.
   */
  async importNewerTokenFile(): Promise<boolean> {
    if (this.state !== 'sign-in needed' || !this.opts.tokenImportPath) return false;
    let text: string;
    try {
      text = await fs.readFile(this.opts.tokenImportPath, 'utf8');
    } catch {
      return false;
    }
    const parsed = authorizedUserSchema.safeParse(safeJson(text));
    if (!parsed.success || parsed.data.refresh_token === this.refusedRefreshToken) return false;
    try {
      await this.importToken(text);
    } catch (err) {
      this.opts.log.warn('google', `cannot import ${this.opts.tokenImportPath}: ${errorText(err)}`);
      return false;
    }
    this.opts.log.info('google', `the stored sign-in was refused; imported the newer ${this.opts.tokenImportPath}`);
    return true;
  }

  private async save(token: StoredToken): Promise<void> {
    await this.opts.secretStore.set(TOKEN_SECRET_NAME, JSON.stringify(token));
    await this.use(token);
  }

  private async use(token: StoredToken): Promise<void> {
    const { OAuth2Client } = await loadAuthLib();
    registerSecret(token.refresh_token);
    registerSecret(token.access_token);
    registerSecret(token.client_secret);
    this.oauth?.removeAllListeners('tokens');
    const client = new OAuth2Client({
      clientId: token.client_id,
      clientSecret: token.client_secret,
      endpoints: { oauth2TokenUrl: this.opts.tokenUrl ?? token.token_uri ?? DEFAULT_TOKEN_URL },
    });
    const creds: Credentials = { refresh_token: token.refresh_token, access_token: token.access_token, expiry_date: token.expiry_date, scope: token.scope ?? undefined };
    client.setCredentials(creds);
    client.on('tokens', (t) => {
      // Persist refreshed tokens (the Python service's app.py path never did, spec §5.8).
      const current = this.token;
      if (!current || this.oauth !== client) return;
      registerSecret(t.access_token);
      registerSecret(t.refresh_token);
      const next: StoredToken = {
        ...current,
        access_token: t.access_token ?? current.access_token,
        expiry_date: t.expiry_date ?? current.expiry_date,
        refresh_token: t.refresh_token ?? current.refresh_token,
        scope: t.scope ?? current.scope,
      };
      this.token = next;
      this.opts.secretStore.set(TOKEN_SECRET_NAME, JSON.stringify(next)).catch((err: unknown) => {
        this.opts.log.warn('google', `cannot save the refreshed Google token: ${errorText(err)}`);
      });
    });
    this.token = token;
    this.oauth = client;
    this.setState('signed-in', null);
  }

  private setState(state: AuthStatus, reason: string | null): void {
    this.state = state;
    this.reason = reason;
    for (const l of this.listeners) l();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
