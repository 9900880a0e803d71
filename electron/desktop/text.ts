import type { AppConfig } from '../../shared/config';

/**
 * Strings the main process shows by itself (tray, menu, notifications). The renderer has its
 * own catalogue; these few live here so the desktop adapters stay free of the renderer.
 */
export type Lang = 'sv' | 'en';

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

export const TEXT = {
  sv: {
    app: 'FOGIS Monitor',
    subscribed: 'ansluten',
    matches: (n: number) => `${n} ${n === 1 ? 'match' : 'matcher'}`,
    lastMessage: (t: string) => `senaste meddelande ${t}`,
    noMessagesYet: 'inga meddelanden än',
    connecting: 'ansluter',
    reconnecting: (attempt: number) => (attempt > 0 ? `återansluter (försök ${attempt})` : 'återansluter'),
    disconnectedSince: (t: string) => `ingen kontakt sedan ${t}`,
    possiblyStale: (t: string | null) => (t ? `kan vara inaktuellt sedan ${t}` : 'kan vara inaktuellt'),
    pending: (n: number) => `${n} kalenderändringar väntar`,
    failed: (n: number) => `${n} kalenderändringar misslyckades`,
    held: (n: number) => `${n} borttagningar hålls tillbaka`,
    calendarProblem: (s: string) => `kalender: ${s}`,
    storageError: (s: string) => `kan inte spara: ${s}`,
    unackedError: (msg: string) => `olästa fel: ${msg}`,
    unackedWarning: (n: number) => `${n} ${n === 1 ? 'oläst varning' : 'olästa varningar'}`,
    paused: 'pausad',
    disabled: 'Redis avstängt i inställningarna',
    stopped: 'stoppad',
    menu: {
      glance: 'Status i korthet',
      open: 'Öppna översikten',
      syncNow: 'Synka nu',
      pause: 'Pausa',
      resume: 'Återuppta',
      restart: 'Starta om prenumerationen',
      mute: 'Tysta aviseringar',
      mute1h: 'I 1 timme',
      muteTomorrow: 'Till i morgon',
      unmute: 'Slå på aviseringar igen',
      mutedUntil: (t: string) => `Tystade till ${t}`,
      startAtLogin: 'Starta vid inloggning',
      quit: 'Avsluta',
    },
    note: {
      severity: { info: 'Info', warning: 'Varning', error: 'Fel', critical: 'Kritiskt fel' } as const,
      processorFailed: 'Matchbearbetningen misslyckades',
      connectionLost: 'Ingen kontakt med Redis',
      connectionLostBody: (since: string, reason: string | null) => `Sedan ${since}${reason ? ` · ${reason}` : ''}`,
      connectionRestored: 'Kontakten med Redis är tillbaka',
      connectionRestoredBody: (after: string) => `Efter ${after} utan kontakt`,
      newMatch: 'Nytt uppdrag',
      kickoffMoved: 'Avspark flyttad',
      dateMoved: 'Datum ändrat',
      venueChanged: 'Ny arena',
      cancelled: 'Inställd',
      postponed: 'Uppskjuten',
      removed: 'Uppdrag borttaget',
      manyChanges: (n: number) => `${n} ändringar i dina uppdrag`,
      more: (n: number, what: 'alert' | 'processor' | 'connection' | 'match') =>
        `${n} ${{ alert: 'nya larm', processor: 'nya processorfel', connection: 'anslutningshändelser', match: 'nya matchändringar' }[what]}`,
      latest: (s: string) => `Senast: ${s}`,
    },
  },
  en: {
    app: 'FOGIS Monitor',
    subscribed: 'subscribed',
    matches: (n: number) => `${n} ${n === 1 ? 'match' : 'matches'}`,
    lastMessage: (t: string) => `last message ${t}`,
    noMessagesYet: 'no messages yet',
    connecting: 'connecting',
    reconnecting: (attempt: number) => (attempt > 0 ? `reconnecting (attempt ${attempt})` : 'reconnecting'),
    disconnectedSince: (t: string) => `disconnected since ${t}`,
    possiblyStale: (t: string | null) => (t ? `possibly stale since ${t}` : 'possibly stale'),
    pending: (n: number) => `${n} calendar ${n === 1 ? 'write' : 'writes'} pending`,
    failed: (n: number) => `${n} calendar ${n === 1 ? 'write' : 'writes'} failed`,
    held: (n: number) => `${n} ${n === 1 ? 'deletion' : 'deletions'} held back`,
    calendarProblem: (s: string) => `calendar: ${s}`,
    storageError: (s: string) => `cannot save: ${s}`,
    unackedError: (msg: string) => `unacknowledged error: ${msg}`,
    unackedWarning: (n: number) => `${n} unacknowledged ${n === 1 ? 'warning' : 'warnings'}`,
    paused: 'paused',
    disabled: 'Redis disabled in settings',
    stopped: 'stopped',
    menu: {
      glance: 'Status at a glance',
      open: 'Open dashboard',
      syncNow: 'Sync now',
      pause: 'Pause',
      resume: 'Resume',
      restart: 'Restart subscription',
      mute: 'Mute notifications',
      mute1h: 'For 1 hour',
      muteTomorrow: 'Until tomorrow',
      unmute: 'Unmute notifications',
      mutedUntil: (t: string) => `Muted until ${t}`,
      startAtLogin: 'Start at login',
      quit: 'Quit',
    },
    note: {
      severity: { info: 'Info', warning: 'Warning', error: 'Error', critical: 'Critical error' } as const,
      processorFailed: 'Match processor failed',
      connectionLost: 'Connection to Redis lost',
      connectionLostBody: (since: string, reason: string | null) => `Since ${since}${reason ? ` · ${reason}` : ''}`,
      connectionRestored: 'Connection to Redis restored',
      connectionRestoredBody: (after: string) => `After ${after} without a connection`,
      newMatch: 'New assignment',
      kickoffMoved: 'Kickoff moved',
      dateMoved: 'Date moved',
      venueChanged: 'Venue changed',
      cancelled: 'Cancelled',
      postponed: 'Postponed',
      removed: 'Assignment removed',
      manyChanges: (n: number) => `${n} changes to your assignments`,
      more: (n: number, what: 'alert' | 'processor' | 'connection' | 'match') =>
        `${n} more ${{ alert: 'alerts', processor: 'processor failures', connection: 'connection events', match: 'match changes' }[what]}`,
      latest: (s: string) => `Latest: ${s}`,
    },
  },
} as const;

export type Texts = (typeof TEXT)[Lang];
