import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { Credentials, OAuth2Client } from 'google-auth-library';
import type { SecretStore } from '../core-api';
import { errorText, registerSecret, type Logger } from '../log';
import { failure } from '../../../shared/text-ref';
import { CodedError } from '../coded-error';
import { openLoopbackRedirect } from './google-loopback';
import {
  authorizedUserRefreshToken,
  CALENDAR_SCOPE,
  DEFAULT_AUTH_URL,
  DEFAULT_TOKEN_URL,
  parseStoredToken,
  readClientSecrets,
  tokenFromAuthorizedUser,
  type ClientSecrets,
  type StoredToken,
} from './google-token';

/** Loaded on first use, not at start: the ICS default never needs it (issue 12, idle RSS). */
let authLib: Promise<typeof import('google-auth-library')> | null = null;
const loadAuthLib = (): Promise<typeof import('google-auth-library')> => (authLib ??= import('google-auth-library'));

/** Asked for only once the coordinator turns Google Contacts on (incremental consent, issue 13). */
export const CONTACTS_SCOPE = 'https://www.googleapis.com/auth/contacts';
export const TOKEN_SECRET_NAME = 'google-calendar-token';

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
      const stored = parseStoredToken(raw);
      if (stored) {
        await this.use(stored);
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
    await this.save(tokenFromAuthorizedUser(json));
  }

  readClientSecrets(): Promise<ClientSecrets> {
    return readClientSecrets(this.opts.credentialsPath);
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
    const loopback = await openLoopbackRedirect();
    const { redirectUri } = loopback;
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
      const code = await loopback.waitForCode({ url, state, openUrl, timeoutMs });
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
      loopback.close();
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
    const refreshToken = authorizedUserRefreshToken(text);
    if (refreshToken === null || refreshToken === this.refusedRefreshToken) return false;
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
