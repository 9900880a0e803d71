import { useState } from 'react';
import type { RedisTestResult } from '../../../shared/api';
import { MESSAGE_TYPES } from '../../../shared/messages';
import { useApp, useBridge } from '../context';
import { useT, type MessageKey } from '../i18n';
import { fmtCountdown, fmtDateTime, fmtDuration, fmtNumber, fmtRelative } from '../format';
import { RATE_WINDOW_MS } from '../store';
import { RateChart } from '../components/RateChart';
import { useNow } from '../useNow';
import { useSay } from '../say';
import { HistoryCard } from '../components/HistoryCard';
import type { Tab } from '../tabs';
import { Glance } from './Glance';
import { LiveRegion } from '../components/LiveRegion';
import { SyncNow } from '../components/SyncNow';
import { syncSummary } from '../sync-summary';

export function Overview({ onOpen, narrow = false }: { onOpen: (tab: Tab) => void; narrow?: boolean }) {
  // Narrow (a tray-sized browser window): the compact view's answer first, Redis details after.
  if (narrow) {
    return (
      <div className="grid">
        <Glance onOpen={onOpen} />
        <ProcessorCard />
        {/* Sync now is in the glance just above; one button, not two. */}
        <SyncCard onOpen={onOpen} withButton={false} />
        <ConnectionCard />
        <ActivityCard />
        <CountersCard />
        <HistoryCard />
      </div>
    );
  }
  return (
    <div className="grid">
      <ConnectionCard />
      <SyncCard onOpen={onOpen} />
      <ActivityCard />
      <ProcessorCard />
      <CountersCard />
      <HistoryCard />
    </div>
  );
}

function ConnectionCard() {
  const { t, lang } = useT();
  const say = useSay();
  const bridge = useBridge();
  const c = useApp((s) => s.snapshot!.connection);
  const storageError = useApp((s) => s.snapshot!.storageError);
  // Every second while reconnecting, for the retry countdown (which reads the clock itself).
  const now = useNow(c.state === 'reconnecting' ? 1_000 : 10_000);
  const [busy, setBusy] = useState<null | 'restart' | 'test' | 'pause'>(null);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);

  // While busy the buttons stay focusable (aria-disabled), so focus never drops to <body>.
  const run = async (kind: 'restart' | 'test' | 'pause', fn: () => Promise<{ ok: boolean; text: string }>): Promise<void> => {
    if (busy !== null) return;
    setBusy(kind);
    setNote(null);
    try {
      setNote(await fn());
    } catch {
      setNote({ ok: false, text: t('app.unreachable') });
    } finally {
      setBusy(null);
    }
  };
  const testText = (r: RedisTestResult): { ok: boolean; text: string } =>
    r.success
      ? { ok: true, text: t('conn.testOk', { ping: r.ping_ms ?? '—', roundtrip: r.pubsub_roundtrip_ms ?? '—' }) }
      : { ok: false, text: t('conn.testFailed', { error: say.failure(r) }) };

  const paused = c.state === 'stopped';
  const level = c.state === 'subscribed' ? 'ok' : c.state === 'disabled' || c.state === 'stopped' ? 'off' : 'warn';

  return (
    <section className="card card-wide" aria-labelledby="conn-h">
      <h2 id="conn-h">{t('conn.title')}</h2>
      <LiveRegion testId="stale-live">
        {c.possiblyStale && (
          <div className="banner banner-warn" data-testid="stale-banner">
            {c.staleSince ? t('conn.staleSince', { time: fmtDateTime(c.staleSince, lang) }) : t('conn.stale')}
          </div>
        )}
      </LiveRegion>
      {storageError && (
        <div className="banner banner-error" role="alert" data-testid="storage-error">
          {t('conn.storageError', { error: storageError })}
        </div>
      )}
      <div className="conn-row">
        <div className={`state state-${level}`} data-testid="connection-state" data-state={c.state}>
          <span className="dot" aria-hidden="true" />
          <strong>{t(`conn.state.${c.state}` as MessageKey)}</strong>
        </div>
        <div className="muted" data-testid="connection-since">
          {t('conn.since', { time: fmtDateTime(c.stateSince, lang), ago: fmtRelative(c.stateSince, lang, new Date(now)) })}
        </div>
      </div>
      {c.reason && c.state !== 'subscribed' && (
        <p className="reason" data-testid="connection-reason">
          {t('conn.reason')}: {say.ref(c.reasonCode ?? { key: 'reason.other', params: { detail: c.reason } }, true)}
        </p>
      )}
      {c.state === 'reconnecting' && c.nextRetryAt && (
        <p className="muted" data-testid="connection-next-retry">{t('conn.nextRetry', { attempt: c.attempt, in: fmtCountdown(c.nextRetryAt, lang, Date.now()) })}</p>
      )}
      <dl className="facts">
        <dt>{t('conn.server')}</dt>
        <dd className="mono" data-testid="connection-endpoint">{c.endpoint}</dd>
        <dt>{t('conn.channels')}</dt>
        <dd className="mono">{c.channels.join(', ') || '—'}</dd>
        <dt>{t('conn.reconnects')}</dt>
        <dd data-testid="reconnect-count">{fmtNumber(c.reconnectCount, lang)}</dd>
        <dt>{t('conn.ping')}</dt>
        {/* An answer time from before the connection dropped says nothing about now. */}
        <dd data-testid="connection-ping">{c.lastPingMs === null || c.state !== 'subscribed' ? '—' : `${c.lastPingMs} ms`}</dd>
      </dl>
      <div className="actions">
        <button type="button" className="btn" aria-disabled={busy !== null || undefined} data-testid="restart-subscription"
          onClick={() => void run('restart', async () => {
            const r = await bridge.restartSubscription();
            return { ok: r.success, text: r.success ? t('conn.restarted') : t('conn.restartFailed', { error: say.failure(r) }) };
          })}>
          {busy === 'restart' ? t('app.working') : t('conn.restart')}
        </button>
        <button type="button" className="btn" aria-disabled={busy !== null || undefined} data-testid="test-connection"
          onClick={() => void run('test', async () => testText(await bridge.testConnection()))}>
          {busy === 'test' ? t('conn.testing') : t('conn.test')}
        </button>
        <button type="button" className="btn" aria-disabled={busy !== null || undefined} disabled={c.state === 'disabled'} data-testid="pause-listening"
          aria-pressed={paused}
          onClick={() => void run('pause', async () => {
            const r = await bridge.setPaused(!paused);
            return { ok: r.success, text: r.success ? (paused ? t('conn.resumed') : t('conn.pausedNote')) : t('conn.pauseFailed', { error: say.failure(r) }) };
          })}>
          {paused ? t('conn.resume') : t('conn.pause')}
        </button>
      </div>
      {note && (
        <p className={note.ok ? 'note note-ok' : 'note note-error'} role="status" data-testid="connection-note">
          {note.text}
        </p>
      )}
    </section>
  );
}

