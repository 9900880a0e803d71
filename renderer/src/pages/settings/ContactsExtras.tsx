import { useState } from 'react';
import { useSay } from '../../say';
import { useApp, useBridge } from '../../context';
import { useT, type MessageKey } from '../../i18n';

/**
 * Google Contacts uses the calendar's Google sign-in; with the ICS calendar there is no other
 * sign-in button, and after turning Contacts on the sign-in must be repeated to add the scope.
 */
export function ContactsExtras() {
  const { t } = useT();
  const say = useSay();
  const bridge = useBridge();
  const google = useApp((s) => s.snapshot!.contacts.google);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  if (!google.enabled) return null;
  const needsSignIn = google.status === 'sign-in needed' || google.status === 'permission needed';
  return (
    <div className="field">
      <p data-testid="contacts-google-settings" data-status={google.status}>
        {t('contacts.google.title')}: {t(`contacts.google.status.${google.status}` as MessageKey)}
      </p>
      {needsSignIn && (
        <div className="actions">
          <button
            type="button"
            className="btn btn-primary"
            data-testid="contacts-google-signin"
            onClick={() => {
              setNote(null);
              bridge.googleSignIn().then(
                (r) => setNote({ ok: r.success, text: r.success ? (r.text ? say.ref(r.text) : t('settings.google.signInStarted')) : say.failure(r) }),
                () => setNote({ ok: false, text: t('app.unreachable') }),
              );
            }}
          >
            {t('settings.google.signIn')}
          </button>
        </div>
      )}
      {note && <p className={note.ok ? 'note note-ok' : 'note note-error'} role="status">{note.text}</p>}
    </div>
  );
}
