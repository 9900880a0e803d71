import { useMemo } from 'react';
import { capitalise, sayFailure, sayReason, sayRef, type FailureLike } from '../../shared/i18n/say';
import { translate } from '../../shared/i18n';
import type { StatusReason } from '../../shared/status';
import type { Alert } from '../../shared/state';
import type { TextRef } from '../../shared/text-ref';
import { fmtDateTime, type Lang } from './format';
import { useT } from './i18n';

/** The core's structured texts in the dashboard's language (shared/i18n/say.ts). */
export interface Say {
  reason(r: StatusReason): string;
  /** A reason with a capital, for a headline. */
  headline(r: StatusReason): string;
  ref(r: TextRef, hint?: boolean): string;
  /** An alert's text: the app's own in the user's language, a processor's as sent, framed. */
  alert(a: Alert): string;
  /** Why an action failed, in the user's language; never the server's English on a Swedish page. */
  failure(r: FailureLike): string;
}

export function sayFor(lang: Lang): Say {
  const time = (iso: string): string => fmtDateTime(iso, lang);
  return {
    reason: (r) => sayReason(lang, r, { time }),
    headline: (r) => capitalise(sayReason(lang, r, { time })),
    ref: (r, hint = false) => sayRef(lang, r, { time, hint }),
    alert: (a) => {
      if (a.text) return sayRef(lang, a.text, { time });
      if (a.source === 'app') return a.message;
      return translate(lang, 'alert.fromProcessor', { text: a.message });
    },
    failure: (r) => sayFailure(lang, r, { time }) ?? translate(lang, 'app.failed'),
  };
}

export function useSay(): Say {
  const { lang } = useT();
  return useMemo(() => sayFor(lang), [lang]);
}