function SyncCard({ onOpen, withButton = true }: { onOpen: (tab: Tab) => void; withButton?: boolean }) {
  const { t, tn, lang, tk } = useT();
  const say = useSay();
  const cal = useApp((s) => s.snapshot!.calendar);
  const confirm = useApp((s) => s.confirm);
  const confirmDeletions = useApp((s) => s.confirmDeletions);
  const confirmTakeover = useApp((s) => s.confirmTakeover);
  const now = useNow(10_000);

  const upToDate = cal.pending === 0 && cal.failed === 0 && cal.heldDeletions === 0;
  return (
    <section className="card" aria-labelledby="sync-h">
      <h2 id="sync-h">{t('cal.title')}</h2>
      <p className={upToDate ? 'headline ok' : 'headline'} data-testid="calendar-headline">
        {upToDate ? t('cal.upToDate') : t('cal.needsWork')}
      </p>
      {withButton && <SyncNow variant="card" />}
      <dl className="facts">
        <dt>{t('cal.backend')}</dt>
        <dd data-testid="calendar-backend">{t(`cal.backend.${cal.backend}` as MessageKey)}</dd>
        <dt>{t('cal.status')}</dt>
        <dd data-testid="calendar-status">{/^error:?\s*/i.test(cal.status) ? t('cal.statusError', { detail: cal.status.replace(/^error:?\s*/i, '') }) : tk('cal.statusValue.', cal.status)}</dd>
        <dt>{t('cal.lastSync')}</dt>
        <dd data-testid="calendar-last-sync">
          {cal.lastSyncAt ? `${fmtDateTime(cal.lastSyncAt, lang)} (${fmtRelative(cal.lastSyncAt, lang, new Date(now))})` : t('cal.never')}
        </dd>
        <dt>{t('cal.pending')}</dt>
        <dd data-testid="calendar-pending">{cal.pending}</dd>
        <dt>{t('cal.failed')}</dt>
        <dd data-testid="calendar-failed" className={cal.failed > 0 ? 'bad' : undefined}>{cal.failed}</dd>
      </dl>
      {cal.takeover && (
        <div className="banner banner-warn" data-testid="calendar-takeover" role="region" aria-labelledby="takeover-h">
          <h3 id="takeover-h">{t('takeover.title')}</h3>
          <p>{t('takeover.intro', { found: cal.takeover.found, calendar: cal.takeover.calendarId })}</p>
          <ul data-testid="takeover-counts">
            <li>{t('takeover.adopted', { n: cal.takeover.adopted })}</li>
            <li>{t('takeover.updated', { n: cal.takeover.updated })}</li>
            <li>{t('takeover.deleted', { n: cal.takeover.deleted })}</li>
            <li>{t('takeover.past', { n: cal.takeover.past })}</li>
            {cal.takeover.duplicates > 0 && <li>{t('takeover.duplicates', { n: cal.takeover.duplicates })}</li>}
            {cal.takeover.otherTag > 0 && <li>{t('takeover.otherTag', { n: cal.takeover.otherTag, retagged: cal.takeover.retagged, tags: cal.takeover.otherTags.join(', ') })}</li>}
            {cal.takeover.inserted > 0 && <li>{t('takeover.inserted', { n: cal.takeover.inserted })}</li>}
          </ul>
          {!cal.takeover.listReceived && <p>{t('takeover.noList')}</p>}
          <p>{t('takeover.explain')}</p>
          <div className="actions">
            <button type="button" className="btn btn-primary" data-testid="confirm-takeover" disabled={confirm.running}
              onClick={() => void confirmTakeover()}>
              {confirm.running ? t('app.working') : t('takeover.confirm')}
            </button>
          </div>
        </div>
      )}
      {cal.heldDeletions > 0 && (
        <div className="banner banner-warn" data-testid="held-deletions">
          <p>{tn('cal.held', cal.heldDeletions)}</p>
          {cal.held && cal.held.length > 0 && (
            <ul data-testid="held-list">
              {cal.held.slice(0, 50).map((h) => (
                <li key={h.matchId}>{t(h.reason === 'cancelled' ? 'cal.heldCancelled' : 'cal.heldRemoved', { title: h.kickoff ? `${h.title} (${h.kickoff})` : h.title })}</li>
              ))}
            </ul>
          )}
          <p>{t('cal.heldPastNote')}</p>
          <div className="actions">
            <button type="button" className="btn" data-testid="confirm-deletions" disabled={confirm.running}
              onClick={() => void confirmDeletions()}>
              {confirm.running ? t('app.working') : t('cal.confirmDeletions')}
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => onOpen('matches')}>
              {t('cal.showMatches')}
            </button>
          </div>
        </div>
      )}
      {confirm.report && !confirm.running && (
        <p className={confirm.report.success ? 'note note-ok' : 'note note-error'} data-testid="confirm-result">
          {syncSummary(confirm.report, { t, tn, failure: say.failure })}
        </p>
      )}
    </section>
  );
}

