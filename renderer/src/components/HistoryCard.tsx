import { useApp } from '../context';
import { useT } from '../i18n';
import { fmtDateTime } from '../format';
import { useSay } from '../say';

/**
 * The history of the watch (shared/history.ts): uptime of the Redis subscription over the
 * last 7 days, its outages with start, end and reason, and the failed processor checks.
 * The full timeline is at GET /api/history.
 */
export function HistoryCard() {
  const { t, lang } = useT();
  const say = useSay();
  const h = useApp((s) => s.snapshot!.history);
  const pct = h.uptimePercent === null ? null : new Intl.NumberFormat(lang === 'sv' ? 'sv-SE' : 'en-GB', { maximumFractionDigits: 2 }).format(h.uptimePercent);
  return (
    <section className="card card-wide" aria-labelledby="hist-h" data-testid="history">
      <h2 id="hist-h">{t('history.title')}</h2>
      <p className="headline" data-testid="history-uptime">{pct === null ? t('history.noData') : t('history.uptime', { pct })}</p>
      <p className="muted" data-testid="history-cycles">{t('history.cycles', { completed: h.cycles.completed, failed: h.cycles.failed })}</p>
      <div className="two-col">
        <div>
          <h3>{t('history.outages')}</h3>
          {h.outages.length === 0 ? (
            <p className="muted">{t('history.noOutages')}</p>
          ) : (
            <ul className="history-list" data-testid="history-outages">
              {h.outages.map((o) => (
                <li key={o.start} data-testid="history-outage">
                  {fmtDateTime(o.start, lang)} – {o.end ? fmtDateTime(o.end, lang) : t('history.ongoing')}
                  {o.reason && <>: {say.ref(o.reason)}</>}
                </li>
              ))}
            </ul>
          )}
          {h.outagesTotal > h.outages.length && <p className="muted">{t('history.more', { n: h.outagesTotal - h.outages.length })}</p>}
        </div>
        <div>
          <h3>{t('history.failedCycles')}</h3>
          {h.failedCycles.length === 0 ? (
            <p className="muted">{t('history.noFailed')}</p>
          ) : (
            <ul className="history-list" data-testid="history-failed">
              {h.failedCycles.map((c) => (
                <li key={c.at}>
                  {fmtDateTime(c.at, lang)}
                  {c.error && <>: {t('alert.fromProcessor', { text: c.error })}</>}
                </li>
              ))}
            </ul>
          )}
          {h.cycles.failed > h.failedCycles.length && <p className="muted">{t('history.more', { n: h.cycles.failed - h.failedCycles.length })}</p>}
        </div>
      </div>
    </section>
  );
}
