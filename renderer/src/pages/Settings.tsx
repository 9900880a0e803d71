import { useMemo, useState, type ReactNode } from 'react';
import type { z } from 'zod';
import type { ActionResult, FieldError } from '../../../shared/api';
import { useSay } from '../say';
import { useApp, useBridge } from '../context';
import { hasKey, useT, type MessageKey, type T } from '../i18n';
import { issueCode } from '../../../shared/config';
import { fmtDateTime, stockholmWallTime } from '../format';
import { SECTIONS, toFormValue, validateForm, fieldFor, type FieldDef, type FormValues, type FormValue, type SectionDef } from '../settings-model';

/** The shared schema's own messages, so they can be shown in Swedish too. */
const KNOWN_MESSAGES: Record<string, MessageKey> = {
  'Redis address is required': 'err.redisRequired',
  'expected redis://[user:password@]host[:port][/db] or rediss:// for TLS': 'err.redisUrl',
  'channel name must not be empty': 'err.channelEmpty',
  'channel name is too long': 'err.channelLong',
  'channel name must not contain spaces or * ? [ ]': 'err.channelChars',
};

/** A problem's stable id (`params.text` in the shared schema, `code` from the core) as translated text. */
function codeText(code: string | undefined, t: T['t'], vars?: Record<string, string>): string | null {
  if (!code) return null;
  const key = `err.${code}`;
  return hasKey(key) ? t(key, vars) : null;
}

export function issueText(issue: z.core.$ZodIssue, t: T['t']): string {
  const known = KNOWN_MESSAGES[issue.message];
  if (known) return t(known);
  const coded = codeText(issueCode(issue), t);
  if (coded) return coded;
  switch (issue.code) {
    case 'too_small':
      return issue.origin === 'string' ? t('err.required') : t('err.min', { min: String(issue.minimum) });
    case 'too_big':
      return issue.origin === 'string' ? t('err.tooLong') : t('err.max', { max: String(issue.maximum) });
    case 'invalid_type':
      return issue.expected === 'number' || issue.expected === 'int' ? t('err.number') : t('err.invalid');
    case 'invalid_value':
      return t('err.choose');
    default:
      return issue.message;
  }
}

/** A field problem the server found; one without a code is the server's English, so only an English page shows it. */
export const serverText = (e: FieldError, t: T['t'], lang: 'sv' | 'en'): string => {
  const known = KNOWN_MESSAGES[e.message];
  if (known) return t(known);
  return codeText(e.code, t, { variable: e.variable ?? '' }) ?? (lang === 'en' ? e.message : t('err.invalid'));
};

type SaveState =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'invalid' }
  | { kind: 'saved'; applied: string[] }
  | { kind: 'rejected'; error: string; errors: FieldError[] }
  | { kind: 'unreachable' };

