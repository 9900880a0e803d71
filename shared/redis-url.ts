import type { FieldErrorCode } from './field-error-codes';

/**
 * Redis addresses as the app reads, checks, masks and writes them back. One parser for all
 * of it, so the mask shown in the dashboard, the logs and the error messages always hides
 * exactly what the connection uses as the password (issue 9 finding 6: a regex that stopped
 * at the first `@` showed the rest of a password that contained one).
 *
 * The userinfo ends at the LAST `@` of the address, as in the WHATWG URL parser that ioredis
 * uses (`redis://:Part1@Part2@host` has the password `Part1@Part2`). An address the schema
 * accepts has no `/ ? #` before that `@`, so this split and WHATWG's always agree; for an
 * address the schema refuses, masking up to the last `@` hides at least as much as WHATWG
 * would take as the password.
 */

/**
 * The WHATWG URL parser. Node and browsers both have it, but shared/ is compiled with neither
 * Node nor DOM types (tsconfig.shared.json), so it names the few fields it reads.
 */
interface ParsedUrl {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: string;
  readonly password: string;
}
const WhatwgUrl = (globalThis as unknown as { URL: new (input: string) => ParsedUrl }).URL;

export const MASK = '****';

/** Redis has 16 databases (0–15) unless the server sets `databases` higher. */
export const MAX_REDIS_DB = 15;

export interface SplitUrl {
  /** `redis://` (whatever scheme was written, or '' when there is none). */
  prefix: string;
  /** Everything between the prefix and the last `@`; null when there is no `@`. */
  userinfo: string | null;
  /** After the last `@` (or after the prefix when there is no userinfo). */
  rest: string;
}

export function splitUrl(url: string): SplitUrl {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)/i.exec(url);
  const prefix = m ? m[1]! : '';
  const body = url.slice(prefix.length);
  const at = body.lastIndexOf('@');
  if (at === -1) return { prefix, userinfo: null, rest: body };
  return { prefix, userinfo: body.slice(0, at), rest: body.slice(at + 1) };
}

/** The user and the secret part of a userinfo; without a colon ioredis' legacy form makes the whole userinfo the password. */
function userAndSecret(userinfo: string): { user: string | null; secret: string } {
  const colon = userinfo.indexOf(':');
  return colon === -1 ? { user: null, secret: userinfo } : { user: userinfo.slice(0, colon), secret: userinfo.slice(colon + 1) };
}

/**
 * Masks the password of a Redis URL: `redis://:****@host:6379`. Any scheme and any text, so
 * that an address refused for its scheme or its shape is masked in the error message too.
 */
export function maskRedisUrl(url: string): string {
  const s = splitUrl(url);
  if (s.userinfo === null) return url;
  const { user } = userAndSecret(s.userinfo);
  return `${s.prefix}${user === null ? '' : `${user}:`}${MASK}@${s.rest}`;
}

/** True when the address carries the mask where the password goes (the form sent it back). */
export function hasMaskedPassword(url: string): boolean {
  const s = splitUrl(url);
  return s.userinfo !== null && userAndSecret(s.userinfo).secret === MASK;
}

/**
 * Every form in which the password of `url` could be written somewhere: as written in the
 * address, decoded, percent-encoded, and escaped inside a JSON string. The log redactor
 * registers all of them.
 */
export function passwordForms(url: string): string[] {
  const s = splitUrl(url);
  if (s.userinfo === null) return [];
  const written = userAndSecret(s.userinfo).secret;
  if (written === '') return [];
  const forms = new Set<string>([written]);
  let decoded = written;
  try {
    decoded = decodeURIComponent(written);
  } catch {
    // Not valid percent-encoding: the schema refuses it; the written form is registered.
  }
  forms.add(decoded);
  forms.add(encodeURIComponent(decoded));
  try {
    forms.add(new WhatwgUrl(`redis://:${written}@h`).password);
  } catch {
    // Unparseable: nothing more to add.
  }
  for (const f of [...forms]) forms.add(JSON.stringify(f).slice(1, -1));
  return [...forms].filter((f) => f.length > 0);
}

interface Endpoint {
  scheme: string;
  host: string;
  port: string;
  user: string;
}

function endpointOf(url: string): Endpoint | null {
  try {
    const u = new WhatwgUrl(url);
    const s = splitUrl(url);
    const user = s.userinfo === null ? '' : (userAndSecret(s.userinfo).user ?? '');
    return { scheme: u.protocol.toLowerCase(), host: u.hostname.toLowerCase(), port: u.port || '6379', user: decodeURIComponent(user) };
  } catch {
    return null;
  }
}

export type MaskedResolution = { ok: true; url: string } | { ok: false; id: Extract<FieldErrorCode, 'retypePassword' | 'noStoredPassword'>; message: string };

export const RETYPE_PASSWORD =
  'the password is hidden as ****: type the password again to connect to another server (scheme, host, port or user changed)';

