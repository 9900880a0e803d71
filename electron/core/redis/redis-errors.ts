import { sayRef } from '../../../shared/i18n/say';
import { connectionReason, type TextRef } from '../../../shared/text-ref';
import { errorText } from '../log';

/**
 * What a coordinator can act on, for the errors ioredis and the socket layer report: a
 * catalogue key and values (shown in the user's language), never a sentence (issue 14.1).
 */
export function redisErrorReason(err: unknown): TextRef {
  const e = err as NodeJS.ErrnoException & { message?: string };
  const code = e?.code ?? '';
  const text = errorText(err);
  if (/WRONGPASS|NOAUTH|invalid username-password|invalid password|AUTH failed/i.test(text)) return connectionReason('auth_failed');
  if (/NOPERM/i.test(text)) return connectionReason('no_permission');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /getaddrinfo/i.test(text)) return connectionReason('host_not_found');
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(text)) return connectionReason('connection_refused');
  if (code === 'ECONNRESET' || /ECONNRESET/.test(text)) return connectionReason('connection_reset');
  const within = /timed out after (\d+) ms/.exec(text);
  if (within) return connectionReason('no_answer_within', { ms: Number(within[1]) });
  if (code === 'ETIMEDOUT' || /ETIMEDOUT|timed out/i.test(text)) return connectionReason('no_answer');
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return connectionReason('network_unreachable');
  if (/certificate|self[- ]signed|SSL|TLS|wrong version number|UNABLE_TO_VERIFY|ERR_TLS|DEPTH_ZERO/i.test(text) || /CERT|TLS/.test(code)) return connectionReason('tls_error', { detail: text });
  if (/All sentinels are unreachable|sentinel/i.test(text)) return connectionReason('sentinel', { detail: text });
  if (/Connection is closed/i.test(text)) return connectionReason('connection_closed');
  return connectionReason('other', { detail: text });
}

/** The reason in English with its hint: logs, `/redis-status`'s `reason`, `/redis-test`'s `error`. */
export function reasonText(ref: TextRef): string {
  return sayRef('en', ref, { time: (iso) => iso, hint: true });
}