export function Settings() {
  const { t, tn, tk, lang } = useT();
  const say = useSay();
  const bridge = useBridge();
  const config = useApp((s) => s.snapshot!.config);
  const envFixed = useApp((s) => s.snapshot!.envFixed);
  const [edits, setEdits] = useState<FormValues>({});
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });

  const values = (def: FieldDef): FormValue => edits[def.path] ?? toFormValue(def, config);
  const validation = useMemo(() => validateForm(config, edits, envFixed), [config, edits, envFixed]);
  const serverErrors = save.kind === 'rejected' ? save.errors : [];

  const errorFor = (path: string): string | null => {
    const local = validation.errors[path];
    if (local && (touched[path] || save.kind === 'invalid')) return issueText(local, t);
    const server = serverErrors.find((e) => fieldFor(e.path)?.path === path);
    return server ? serverText(server, t, lang) : null;
  };

  const change = (path: string, v: FormValue): void => {
    setEdits((e) => ({ ...e, [path]: v }));
    setTouched((x) => ({ ...x, [path]: true }));
    if (save.kind !== 'saving') setSave({ kind: 'idle' });
  };

  const submit = async (): Promise<void> => {
    if (Object.keys(validation.errors).length > 0 || validation.other.length > 0) {
      setSave({ kind: 'invalid' });
      return;
    }
    if (validation.dirty.length === 0) return;
    setSave({ kind: 'saving' });
    try {
      const res = await bridge.updateConfig(validation.patch);
      if (res.success) {
        setEdits({});
        setTouched({});
        setSave({ kind: 'saved', applied: res.applied });
      } else {
        setSave({ kind: 'rejected', error: say.failure(res), errors: res.errors });
      }
    } catch {
      setSave({ kind: 'unreachable' });
    }
  };

  const ctx: FieldCtx = { values, change, errorFor, envFixed: (p) => envFixed[p] ?? null, blur: (p) => setTouched((x) => ({ ...x, [p]: true })) };
  const hasErrors = Object.keys(validation.errors).length > 0;

  return (
    <form
      className="settings stack"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="page-head">
        <h2>{t('settings.title')}</h2>
        <p className="muted">{t('settings.intro')}</p>
      </div>
      {SECTIONS.map((section) => (
        <Section key={section.id} section={section} ctx={ctx}>
          {section.id === 'calendar' && <CalendarExtras backend={String(values({ path: 'calendar.backend', kind: 'select' }))} />}
          {/* Spec §5.2: the Python service's one reminder, kept for the takeover; say so. */}
          {section.id === 'calendar' && <p className="help" data-testid="calendar-reminder-note">{t('settings.calendar.reminder')}</p>}
          {section.id === 'notifications' && <MuteControls />}
          {section.id === 'contacts' && <ContactsExtras />}
        </Section>
      ))}
      <div className={validation.dirty.length > 0 ? 'savebar is-dirty' : 'savebar'} role="region" aria-label={t('settings.saveRegion')}>
        <button type="submit" className="btn btn-primary" data-testid="settings-save" disabled={save.kind === 'saving' || validation.dirty.length === 0}>
          {save.kind === 'saving' ? t('app.working') : t('settings.save')}
        </button>
        <button
          type="button"
          className="btn btn-ghost"
          disabled={validation.dirty.length === 0}
          onClick={() => {
            setEdits({});
            setTouched({});
            setSave({ kind: 'idle' });
          }}
        >
          {t('settings.undo')}
        </button>
        <div aria-live="polite" className="save-result">
          {save.kind === 'invalid' && hasErrors && (
            <span className="note note-error" data-testid="settings-result" data-result="invalid">{t('settings.fixFields')}</span>
          )}
          {save.kind === 'invalid' && !hasErrors && validation.other.length > 0 && (
            <span className="note note-error" data-testid="settings-result" data-result="invalid">
              {validation.other.map((i) => issueText(i, t)).join('; ')}
            </span>
          )}
          {save.kind === 'saved' && (
            <span className="note note-ok" data-testid="settings-result" data-result="saved">
              {t('settings.saved')}
              {save.applied.length > 0 && ` (${save.applied.map((p) => tk('cfg.', p)).join(', ')})`}
            </span>
          )}
          {save.kind === 'rejected' && (
            <span className="note note-error" data-testid="settings-result" data-result="rejected">
              {t('settings.rejected', { error: save.error })}
              {save.errors.filter((e) => !fieldFor(e.path)).map((e) => ` ${e.path}: ${serverText(e, t, lang)}`).join(';')}
            </span>
          )}
          {save.kind === 'unreachable' && (
            <span className="note note-error" data-testid="settings-result" data-result="unreachable">{t('app.unreachable')}</span>
          )}
          {save.kind === 'idle' && validation.dirty.length > 0 && (
            <span className="muted">{tn('settings.unsaved', validation.dirty.length)}</span>
          )}
        </div>
      </div>
    </form>
  );
}

interface FieldCtx {
  values: (def: FieldDef) => FormValue;
  change: (path: string, v: FormValue) => void;
  blur: (path: string) => void;
  errorFor: (path: string) => string | null;
  /** The environment variable that fixes this field, or null. */
  envFixed: (path: string) => string | null;
}

function Section({ section, ctx, children }: { section: SectionDef; ctx: FieldCtx; children?: ReactNode }) {
  const { t } = useT();
  const bridge = useBridge();
  const visible = section.fields.filter((f) => {
    if (f.desktopOnly && bridge.kind !== 'ipc') return false;
    if (f.when) {
      const dep = section.fields.find((x) => x.path === f.when!.path);
      if (dep && ctx.values(dep) !== f.when.value) return false;
    }
    return true;
  });
  const basic = visible.filter((f) => !f.advanced);
  const advanced = visible.filter((f) => f.advanced);
  const advancedHasError = advanced.some((f) => ctx.errorFor(f.path) !== null);
  if (basic.length === 0 && advanced.length === 0 && !children) return null;
  return (
    <fieldset className="card settings-section" data-testid={`settings-${section.id}`}>
      <legend>{t(`settings.section.${section.id}` as MessageKey)}</legend>
      {basic.map((f) => <Field key={f.path} def={f} ctx={ctx} />)}
      {children}
      {advanced.length > 0 && (
        <details open={advancedHasError || undefined} className="advanced">
          <summary>{t('settings.advanced')}</summary>
          {advanced.map((f) => <Field key={f.path} def={f} ctx={ctx} />)}
        </details>
      )}
    </fieldset>
  );
}

