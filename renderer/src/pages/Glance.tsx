import { useEffect, useRef, useState } from 'react';
import type { FogisMatch } from '../../../shared/messages';
import { STATUS_PARTS, type Status, type StatusLevel, type StatusReason } from '../../../shared/status';
import { useSay } from '../say';
import { useApp, useBridge } from '../context';
import { useT, type MessageKey } from '../i18n';
import { fmtCountdown, fmtDate, fmtRelative, fmtTime, kickoffOf } from '../format';
import { LiveRegion } from '../components/LiveRegion';
import { SyncNow } from '../components/SyncNow';
import { useNow } from '../useNow';
import { sortMatches } from './Matches';
import type { Tab } from '../tabs';

/** How many unacknowledged alerts the glance lists before "and N more". */
export const GLANCE_ALERTS = 3;

/** The next match that is still to be played (not cancelled), or null. */
export function nextMatch(list: FogisMatch[], now: number): { match: FogisMatch; kickoff: Date } | null {
  for (const m of sortMatches(list)) {
    const k = kickoffOf(m);
    if (k && k.getTime() > now && !m.installd) return { match: m, kickoff: k };
  }
  return null;
}

/** The part of the core's status a reason belongs to, for its colour. */
function levelOf(status: Status, r: StatusReason): StatusLevel {
  for (const name of STATUS_PARTS) if (status.parts[name].reasons.includes(r)) return status.parts[name].level;
  return status.level;
}

/** Test ids by kind of reason, so tests and people can find the processor, Redis and staleness rows. */
function rowId(code: string): string {
  if (code.startsWith('proc')) return 'glance-processor';
  if (code.startsWith('redis')) return 'glance-connection';
  if (code.startsWith('stale')) return 'glance-stale';
  return 'glance-problem';
}

/**
 * "Is everything fine, and what is next?" in one screen: the tray window (`#compact`) and
 * the top of the Overview below 500 px. The status line itself is the header's.
 */
