import { useApp } from '../context';
import { useT, type MessageKey } from '../i18n';
import { overallStatus } from '../status';
import { useNow } from '../useNow';

/** The one status line: the header's pill, and the first line of the compact view. */
export function OverallStatus() {
  const { t } = useT();
  const snapshot = useApp((s) => s.snapshot);
  const linkUp = useApp((s) => s.linkUp);
  const now = useNow(5_000);
  if (!snapshot) return null;
  // Without the live link the last state we have says nothing about now.
  const o = linkUp ? overallStatus(snapshot, now) : ({ level: 'error', reason: 'noLink' } as const);
  return (
    <div className={`overall overall-${o.level}`} data-testid="overall-status" data-level={o.level} role="status">
      <span className="dot" aria-hidden="true" />
      {t(`overall.${o.reason}` as MessageKey)}
    </div>
  );
}
