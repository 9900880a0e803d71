import { useState } from 'react';
import { useSay } from '../../say';
import { useApp, useBridge } from '../../context';
import { useT } from '../../i18n';
import { fmtDateTime, stockholmWallTime } from '../../format';

/** "Until tomorrow" means tomorrow 07:00 Swedish time, when a coordinator's day starts. */
export function tomorrowMorning(now: Date = new Date()): Date {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  const [y, m, d] = parts.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  return stockholmWallTime(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 7, 0);
}

export function MuteControls() {
  const { t, lang } = useT();
  const say = useSay();
  const bridge = useBridge();
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  // The server's word, so a mute set elsewhere (tray, another browser) shows here too.
  const mutedUntil = useApp((s) => s.snapshot!.mutedUntil);
  const mute = async (until: Date | null): Promise<void> => {
    try {
      const r = await bridge.muteNotifications(until ? until.toISOString() : null);
      setNote({
        ok: r.success,
        text: r.success ? (until ? t('settings.mutedUntil', { time: fmtDateTime(until, lang) }) : t('settings.unmuted')) : t('settings.muteFailed', { error: say.failure(r) }),
      });
    } catch {
      setNote({ ok: false, text: t('app.unreachable') });
    }
  };
  return (
    <div className="field">
      <span className="label">{t('settings.mute')}</span>
      <div className="actions">
        <button type="button" className="btn" data-testid="mute-1h" onClick={() => void mute(new Date(Date.now() + 3600_000))}>{t('settings.mute1h')}</button>
        <button type="button" className="btn" data-testid="mute-tomorrow" onClick={() => void mute(tomorrowMorning())}>{t('settings.muteTomorrow')}</button>
        <button type="button" className="btn btn-ghost" data-testid="unmute" onClick={() => void mute(null)}>{t('settings.unmute')}</button>
      </div>
      {note && <p className={note.ok ? 'note note-ok' : 'note note-error'} role="status" data-testid="mute-result">{note.text}</p>}
      {!note && mutedUntil && <p className="note" data-testid="muted-until">{t('settings.mutedUntil', { time: fmtDateTime(new Date(mutedUntil), lang) })}</p>}
    </div>
  );
}
