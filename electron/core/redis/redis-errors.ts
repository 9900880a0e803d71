import { errorText } from '../log';

/** Words a coordinator can act on, for the errors ioredis and the socket layer report. */
export function describeRedisError(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { message?: string };
  const code = e?.code ?? '';
  const text = errorText(err);
  if (/WRONGPASS|NOAUTH|invalid username-password|invalid password|AUTH failed/i.test(text)) return 'authentication failed: check the user name and password in the Redis address';
  if (/NOPERM/i.test(text)) return 'permission denied: the Redis user may not subscribe to these channels';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /getaddrinfo/i.test(text)) return 'host not found: check the host name in the Redis address';
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(text)) return 'connection refused: is Redis running on that host and port?';
  if (code === 'ECONNRESET' || /ECONNRESET/.test(text)) return 'connection reset by the server';
  if (code === 'ETIMEDOUT' || /ETIMEDOUT|timed out/i.test(text)) return `no answer from the server (${text})`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'network unreachable';
  if (/certificate|self[- ]signed|SSL|TLS|wrong version number|UNABLE_TO_VERIFY|ERR_TLS|DEPTH_ZERO/i.test(text) || /CERT|TLS/.test(code)) return `TLS error: ${text}`;
  if (/All sentinels are unreachable|sentinel/i.test(text)) return `Sentinel: ${text}`;
  if (/Connection is closed/i.test(text)) return 'connection closed';
  return text;
}
