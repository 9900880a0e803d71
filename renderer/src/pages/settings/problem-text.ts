import type { z } from 'zod';
import type { FieldError } from '../../../../shared/api';
import { genericIssue, issueCode } from '../../../../shared/config';
import { hasKey, type MessageKey, type T } from '../../i18n';

/** The shared schema's own messages, so they can be shown in Swedish too. */
const KNOWN_MESSAGES: Record<string, MessageKey> = {
  'Redis address is required': 'err.redisRequired',
  'expected redis://[user:password@]host[:port][/db] or rediss:// for TLS': 'err.redisUrl',
  'channel name must not be empty': 'err.channelEmpty',
  'channel name is too long': 'err.channelLong',
  'channel name must not contain spaces or * ? [ ]': 'err.channelChars',
};

/** A problem's stable id (`params.text` in the shared schema, `code` from the core) as translated text. */
function codeText(code: string | undefined, t: T['t'], vars?: Record<string, string>): string | null {
  if (!code) return null;
  const key = `err.${code}`;
  return hasKey(key) ? t(key, vars) : null;
}

export function issueText(issue: z.core.$ZodIssue, t: T['t']): string {
  const known = KNOWN_MESSAGES[issue.message];
  if (known) return t(known);
  const coded = codeText(issueCode(issue), t);
  if (coded) return coded;
  const generic = genericIssue(issue);
  return (generic && codeText(generic.code, t, generic.params)) ?? (issue.code === 'invalid_type' ? t('err.invalid') : issue.message);
}

/** A field problem the server found; one without a code is the server's English, so only an English page shows it. */
export const serverText = (e: FieldError, t: T['t'], lang: 'sv' | 'en'): string => {
  const known = KNOWN_MESSAGES[e.message];
  if (known) return t(known);
  return codeText(e.code, t, { ...e.params, variable: e.variable ?? '' }) ?? (lang === 'en' ? e.message : t('err.invalid'));
};
