import { useMemo, useState } from 'react';
import type { FieldError } from '../../../../shared/api';
import { useSay } from '../../say';
import { useApp, useBridge } from '../../context';
import { useT } from '../../i18n';
import { issueText, serverText } from './problem-text';
import { toFormValue, validateForm, fieldFor, type FieldDef, type FormValues, type FormValue, type Validation } from './settings-model';
import type { FieldCtx } from './SettingsSection';

export type SaveState =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'invalid' }
  | { kind: 'saved'; applied: string[] }
  | { kind: 'rejected'; error: string; errors: FieldError[] }
  | { kind: 'unreachable' };

export interface SettingsForm {
  /** What each field shows and how it reports (handed to every section). */
  ctx: FieldCtx;
  validation: Validation;
  save: SaveState;
  submit(): Promise<void>;
  /** Drops every edit and the last save result. */
  undo(): void;
}

/**
 * The settings form's state: the coordinator's edits over the saved config, which fields were
 * touched, the shared schema's verdict on the whole candidate, and the last save's outcome.
 */
export function useSettingsForm(): SettingsForm {
  const { t, lang } = useT();
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

  const undo = (): void => {
    setEdits({});
    setTouched({});
    setSave({ kind: 'idle' });
  };

  const ctx: FieldCtx = { values, change, errorFor, envFixed: (p) => envFixed[p] ?? null, blur: (p) => setTouched((x) => ({ ...x, [p]: true })) };
  return { ctx, validation, save, submit, undo };
}
