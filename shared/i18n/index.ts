import { en, type Catalogue, type MessageKey } from './en';
import { sv } from './sv';

/**
 * The one sv/en catalogue, shared by the dashboard (renderer/src/i18n) and the desktop shell
 * (electron/desktop/text.ts), so a word the coordinator reads in the tray and in the window is
 * the same word (issue 11, 14.1). Pure: no React, no DOM, no Node.
 */
export type Lang = 'sv' | 'en';
export type { Catalogue, MessageKey } from './en';
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
