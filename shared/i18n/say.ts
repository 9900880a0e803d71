import type { StatusReason } from '../status';
import type { TextParams, TextRef } from '../text-ref';
import { hasKey, translate, translatePlural, type Lang, type MessageKey, type PluralKey, type Vars } from './index';

/**
 * Turns the core's structured texts (reasons, status lines, app alerts) into a sentence in
 * the user's language. Shared by the dashboard and the desktop shell, which differ only in
 * how they write a time.
 */
export interface SayOptions {
  /** Writes an ISO time (params `since`, `at`) as the shell does (clock, date and time). */
  time: (iso: string) => string;
  /** Add the reason's hint ("is Redis running on that host and port?"). */
  hint?: boolean;
}

const TIME_PARAMS = new Set(['since', 'at']);

function vars(params: TextParams, opts: SayOptions): Vars {
  const out: Vars = {};
  for (const [k, v] of Object.entries(params)) out[k] = TIME_PARAMS.has(k) && typeof v === 'string' && v ? opts.time(v) : v;
  return out;
}

function sayKey(lang: Lang, key: string, params: TextParams, opts: SayOptions): string | null {
  const v = vars(params, opts);
  if (typeof params.n === 'number' && hasKey(`${key}.one`)) return translatePlural(lang, key as PluralKey, params.n, v);
  return hasKey(key) ? translate(lang, key as MessageKey, v) : null;
}

/** A catalogue text; an unknown key shows its `detail` value, else the key, never nothing. */
export function sayRef(lang: Lang, ref: TextRef, opts: SayOptions): string {
  const main = sayKey(lang, ref.key, ref.params, opts) ?? (typeof ref.params.detail === 'string' ? ref.params.detail : ref.key);
  if (!opts.hint) return main;
  const hintKey = ref.key.replace(/^reason\./, 'reasonHint.');
  const hint = hintKey !== ref.key ? sayKey(lang, hintKey, ref.params, opts) : null;
  return hint ? `${main}: ${hint}` : main;
}

/** One status reason as one line: "reconnecting (attempt 3): connection refused". */
export function sayReason(lang: Lang, r: StatusReason, opts: SayOptions): string {
  const main = sayKey(lang, `status.${r.code}`, r.params, opts) ?? r.code;
  return r.cause ? `${main}: ${sayRef(lang, r.cause, opts)}` : main;
}

export function capitalise(line: string): string {
  return line.charAt(0).toLocaleUpperCase() + line.slice(1);
}

/** What a failed result carries (ActionResult, SyncReport, ConfigUpdateResult, RedisTestResult). */
export interface FailureLike {
  errorCode?: TextRef | undefined;
  error?: string | undefined;
  message?: string | undefined;
}

/**
 * A failed action in the user's language: its code (with the hint of a connection reason);
 * without one, the host's English text only to an English reader, else null, so the caller
 * says its own general sentence (a Swedish page never shows the server's English, issue 14.1).
 */
export function sayFailure(lang: Lang, r: FailureLike, opts: SayOptions): string | null {
  if (r.errorCode) return sayRef(lang, r.errorCode, { ...opts, hint: true });
  const english = r.error ?? r.message;
  return lang === 'en' && english ? english : null;
}
