import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { errorText, registerSecret } from '../log';
import { failure } from '../../../shared/text-ref';
import { CodedError } from '../coded-error';

/**
 * The files and values Google sign-in reads and keeps: the OAuth client file (credentials.json),
 * the Python service's authorized-user token.json, and the token we store (spec §5.8).
 */

export const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';
export const DEFAULT_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const DEFAULT_AUTH_URL = 'https://accounts.google.com/o/oauth2/v2/auth';

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

/** The stored token, or null when the text is not one. */
export function parseStoredToken(text: string): StoredToken | null {
  const parsed = storedTokenSchema.safeParse(safeJson(text));
  return parsed.success ? parsed.data : null;
}

/** The refresh token of an authorized-user token.json, or null when the text is not one. */
export function authorizedUserRefreshToken(text: string): string | null {
  const parsed = authorizedUserSchema.safeParse(safeJson(text));
  return parsed.success ? parsed.data.refresh_token : null;
}

/**
 * An authorized-user token.json (fields token, refresh_token, token_uri, client_id,
 * client_secret, scopes, expiry) as the token we store; a coded error when it is not one or
 * does not grant calendar access.
 */
export function tokenFromAuthorizedUser(json: string): StoredToken {
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
  return {
    refresh_token: t.refresh_token,
    access_token: t.token ?? t.access_token ?? null,
    expiry_date: Number.isNaN(expiry) ? null : expiry,
    scope: scopes.join(' ') || null,
    client_id: t.client_id,
    client_secret: t.client_secret,
    token_uri: t.token_uri ?? null,
  };
}

/** Reads the user's credentials.json (Desktop app client); its secret is kept out of the logs. */
export async function readClientSecrets(credentialsPath: string): Promise<ClientSecrets> {
  let text: string;
  try {
    text = await fs.readFile(credentialsPath, 'utf8');
  } catch (err) {
    throw new CodedError(
      `no Google OAuth client file at ${credentialsPath} (${errorText(err)}); download a "Desktop app" credentials.json from Google Cloud Console`,
      failure('googleNoClientFile', { path: credentialsPath }),
    );
  }
  const parsed = credentialsFileSchema.safeParse(safeJson(text));
  if (!parsed.success) {
    throw new CodedError(`${credentialsPath} is not a Google OAuth client file (expected "installed" or "web" with client_id)`, failure('googleBadClientFile', { path: credentialsPath }));
  }
  registerSecret(parsed.data.client_secret);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