export function Glance({ onOpen, standalone = false }: { onOpen: (tab: Tab) => void; standalone?: boolean }) {
  const { t, tn, tk, lang } = useT();
  const say = useSay();
  const bridge = useBridge();
  const snapshot = useApp((s) => s.snapshot!);
  const acknowledge = useApp((s) => s.acknowledge);
  // Every second while reconnecting, for the retry countdown (which reads the clock itself).
  const now = useNow(snapshot.connection.state === 'reconnecting' ? 1_000 : 30_000);
  const [ackFailed, setAckFailed] = useState(false);
  const alertsHead = useRef<HTMLHeadingElement>(null);
  const [refocus, setRefocus] = useState(false);

  const next = nextMatch(snapshot.matches.list, now);
  const unacked = snapshot.alerts.items.filter((a) => !a.acknowledged);
  const shownAlerts = unacked.slice(0, GLANCE_ALERTS);

  // The acknowledged alert leaves the list with its button; keep focus near it, not on <body>.
  useEffect(() => {
    if (!refocus) return;
    setRefocus(false);
    const nextButton = document.querySelector<HTMLButtonElement>('[data-testid="glance-ack"]');
    (nextButton ?? alertsHead.current)?.focus();
  }, [refocus]);

  const ack = async (id: string): Promise<void> => {
    const ok = await acknowledge([id]);
    setAckFailed(!ok);
    setRefocus(true);
  };

  const openDashboard = (): void => {
    // In the tray window the main process turns this into "show the dashboard window"
    // (electron/desktop/tray-window.ts); in a browser it is the same page, full layout.
    if (bridge.kind === 'ipc') window.open(`${location.href.split('#')[0]}#overview`, '_blank');
    else onOpen('overview');
  };

  const c = snapshot.connection;
  const status = snapshot.status;
  // Everything the core says is not fine, except alerts, which are listed below with a button.
  // The headline is already the status line above; repeat it only when the glance adds to it.
  const addsDetail = (r: StatusReason): boolean =>
    (r.code === 'procFailed' && typeof r.params.error === 'string' && r.params.error !== '') || (r.code.startsWith('redis') && c.state === 'reconnecting');
  const problems = status.reasons.filter((r) => !r.code.startsWith('alert') && (r !== status.headline || addsDetail(r)));

  return (
    <section className="glance card card-wide" aria-labelledby="glance-h" data-testid="glance">
      <h2 id="glance-h" className="sr-only">{t('glance.title')}</h2>
      {/* Present before any problem is, so a new one is announced (see LiveRegion). */}
      <LiveRegion testId="glance-problems">
        {problems.length > 0 && (
          <ul className="glance-problems">
            {problems.map((r) => {
              const error = r.code === 'procFailed' && typeof r.params.error === 'string' && r.params.error ? r.params.error : null;
              return (
                <li key={`${r.code}-${JSON.stringify(r.params)}`} className={`glance-problem glance-${levelOf(status, r)}`} data-testid={rowId(r.code)} data-code={r.code}>
                  <strong>{say.headline(r)}</strong>
                  {error && <p className="glance-detail">{t('alert.fromProcessor', { text: error })}</p>}
                  {r.code.startsWith('redis') && c.state === 'reconnecting' && c.nextRetryAt && (
                    <p className="glance-detail">{t('conn.nextRetry', { attempt: c.attempt, in: fmtCountdown(c.nextRetryAt, lang, Date.now()) })}</p>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </LiveRegion>
      <div className="glance-row" data-testid="glance-next-match">
        <h3 className="glance-label">{t('glance.next')}</h3>
        {next ? (
          <p className="glance-line">
            <strong className="glance-when">
              {fmtDate(next.kickoff, lang)} {fmtTime(next.kickoff, lang)}
            </strong>{' '}
            <span className="muted">({fmtRelative(next.kickoff, lang, new Date(now))})</span>
            <br />
            <bdi>{next.match.lag1namn}</bdi> – <bdi>{next.match.lag2namn}</bdi>
            {next.match.anlaggningnamn && (
              <>
                <br />
                <span className="muted">
                  <bdi>{next.match.anlaggningnamn}</bdi>
                </span>
              </>
            )}
          </p>
        ) : (
          <p className="glance-line muted">{snapshot.matches.receivedAt === null ? t('matches.waiting') : t('glance.noNext')}</p>
        )}
      </div>
      <div className="glance-row" data-testid="glance-alerts">
        <h3 className="glance-label" ref={alertsHead} tabIndex={-1}>
          {unacked.length === 0 ? t('glance.noAlerts') : tn('alerts.unacked', unacked.length)}
        </h3>
        {shownAlerts.length > 0 && (
          <ul className="glance-alerts">
            {shownAlerts.map((a) => (
              <li key={a.id} className={`glance-alert alert-${a.severity}`} data-testid="glance-alert" data-alert-id={a.id}>
                <span className={`badge sev-${a.severity}`}>{t(`severity.${a.severity}` as MessageKey)}</span>{' '}
                <span className="muted">{fmtTime(a.at, lang)} · {tk('alertType.', a.alertType)}</span>
                <p className="glance-alert-text">{say.alert(a)}</p>
                <button type="button" className="btn btn-small" data-testid="glance-ack" onClick={() => void ack(a.id)}>
                  {t('alerts.ack')}
                </button>
              </li>
            ))}
          </ul>
        )}
        {unacked.length > GLANCE_ALERTS && (
          <button type="button" className="btn btn-ghost btn-small" onClick={() => onOpen('alerts')}>
            {t('glance.moreAlerts', { n: unacked.length - GLANCE_ALERTS })}
          </button>
        )}
        {ackFailed && <p className="note note-error" role="alert">{t('alerts.ackFailed')}</p>}
      </div>
      <SyncNow variant="glance">
        {standalone && (
          <button type="button" className="btn" data-testid="open-dashboard" onClick={openDashboard}>
            {t('glance.openDashboard')}
          </button>
        )}
      </SyncNow>
    </section>
  );
}
