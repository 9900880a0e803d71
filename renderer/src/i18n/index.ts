import { useCallback } from 'react';
import { useApp } from '../context';
import { effectiveLang } from '../store';
import { hasKey, translate, translatePlural, type MessageKey, type PluralKey, type Vars } from '../../../shared/i18n';
import type { Lang } from '../format';

export { catalogues, hasKey, translate, translatePlural } from '../../../shared/i18n';
export type { Catalogue, MessageKey, PluralKey, Vars } from '../../../shared/i18n';

export interface T {
  lang: Lang;
  t: (key: MessageKey, vars?: Vars) => string;
  tn: (key: PluralKey, n: number, vars?: Vars) => string;
  /** Translate `prefix + value` if the catalogue has it, else show `value` as is. */
  tk: (prefix: string, value: string) => string;
}

export function useT(): T {
  const lang = useApp(effectiveLang);
  const t = useCallback((key: MessageKey, vars?: Vars) => translate(lang, key, vars), [lang]);
  const tn = useCallback((key: PluralKey, n: number, vars?: Vars) => translatePlural(lang, key, n, vars), [lang]);
  const tk = useCallback(
    (prefix: string, value: string) => {
      const key = prefix + value;
      return hasKey(key) ? translate(lang, key) : value;
    },
    [lang],
  );
  return { lang, t, tn, tk };
}
