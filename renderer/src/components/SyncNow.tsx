import type { ReactNode } from 'react';
import { useApp } from '../context';
import { useT } from '../i18n';
import { useSay } from '../say';
import { syncSummary } from '../sync-summary';

/** Where the button sits: the calendar card (wide Overview) or the glance (tray window, narrow Overview). */
const VARIANTS = {
  card: { button: 'sync-now', result: 'sync-result', className: 'btn btn-primary btn-big', row: null },
  glance: { button: 'glance-sync-now', result: 'glance-sync-result', className: 'btn btn-primary glance-sync', row: 'glance-row glance-actions' },
} as const;

/**
 * "Sync now" and its result line, one component for the calendar card and the glance. While
 * it runs the button stays focusable (aria-disabled, not disabled), so focus never drops to
 * the page body (issue 14.10); a click then does nothing. `children` sit beside the button
 * (the glance's "Open dashboard").
 */
export function SyncNow({ variant, children }: { variant: keyof typeof VARIANTS; children?: ReactNode }) {
  const { t, tn } = useT();
  const say = useSay();
  const sync = useApp((s) => s.sync);
  const syncNow = useApp((s) => s.syncNow);
  const v = VARIANTS[variant];

  const button = (
    <button
      type="button"
      className={v.className}
      data-testid={v.button}
      aria-disabled={sync.running || undefined}
      aria-busy={sync.running}
      onClick={() => {
        if (!sync.running) void syncNow();
      }}
    >
      {sync.running ? (
        <>
          <span className="spinner" aria-hidden="true" /> {t('sync.running')}
        </>
      ) : (
        t('sync.now')
      )}
    </button>
  );
  return (
    <>
      {v.row ? (
        <div className={v.row}>
          {button}
          {children}
        </div>
      ) : (
        button
      )}
      <div aria-live="polite">
        {sync.report && !sync.running && (
          <p className={sync.report.success ? 'note note-ok' : 'note note-error'} data-testid={v.result} data-success={sync.report.success}>
            {syncSummary(sync.report, { t, tn, failure: say.failure })}
          </p>
        )}
        {sync.error && !sync.running && (
          <p className="note note-error" data-testid={v.result} data-success="false">
            {t('app.unreachable')}
          </p>
        )}
      </div>
    </>
  );
}