function Field({ def, ctx }: { def: FieldDef; ctx: FieldCtx }) {
  const { t, tk } = useT();
  const id = `cfg-${def.path.replace(/\./g, '-')}`;
  const value = ctx.values(def);
  const error = ctx.errorFor(def.path);
  const helpKey = `cfg.${def.path}.help`;
  const help = tk('', helpKey);
  const hasHelp = help !== helpKey;
  const variable = ctx.envFixed(def.path);
  const describedBy = [variable ? `${id}-env` : '', hasHelp ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    'data-testid': `setting-${def.path}`,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
    onBlur: () => ctx.blur(def.path),
  };
  const label = tk('cfg.', def.path);
  // Fixed by an environment variable: shown, never editable (issue 14 item 4).
  const envNote = variable ? (
    <p className="help env-fixed" id={`${id}-env`} data-testid={`env-fixed-${def.path}`}>
      {t('settings.envFixed', { variable })}
    </p>
  ) : null;

  let control: ReactNode;
  if (def.kind === 'bool') {
    return (
      <div className={error ? 'field field-check has-error' : 'field field-check'}>
        <input type="checkbox" {...common} checked={value === true} disabled={variable !== null} onChange={(e) => ctx.change(def.path, e.target.checked)} />
        <label htmlFor={id}>{label}</label>
        {envNote}
        {hasHelp && <p className="help" id={`${id}-help`}>{help}</p>}
        {error && <p className="field-error" id={`${id}-error`} data-testid={`field-error-${def.path}`}>{error}</p>}
      </div>
    );
  }
  if (def.kind === 'select') {
    control = (
      <select {...common} value={String(value)} disabled={variable !== null} onChange={(e) => ctx.change(def.path, e.target.value)}>
        {(def.options ?? []).map((o) => <option key={o} value={o}>{tk(`cfg.${def.path}.`, o)}</option>)}
      </select>
    );
  } else if (def.kind === 'sentinels') {
    control = (
      <textarea {...common} rows={3} spellCheck={false} readOnly={variable !== null} value={String(value)} placeholder="sentinel1:26379" onChange={(e) => ctx.change(def.path, e.target.value)} />
    );
  } else {
    const numeric = def.kind === 'int' || def.kind === 'number';
    control = (
      <input
        {...common}
        type="text"
        inputMode={numeric ? (def.kind === 'int' ? 'numeric' : 'decimal') : undefined}
        autoComplete="off"
        spellCheck={false}
        className={numeric ? 'input-num' : 'input-text'}
        readOnly={variable !== null}
        value={String(value)}
        onChange={(e) => ctx.change(def.path, e.target.value)}
      />
    );
  }
  return (
    <div className={error ? 'field has-error' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {control}
      {envNote}
      {hasHelp && <p className="help" id={`${id}-help`}>{help}</p>}
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert" data-testid={`field-error-${def.path}`}>
          {error}
        </p>
      )}
      {def.path === 'redis.url' && !error && !variable && <p className="help">{t('settings.passwordMasked')}</p>}
    </div>
  );
}

function CalendarExtras({ backend }: { backend: string }) {
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
      setNote({ ok: r.success, text: r.success ? t(done) : say.failure(r) });
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

/**
 * Google Contacts uses the calendar's Google sign-in; with the ICS calendar there is no other
 * sign-in button, and after turning Contacts on the sign-in must be repeated to add the scope.
 */
function ContactsExtras() {
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
                (r) => setNote({ ok: r.success, text: r.success ? t('settings.google.signInStarted') : say.failure(r) }),
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

/** "Until tomorrow" means tomorrow 07:00 Swedish time, when a coordinator's day starts. */
export function tomorrowMorning(now: Date = new Date()): Date {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  const [y, m, d] = parts.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  return stockholmWallTime(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 7, 0);
}

function MuteControls() {
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