/**
 * The settings form shows `redis://:****@host`; sending that back means "keep the stored
 * password", but only for the same server: scheme, host, port and user unchanged. Otherwise
 * the stored password would be sent to whatever host the new address names (issue 9 finding
 * 4), so the change is refused and the user asked to type the password.
 */
export function resolveMaskedUrl(next: string, current: string): MaskedResolution {
  if (!hasMaskedPassword(next)) return { ok: true, url: next };
  const cur = splitUrl(current);
  if (cur.userinfo === null || userAndSecret(cur.userinfo).secret === '') return { ok: false, id: 'noStoredPassword', message: 'there is no stored password to keep: type the password, or remove ****' };
  const a = endpointOf(next);
  const b = endpointOf(current);
  if (!a || !b || a.scheme !== b.scheme || a.host !== b.host || a.port !== b.port || a.user !== b.user) return { ok: false, id: 'retypePassword', message: RETYPE_PASSWORD };
  // Same user: the stored userinfo as it was written, in front of the new host part (the db may change).
  return { ok: true, url: `${splitUrl(next).prefix}${cur.userinfo}@${splitUrl(next).rest}` };
}

const HOST_LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$/;

/** A DNS name or IPv4 address: labels of letters, digits, `-` and `_`, at most 253 characters. */
export function isHostName(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  const labels = host.replace(/\.$/, '').split('.');
  return labels.every((l) => l.length <= 63 && HOST_LABEL.test(l));
}

/** An IPv6 address (without brackets), as the URL parser accepts it. */
export function isIpv6(host: string): boolean {
  if (!host.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(host) || host.length > 45) return false;
  try {
    return new WhatwgUrl(`http://[${host}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

/**
 * What is wrong with a Redis address, in plain words, or null when it is usable: scheme,
 * host, port 1–65535, database 0–15, no query or fragment (ioredis would read options, even
 * a password, from a query), valid percent-encoding.
 */
export interface UrlProblem {
  /** Stable id the renderer translates (`err.<id>`). */
  id: Extract<FieldErrorCode, 'redisUrl' | 'redisUrlHost' | 'redisUrlPort' | 'redisUrlDb' | 'redisUrlQuery' | 'redisUrlPercent'>;
  message: string;
}

export function redisUrlProblem(url: string): UrlProblem | null {
  if (url.length > 2048) return { id: 'redisUrl', message: 'is too long (at most 2048 characters)' };
  if (!/^rediss?:\/\//i.test(url)) return { id: 'redisUrl', message: 'must start with redis:// (or rediss:// for TLS), like redis://host:6379' };
  const s = splitUrl(url);
  const hostPortDb = s.rest;
  if (/[?#]/.test(hostPortDb)) return { id: 'redisUrlQuery', message: 'must not contain ? or # (in a password write ? as %3F and # as %23)' };
  const slash = hostPortDb.indexOf('/');
  const hostPort = slash === -1 ? hostPortDb : hostPortDb.slice(0, slash);
  const db = slash === -1 ? '' : hostPortDb.slice(slash + 1);
  let host = hostPort;
  let port = '';
  const bracket = /^\[([^\]]*)\](?::(.*))?$/.exec(hostPort);
  if (bracket) {
    if (!isIpv6(bracket[1] ?? '')) return { id: 'redisUrlHost', message: 'has an invalid IPv6 address in [ ]' };
    host = bracket[1] ?? '';
    port = bracket[2] ?? '';
  } else {
    const colon = hostPort.lastIndexOf(':');
    if (colon !== -1) {
      host = hostPort.slice(0, colon);
      port = hostPort.slice(colon + 1);
    }
    if (host === '') return { id: 'redisUrlHost', message: 'needs a host name, like redis://localhost:6379' };
    if (!isHostName(host)) return { id: 'redisUrlHost', message: 'has an invalid host name (letters, digits, . - and _ only; a password with / must be written with %2F)' };
  }
  if (port !== '' && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) return { id: 'redisUrlPort', message: 'has an invalid port: it must be a number from 1 to 65535' };
  if (db !== '' && (!/^\d{1,2}$/.test(db) || Number(db) > MAX_REDIS_DB)) return { id: 'redisUrlDb', message: `has an invalid database: it must be a number from 0 to ${MAX_REDIS_DB}` };
  if (s.userinfo !== null) {
    const { user, secret } = userAndSecret(s.userinfo);
    for (const part of [user ?? '', secret]) {
      try {
        decodeURIComponent(part);
      } catch {
        return { id: 'redisUrlPercent', message: 'has a % in the user or password that is not followed by two hex digits (write % as %25)' };
      }
    }
  }
  try {
    const u = new WhatwgUrl(url);
    if (!u.hostname) return { id: 'redisUrlHost', message: 'needs a host name, like redis://localhost:6379' };
  } catch {
    return { id: 'redisUrl', message: 'is not a valid address; write it like redis://[user:password@]host[:port][/db] (special characters in a password percent-encoded, e.g. / as %2F)' };
  }
  return null;
}
