import type { ReactNode } from 'react';
import { useBridge } from '../../context';
import { useT, type MessageKey } from '../../i18n';
import type { FieldDef, FormValue, SectionDef } from './settings-model';

export interface FieldCtx {
  values: (def: FieldDef) => FormValue;
  change: (path: string, v: FormValue) => void;
  blur: (path: string) => void;
  errorFor: (path: string) => string | null;
  /** The environment variable that fixes this field, or null. */
  envFixed: (path: string) => string | null;
}

export function Section({ section, ctx, children }: { section: SectionDef; ctx: FieldCtx; children?: ReactNode }) {
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