function ActivityCard() {
  const { t, tn, lang } = useT();
  const arrivals = useApp((s) => s.arrivals);
  const last = useApp((s) => s.snapshot!.counters.last_message_time);
  const now = useNow(10_000);
  const inWindow = arrivals.filter((a) => a >= now - RATE_WINDOW_MS).length;
  return (
    <section className="card" aria-labelledby="act-h">
      <h2 id="act-h">{t('activity.title')}</h2>
      <p className="headline" data-testid="rate-total">{tn('activity.lastTen', inWindow)}</p>
      <RateChart arrivals={arrivals} now={now} label={t('activity.chartLabel', { n: inWindow })} />
      <div className="chart-legend muted" aria-hidden="true">
        <span>{t('activity.tenAgo')}</span>
        <span>{t('activity.now')}</span>
      </div>
      <p className="muted">
        {t('activity.lastMessage')}: {last ? `${fmtDateTime(last, lang)} (${fmtRelative(last, lang, new Date(now))})` : t('activity.none')}
      </p>
    </section>
  );
}

function ProcessorCard() {
  const { t, lang } = useT();
  const say = useSay();
  const p = useApp((s) => s.snapshot!.processor);
  const part = useApp((s) => s.snapshot!.status.parts.processor);
  const now = useNow(10_000);
  const last = p.last;
  const failure = part.reasons.find((r) => r.code === 'procFailed');
  const failureText = typeof failure?.params.error === 'string' && failure.params.error ? failure.params.error : null;
  return (
    <section className="card" aria-labelledby="proc-h">
      <h2 id="proc-h">{t('proc.title')}</h2>
      {last ? (
        <>
          <p className={`headline proc-${last.status}`} data-testid="processor-status" data-status={last.status} data-level={part.level}>
            {t(`proc.status.${last.status}` as MessageKey)}
          </p>
          {/* The core's status: a failed last check stays a failure until a later check completes, acknowledged or not. */}
          {failure && (
            <p className="reason" data-testid="processor-failure">
              {say.headline(failure)}
              {failureText && <><br />{t('alert.fromProcessor', { text: failureText })}</>}
            </p>
          )}
          <dl className="facts">
            <dt>{t('proc.when')}</dt>
            <dd data-testid="processor-when">{fmtDateTime(last.at, lang)} ({fmtRelative(last.at, lang, new Date(now))})</dd>
            <dt>{t('proc.duration')}</dt>
            <dd data-testid="processor-duration">{p.lastDurationMs === null ? '—' : fmtDuration(p.lastDurationMs, lang)}</dd>
            <dt>{t('proc.cycles')}</dt>
            <dd>{fmtNumber(p.cycles, lang)}</dd>
            {p.lastFailed && (
              <>
                <dt>{t('proc.lastFailed')}</dt>
                <dd className="bad">{fmtDateTime(p.lastFailed.at, lang)}</dd>
              </>
            )}
          </dl>
        </>
      ) : (
        <p className="muted" data-testid="processor-status" data-status="none">{t('proc.none')}</p>
      )}
    </section>
  );
}

