import { useT } from '../../i18n';
import { issueText, serverText } from './problem-text';
import { fieldFor, type Validation } from './settings-model';
import type { SaveState } from './use-settings-form';

/** The save and undo buttons and what the last save said. */
export function SaveBar({ validation, save, undo }: { validation: Validation; save: SaveState; undo: () => void }) {
  const { t, tn, tk, lang } = useT();
  const hasErrors = Object.keys(validation.errors).length > 0;
  return (
    <div className={validation.dirty.length > 0 ? 'savebar is-dirty' : 'savebar'} role="region" aria-label={t('settings.saveRegion')}>
      <button type="submit" className="btn btn-primary" data-testid="settings-save" disabled={save.kind === 'saving' || validation.dirty.length === 0}>
        {save.kind === 'saving' ? t('app.working') : t('settings.save')}
      </button>
      <button
        type="button"
        className="btn btn-ghost"
        disabled={validation.dirty.length === 0}
        onClick={undo}
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
  );
}
