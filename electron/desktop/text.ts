import type { AppConfig } from '../../shared/config';

import { translate, translatePlural, type Lang, type MessageKey, type Vars } from '../../shared/i18n';

/**
 * Words the main process shows by itself (tray, menu, notifications), from the one sv/en
 * catalogue the dashboard uses too (shared/i18n), shaped for the desktop adapters.
 */
export type { Lang } from '../../shared/i18n';

/** `auto` follows the OS: Swedish when any preferred language is Swedish, else English. */
export function resolveLang(setting: AppConfig['ui']['language'], osLocales: readonly string[]): Lang {
  if (setting === 'sv' || setting === 'en') return setting;
  return osLocales.some((l) => /^sv\b/i.test(l)) ? 'sv' : 'en';
}

export function formatClock(iso: string | number | Date, lang: Lang, timeZone: string): string {
  const d = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  try {
    return new Intl.DateTimeFormat(lang === 'sv' ? 'sv-SE' : 'en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone }).format(d);
  } catch {
    // An invalid zone in the config must not break the tray.
    return new Intl.DateTimeFormat(lang === 'sv' ? 'sv-SE' : 'en-GB', { hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
  }
}

export function formatDuration(ms: number, lang: Lang): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  const hUnit = lang === 'sv' ? 'tim' : 'h';
  return rest === 0 ? `${h} ${hUnit}` : `${h} ${hUnit} ${rest} min`;
}

function texts(lang: Lang) {
  const t = (key: MessageKey, vars?: Vars): string => translate(lang, key, vars);
  return {
    app: t('app.title'),
    subscribed: t('desk.subscribed'),
    matches: (n: number) => translatePlural(lang, 'matches.count', n),
    lastMessage: (time: string) => t('desk.lastMessage', { time }),
    noMessagesYet: t('desk.noMessagesYet'),
    connecting: t('desk.connecting'),
    reconnecting: (attempt: number) => (attempt > 0 ? t('desk.reconnectingAttempt', { attempt }) : t('desk.reconnecting')),
    disconnectedSince: (time: string) => t('desk.disconnectedSince', { time }),
    possiblyStale: (since: string | null) => (since ? t('status.staleSince', { since }) : t('status.stale')),
    pending: (n: number) => translatePlural(lang, 'status.calPending', n),
    failed: (n: number) => translatePlural(lang, 'status.calFailed', n),
    held: (n: number) => translatePlural(lang, 'status.calHeld', n),
    calendarProblem: (detail: string) => t('desk.calendarProblem', { detail }),
    storageError: (detail: string) => t('status.storageError', { detail }),
    unackedError: (message: string) => t('status.alertError', { message }),
    unackedWarning: (n: number) => translatePlural(lang, 'status.alertWarnings', n),
    paused: t('status.redisPaused'),
    disabled: t('status.redisDisabled'),
    stopped: t('desk.stopped'),
    menu: {
      glance: t('desk.menu.glance'),
      open: t('desk.menu.open'),
      syncNow: t('desk.menu.syncNow'),
      pause: t('desk.menu.pause'),
      resume: t('desk.menu.resume'),
      restart: t('desk.menu.restart'),
      mute: t('desk.menu.mute'),
      mute1h: t('desk.menu.mute1h'),
      muteTomorrow: t('desk.menu.muteTomorrow'),
      unmute: t('desk.menu.unmute'),
      mutedUntil: (time: string) => t('desk.menu.mutedUntil', { time }),
      startAtLogin: t('desk.menu.startAtLogin'),
      quit: t('desk.menu.quit'),
    },
    note: {
      severity: {
        info: t('desk.note.severity.info'),
        warning: t('desk.note.severity.warning'),
        error: t('desk.note.severity.error'),
        critical: t('desk.note.severity.critical'),
      },
      processorFailed: t('desk.note.processorFailed'),
      connectionLost: t('desk.note.connectionLost'),
      connectionLostBody: (since: string, reason: string | null) => `${t('desk.note.since', { time: since })}${reason ? ` · ${reason}` : ''}`,
      connectionRestored: t('desk.note.connectionRestored'),
      connectionRestoredBody: (after: string) => t('desk.note.connectionRestoredBody', { duration: after }),
      newMatch: t('desk.note.newMatch'),
      kickoffMoved: t('desk.note.kickoffMoved'),
      dateMoved: t('desk.note.dateMoved'),
      venueChanged: t('desk.note.venueChanged'),
      cancelled: t('desk.note.cancelled'),
      postponed: t('desk.note.postponed'),
      removed: t('desk.note.removed'),
      manyChanges: (n: number) => t('desk.note.manyChanges', { n }),
      more: (n: number, what: 'alert' | 'processor' | 'connection' | 'match') => t(`desk.note.more.${what}`, { n }),
      latest: (text: string) => t('desk.note.latest', { text }),
    },
    startFailure: {
      title: t('desk.startFailure.title'),
      configIntro: t('desk.startFailure.configIntro'),
      configFix: t('desk.startFailure.configFix'),
      wholeConfig: t('desk.startFailure.wholeConfig'),
      other: t('desk.startFailure.other'),
    },
  };
}

export type Texts = ReturnType<typeof texts>;
export const TEXT: Record<Lang, Texts> = { sv: texts('sv'), en: texts('en') };
