import { useState } from 'react';
import type { ActionResult } from '../../../../shared/api';
import { useSay } from '../../say';
import { useApp, useBridge } from '../../context';
import { useT, type MessageKey } from '../../i18n';

export function CalendarExtras({ backend }: { backend: string }) {
  const { t, tk } = useT();
  const say = useSay();
  const bridge = useBridge();
  const cal = useApp((s) => s.snapshot!.calendar);
  const savedBackend = useApp((s) => s.snapshot!.config.calendar.backend);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [copied, setCopied] = useState(false);

  // The host's success words are English; the page says its own (issue 14.1).
  const act = async (fn: () => Promise<ActionResult>, done: MessageKey): Promise<void> => {
    setNote(null);
    try {
      const r = await fn();
      setNote({ ok: r.success, text: r.success ? (r.text ? say.ref(r.text) : t(done)) : say.failure(r) });
    } catch {
      setNote({ ok: false, text: t('app.unreachable') });
    }
  };

  if (backend !== savedBackend) return <p className="help">{t('settings.calendar.saveFirst')}</p>;
  if (backend === 'ics') {
    return (
      <div className="field">
        <label htmlFor="ics-url">{t('settings.calendar.icsUrl')}</label>
        {cal.subscribeUrl ? (
          <div className="inline">
            <input id="ics-url" data-testid="ics-url" readOnly value={cal.subscribeUrl} className="input-text" onFocus={(e) => e.currentTarget.select()} />
            <button
              type="button"
              className="btn"
              onClick={() => {
                void navigator.clipboard?.writeText(cal.subscribeUrl ?? '').then(() => setCopied(true), () => setCopied(false));
              }}
            >
              {copied ? t('settings.copied') : t('settings.copy')}
            </button>
          </div>
        ) : (
          <p className="muted" id="ics-url">{t('settings.calendar.icsNone')}</p>
        )}
        <p className="help">{t('settings.calendar.icsHelp')}</p>
      </div>
    );
  }
  return (
    <div className="field">
      <p data-testid="google-status">
        {cal.signedIn ? t('settings.google.signedIn') : t('settings.google.signedOut')}
        {cal.status && ` · ${tk('cal.statusValue.', cal.status)}`}
      </p>
      <div className="actions">
        {cal.signedIn ? (
          <button type="button" className="btn" data-testid="google-signout" onClick={() => void act(() => bridge.googleSignOut(), 'settings.google.signedOutNote')}>
            {t('settings.google.signOut')}
          </button>
        ) : (
          <button type="button" className="btn btn-primary" data-testid="google-signin" onClick={() => void act(() => bridge.googleSignIn(), 'settings.google.signInStarted')}>
            {t('settings.google.signIn')}
          </button>
        )}
      </div>
      {note && <p className={note.ok ? 'note note-ok' : 'note note-error'} role="status" data-testid="google-note">{note.text}</p>}
    </div>
  );
}
