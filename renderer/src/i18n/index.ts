import { useCallback } from 'react';
import { useApp } from '../context';
import { effectiveLang } from '../store';
import type { Lang } from '../format';
import { en, type Catalogue, type MessageKey } from './en';
import { sv } from './sv';

export type { MessageKey } from './en';
export const catalogues: Record<Lang, Catalogue> = { sv, en };

export type Vars = Record<string, string | number>;

/** Keys that come in `.one` / `.other` pairs. */
export type PluralKey = MessageKey extends infer K ? (K extends `${infer B}.one` ? B : never) : never;

export function translate(lang: Lang, key: MessageKey, vars?: Vars): string {
  const text: string = catalogues[lang][key] ?? en[key];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export function translatePlural(lang: Lang, key: PluralKey, n: number, vars?: Vars): string {
  const rule = new Intl.PluralRules(lang === 'sv' ? 'sv-SE' : 'en-GB').select(n) === 'one' ? 'one' : 'other';
  return translate(lang, `${key}.${rule}` as MessageKey, { n, ...vars });
}

/** Dynamic keys (enum values from the contract) fall back to the raw value when missing. */
export function hasKey(key: string): key is MessageKey {
  return key in en;
}

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
