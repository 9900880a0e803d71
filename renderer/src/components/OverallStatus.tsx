import { useApp } from '../context';
import { useT } from '../i18n';
import { useSay } from '../say';

/**
 * The one status line: the header's pill, and the first line of the compact view. It says the
 * core's status (shared/status.ts), as the tray and `/health` do, so they never disagree.
 */
export function OverallStatus() {
  const { t } = useT();
  const say = useSay();
  const status = useApp((s) => s.snapshot?.status ?? null);
  const linkUp = useApp((s) => s.linkUp);
  if (!status) return null;
  // Without the live link the last state we have says nothing about now.
  const level = linkUp ? status.level : 'error';
  return (
    <div className={`overall overall-${level}`} data-testid="overall-status" data-level={level} data-code={linkUp ? status.headline.code : 'noLink'} role="status">
      <span className="dot" aria-hidden="true" />
      {linkUp ? say.headline(status.headline) : t('overall.noLink')}
    </div>
  );
}
