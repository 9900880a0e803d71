import { useEffect, useMemo, useRef, useState } from 'react';
import { alertSeveritySchema, type AlertSeverity } from '../../../shared/messages';
import { useApp } from '../context';
import { useT, type MessageKey } from '../i18n';
import { fmtDateTime } from '../format';
import { useSay } from '../say';

type Filter = 'all' | AlertSeverity;

export function Alerts({ focusId }: { focusId: string | null }) {
  const { t, tn, tk, lang } = useT();
  const say = useSay();
  const alerts = useApp((s) => s.snapshot!.alerts);
  const acknowledge = useApp((s) => s.acknowledge);
  const [filter, setFilter] = useState<Filter>('all');
  const [showAcked, setShowAcked] = useState(true);
  const [failed, setFailed] = useState(false);
  // Where focus goes once an Acknowledge button has been replaced by its text.
  const [focusAfterAck, setFocusAfterAck] = useState<string | null>(null);
  const countRef = useRef<HTMLParagraphElement>(null);

  const visible = useMemo(
    () => alerts.items.filter((a) => (filter === 'all' || a.severity === filter) && (showAcked || !a.acknowledged)),
    [alerts.items, filter, showAcked],
  );
  const unacked = alerts.items.filter((a) => !a.acknowledged).length;

  useEffect(() => {
    if (focusId) document.getElementById(`alert-${focusId}`)?.scrollIntoView?.({ block: 'center' });
  }, [focusId]);

  useEffect(() => {
    if (focusAfterAck === null) return;
    setFocusAfterAck(null);
    const target = focusAfterAck === 'all' ? null : document.getElementById(`alert-${focusAfterAck}`)?.querySelector<HTMLElement>('[data-focus-after-ack]');
    (target ?? countRef.current)?.focus();
  }, [focusAfterAck]);

  const ack = async (ids: string[] | 'all'): Promise<void> => {
    const ok = await acknowledge(ids);
    setFailed(!ok);
    if (ok) setFocusAfterAck(ids === 'all' ? 'all' : (ids[0] ?? 'all'));
  };

  return (
    <div className="stack">
      <div className="page-head">
        <h2>{t('alerts.title')}</h2>
        <p className="muted" data-testid="alerts-count" ref={countRef} tabIndex={-1}>
          {tn('alerts.unacked', unacked)} · {tn('alerts.total', alerts.total)}
        </p>
      </div>
      <div className="toolbar">
        <label>
          {t('alerts.filter')}{' '}
          <select value={filter} onChange={(e) => setFilter(e.target.value as Filter)} data-testid="alerts-filter">
            <option value="all">{t('alerts.all')}</option>
            {alertSeveritySchema.options.map((s) => (
              <option key={s} value={s}>{t(`severity.${s}` as MessageKey)}</option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={showAcked} onChange={(e) => setShowAcked(e.target.checked)} />
          <span>{t('alerts.showAcked')}</span>
        </label>
        <button type="button" className="btn" data-testid="ack-all" disabled={unacked === 0} onClick={() => void ack('all')}>
          {t('alerts.ackAll')}
        </button>
      </div>
      {failed && <p className="note note-error" role="alert">{t('alerts.ackFailed')}</p>}
      {visible.length === 0 && <p className="empty" data-testid="alerts-empty">{alerts.items.length === 0 ? t('alerts.none') : t('alerts.noneMatching')}</p>}
      <ul className="alert-list">
        {visible.map((a) => (
          <li
            key={a.id}
            id={`alert-${a.id}`}
            className={`alert alert-${a.severity}${a.acknowledged ? ' is-acked' : ''}${focusId === a.id ? ' is-focused' : ''}`}
            data-testid="alert-row"
            data-alert-id={a.id}
            data-severity={a.severity}
            data-acknowledged={a.acknowledged ? 'true' : 'false'}
          >
            <div className="alert-head">
              <span className={`badge sev-${a.severity}`}>{t(`severity.${a.severity}` as MessageKey)}</span>
              <time dateTime={a.at} className="muted">{fmtDateTime(a.at, lang)}</time>
              <span className="muted">{tk('alertSource.', a.source)} · {tk('alertType.', a.alertType)}</span>
              {a.acknowledged ? (
                <span className="acked" data-testid="alert-acked" data-focus-after-ack tabIndex={-1}>✓ {t('alerts.acked')}</span>
              ) : (
                <button type="button" className="btn btn-small" data-testid="ack-alert" onClick={() => void ack([a.id])}>
                  {t('alerts.ack')}
                </button>
              )}
            </div>
            <p className="alert-message" data-testid="alert-message">
              <bdi>{say.alert(a)}</bdi>
            </p>
            {Object.keys(a.details).length > 0 && (
              <details>
                <summary>{t('alerts.details')}</summary>
                <dl className="facts small">
                  {Object.entries(a.details).map(([k, v]) => (
                    <div key={k} className="fact-row">
                      <dt>{k}</dt>
                      <dd className="mono">{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
                    </div>
                  ))}
                </dl>
              </details>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