function CountersCard() {
  const { t, lang, tk } = useT();
  const c = useApp((s) => s.snapshot!.counters);
  const rejectedTotal = useApp((s) => s.snapshot!.rejected.total);
  const n = (v: number): string => fmtNumber(v, lang);
  const channels = Object.entries(c.by_channel).sort((a, b) => a[0].localeCompare(b[0]));
  const types = [...MESSAGE_TYPES, 'unknown' as const];
  const rejected = Object.entries(c.rejected_by_reason).filter(([, v]) => (v ?? 0) > 0);
  return (
    <section className="card card-wide" aria-labelledby="cnt-h">
      <h2 id="cnt-h">{t('counters.title')}</h2>
      <div className="counters">
        <Counter id="received" label={t('counters.received')} value={n(c.messages_received)} />
        <Counter id="processed" label={t('counters.processed')} value={n(c.messages_processed)} />
        <Counter id="rejected" label={t('counters.rejected')} value={n(rejectedTotal)} bad={rejectedTotal > 0} />
        <Counter id="errors" label={t('counters.errors')} value={n(c.errors)} bad={c.errors > 0} />
        <Counter id="duplicates" label={t('counters.duplicates')} value={n(c.duplicates)} />
        {c.internal_errors > 0 && <Counter id="internal-errors" label={t('counters.internalErrors')} value={n(c.internal_errors)} bad />}
        <Counter id="reconnects" label={t('counters.reconnects')} value={n(c.reconnect_count)} />
      </div>
      <div className="two-col">
        <table className="table" data-testid="counters-by-channel">
          <caption>{t('counters.byChannel')}</caption>
          <thead>
            <tr><th scope="col">{t('counters.channel')}</th><th scope="col" className="num">{t('counters.count')}</th></tr>
          </thead>
          <tbody>
            {channels.length === 0 && (
              <tr><td colSpan={2} className="muted">{t('counters.noneYet')}</td></tr>
            )}
            {channels.map(([ch, v]) => (
              <tr key={ch}>
                <td className="mono">{ch}</td>
                <td className="num" data-testid={`counter-channel-${ch}`}>{n(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table className="table" data-testid="counters-by-type">
          <caption>{t('counters.byType')}</caption>
          <thead>
            <tr><th scope="col">{t('counters.type')}</th><th scope="col" className="num">{t('counters.count')}</th></tr>
          </thead>
          <tbody>
            {types.map((ty) => (
              <tr key={ty}>
                <td>{tk('msgtype.', ty)}</td>
                <td className="num" data-testid={`counter-type-${ty}`}>{n(c.by_type[ty])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rejected.length > 0 && (
        <p className="muted" data-testid="rejected-reasons">
          {t('counters.rejectedWhy')}: {rejected.map(([r, v]) => `${tk('reject.', r)} ${v}`).join(', ')}
        </p>
      )}
    </section>
  );
}

function Counter({ id, label, value, bad }: { id: string; label: string; value: string; bad?: boolean }) {
  return (
    <div className={bad ? 'counter counter-bad' : 'counter'}>
      <div className="counter-value" data-testid={`counter-${id}`}>{value}</div>
      <div className="counter-label">{label}</div>
    </div>
  );
}
