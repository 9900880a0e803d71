import { useEffect, useMemo } from 'react';
import type { FogisMatch, Referee } from '../../../shared/messages';
import type { FieldChange, MatchChange } from '../../../shared/state';
import { useApp } from '../context';
import { useT, type MessageKey, type T } from '../i18n';
import { fmtDate, fmtDateTime, fmtTime, kickoffOf, parseTid, stockholmWallTime, type Lang } from '../format';
import { useNow } from '../useNow';
import { LiveRegion } from '../components/LiveRegion';

/** A change this recent gets a badge on its match. */
export const RECENT_MS = 7 * 24 * 3600_000;
/** "New" for longer would mark every match after a fresh install for a week. */
export const NEW_MS = 2 * 24 * 3600_000;
const STATUS_KINDS = new Set(['cancelled', 'uncancelled', 'postponed', 'abandoned']);

export interface MatchRowModel {
  match: FogisMatch;
  id: string;
  kickoff: Date | null;
  changes: MatchChange[];
}

/** Sorted by kickoff; matches without a usable date go last. */
export function sortMatches(list: FogisMatch[]): FogisMatch[] {
  return list
    .map((m) => ({ m, t: kickoffOf(m)?.getTime() ?? Number.POSITIVE_INFINITY }))
    .sort((a, b) => a.t - b.t || String(a.m.matchid).localeCompare(String(b.m.matchid)))
    .map((x) => x.m);
}

function refereeName(r: Referee): string {
  return r.personnamn || r.namn || '?';
}

const LOCAL_KICKOFF = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/;

function fmtValue(field: string, v: unknown, lang: Lang, t: T['t'], timeOnly = false): string {
  if (v === null || v === undefined || v === '') return '—';
  // The core reports kickoff moves as Swedish wall time "2026-11-30 17:00".
  const wall = field === 'kickoff' && typeof v === 'string' ? LOCAL_KICKOFF.exec(v) : null;
  if (wall) {
    const [, y, mo, d, h, mi] = wall.map(Number) as [number, number, number, number, number, number];
    const at = stockholmWallTime(y, mo, d, h, mi);
    return timeOnly ? fmtTime(at, lang) : `${fmtDate(at, lang)} ${fmtTime(at, lang)}`;
  }
  if (typeof v === 'boolean') return v ? t('app.yes') : t('app.no');
  if (field === 'tid' && typeof v === 'string') {
    const d = parseTid(v);
    return d ? `${fmtDate(d, lang)} ${fmtTime(d, lang)}` : v;
  }
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (typeof v === 'object' && v !== null && ('personnamn' in v || 'namn' in v)) return refereeName(v as Referee);
  if (Array.isArray(v)) return v.map((x) => fmtValue(field, x, lang, t)).join(', ');
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

export function fieldLabel(field: string, { t, tk }: Pick<T, 't' | 'tk'>): string {
  const contact = /^referee:(.+):contact$/.exec(field);
  if (contact) return t('field.refereeContact', { role: contact[1]! });
  if (field.startsWith('referee:')) return t('field.referee', { role: field.slice('referee:'.length) });
  return tk('field.', field);
}

function ChangeLine({ f }: { f: FieldChange }) {
  const { t, tk, lang } = useT();
  // Some changes carry no values (contact details): say that they changed, not "— → —".
  if ((f.old === null || f.old === undefined) && (f.new === null || f.new === undefined)) {
    return (
      <li data-testid="change-field" data-field={f.field}>
        <span className="change-field">{fieldLabel(f.field, { t, tk })}</span> {t('matches.fieldChanged')}
      </li>
    );
  }
  // A kickoff moved within the same day reads best as "17:00 → 18:30".
  const sameDay = f.field === 'kickoff' && typeof f.old === 'string' && typeof f.new === 'string' && f.old.slice(0, 10) === f.new.slice(0, 10);
  return (
    <li data-testid="change-field" data-field={f.field}>
      <span className="change-field">{fieldLabel(f.field, { t, tk })}:</span>{' '}
      <span className="old">{fmtValue(f.field, f.old, lang, t, sameDay)}</span>
      <span aria-hidden="true"> → </span>
      <span className="sr-only">{t('matches.changedTo')}</span>
      <strong className="new">{fmtValue(f.field, f.new, lang, t, sameDay)}</strong>
    </li>
  );
}

export function Matches({ focusId }: { focusId: string | null }) {
  const { t, tn, lang } = useT();
  const matches = useApp((s) => s.snapshot!.matches);
  const perMatch = useApp((s) => s.snapshot!.calendar.perMatch);
  const stale = useApp((s) => s.snapshot!.connection.possiblyStale);
  const now = useNow(60_000);

  const rows: MatchRowModel[] = useMemo(() => {
    const byMatch = new Map<string, MatchChange[]>();
    for (const c of matches.history) {
      if (now - Date.parse(c.at) > RECENT_MS) continue;
      const list = byMatch.get(c.matchId) ?? [];
      list.push(c);
      byMatch.set(c.matchId, list);
    }
    return sortMatches(matches.list).map((m) => ({
      match: m,
      id: String(m.matchid),
      kickoff: kickoffOf(m),
      changes: byMatch.get(String(m.matchid)) ?? [],
    }));
  }, [matches, now]);

  const removed = useMemo(() => {
    const current = new Set(matches.list.map((m) => String(m.matchid)));
    const seen = new Set<string>();
    return matches.history.filter((c) => {
      if (c.kind !== 'removed' || current.has(c.matchId) || seen.has(c.matchId)) return false;
      seen.add(c.matchId);
      return now - Date.parse(c.at) <= RECENT_MS;
    });
  }, [matches, now]);

  const next = rows.find((r) => r.kickoff && r.kickoff.getTime() > now && !r.match.installd);

  useEffect(() => {
    if (focusId) document.getElementById(`match-${focusId}`)?.scrollIntoView?.({ block: 'center' });
  }, [focusId]);

  return (
    <div className="stack">
      <LiveRegion testId="matches-stale-live">
        {stale && (
          <div className="banner banner-warn" data-testid="matches-stale">
            {t('matches.stale')}
          </div>
        )}
      </LiveRegion>
      <div className="page-head">
        <h2>{t('matches.title')}</h2>
        <p className="muted" data-testid="matches-count">
          {tn('matches.count', rows.length)}
          {matches.receivedAt && ` · ${t('matches.listFrom', { time: fmtDateTime(matches.receivedAt, lang) })}`}
        </p>
      </div>
      {next?.kickoff && (
        <p className="headline" data-testid="next-match">
          {t('matches.next', {
            when: `${fmtDate(next.kickoff, lang)} ${fmtTime(next.kickoff, lang)}`,
            teams: `${next.match.lag1namn} – ${next.match.lag2namn}`,
          })}
        </p>
      )}
      {matches.receivedAt === null && rows.length === 0 && <p className="empty">{t('matches.waiting')}</p>}
      {matches.receivedAt !== null && rows.length === 0 && <p className="empty">{t('matches.none')}</p>}
      <ol className="match-list" data-testid="match-list">
        {rows.map((r) => (
          <MatchRow key={r.id} row={r} sync={perMatch[r.id]} focused={focusId === r.id} past={!!r.kickoff && r.kickoff.getTime() < now - 3 * 3600_000} />
        ))}
      </ol>
      {removed.length > 0 && (
        <section aria-labelledby="removed-h">
          <h3 id="removed-h">{t('matches.removedTitle')}</h3>
          <ul className="removed-list">
            {removed.map((c) => (
              <li key={c.matchId} data-testid="removed-row" data-match-id={c.matchId}>
                <span className="badge badge-removed">{t('badge.removed')}</span> <bdi>{c.title}</bdi>{' '}
                <span className="muted">({fmtDateTime(c.at, lang)})</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function MatchRow({ row, sync, focused, past }: {
  row: MatchRowModel;
  sync: { status: 'synced' | 'pending' | 'failed' | 'held'; reason: string | null } | undefined;
  focused: boolean;
  past: boolean;
}) {
  const { t, lang } = useT();
  const m = row.match;
  const latestChange = row.changes.find((c) => c.kind === 'changed' && c.fields.length > 0);
  const now = Date.now();
  const isNew = row.changes.some((c) => c.kind === 'new' && now - Date.parse(c.at) <= NEW_MS);
  const statusChange = row.changes.find((c) => STATUS_KINDS.has(c.kind));
  const refs = m.domaruppdraglista ?? [];
  const classes = ['match', m.installd ? 'is-cancelled' : '', past ? 'is-past' : '', focused ? 'is-focused' : ''].filter(Boolean).join(' ');
  return (
    <li
      id={`match-${row.id}`}
      className={classes}
      data-testid="match-row"
      data-match-id={row.id}
      data-cancelled={m.installd ? 'true' : 'false'}
    >
      <div className="match-when">
        {row.kickoff ? (
          <>
            <div className="match-date">{fmtDate(row.kickoff, lang)}</div>
            <div className="match-time" data-testid="match-time">{fmtTime(row.kickoff, lang)}</div>
          </>
        ) : (
          <div className="match-date">{t('matches.noDate')}</div>
        )}
      </div>
      <div className="match-body">
        <div className="match-title">
          {/* Names are isolated: a right-to-left mark in one must not reorder the text beside it. */}
          <strong data-testid="match-teams">
            <bdi>{m.lag1namn}</bdi> – <bdi>{m.lag2namn}</bdi>
          </strong>
          <span className="badges">
            {m.installd && <span className="badge badge-cancelled" data-testid="badge-cancelled">{t('badge.cancelled')}</span>}
            {m.uppskjuten && <span className="badge badge-warn" data-testid="badge-postponed">{t('badge.postponed')}</span>}
            {m.avbruten && <span className="badge badge-warn" data-testid="badge-abandoned">{t('badge.abandoned')}</span>}
            {isNew && <span className="badge badge-new" data-testid="badge-new">{t('badge.new')}</span>}
            {latestChange && <span className="badge badge-changed" data-testid="badge-changed">{t('badge.changed')}</span>}
            {sync && (
              <span className={`badge badge-sync-${sync.status}`} data-testid="match-calendar" data-status={sync.status} title={sync.reason ?? undefined}>
                {t(`matches.sync.${sync.status}` as MessageKey)}
              </span>
            )}
          </span>
        </div>
        <div className="match-meta">
          {m.anlaggningnamn && (
            <span data-testid="match-venue">
              <bdi>{m.anlaggningnamn}</bdi>
            </span>
          )}
          {m.tavlingnamn && <span className="muted">{m.tavlingnamn}</span>}
          {m.matchnr && <span className="muted">{t('matches.number', { nr: m.matchnr })}</span>}
        </div>
        {refs.length > 0 && (
          <ul className="referees" aria-label={t('matches.referees')}>
            {refs.map((r, i) => (
              <li key={`${r.domarrollkortnamn ?? ''}-${i}`}>
                <span className="role" title={r.domarrollnamn}>{r.domarrollkortnamn || r.domarrollnamn || t('matches.role')}</span>{' '}
                <bdi>{refereeName(r)}</bdi>
              </li>
            ))}
          </ul>
        )}
        {(refs.length > 0 || (m.kontaktpersoner ?? []).length > 0) && (
          <a
            className="btn btn-small match-contacts"
            href={`#contacts/match:${encodeURIComponent(row.id)}`}
            data-testid="match-contacts"
            aria-label={t('matches.contactsLabel', { title: `${m.lag1namn} – ${m.lag2namn}` })}
          >
            {t('matches.contacts')}
          </a>
        )}
        {statusChange && (
          <p className="status-change" data-testid="status-change" data-kind={statusChange.kind}>
            {t(`matches.kind.${statusChange.kind}` as MessageKey, { time: fmtDateTime(statusChange.at, lang) })}
          </p>
        )}
        {latestChange && (
          <div className="changes">
            <span className="muted">{t('matches.changedAt', { time: fmtDateTime(latestChange.at, lang) })}</span>
            <ul>
              {latestChange.fields.map((f) => <ChangeLine key={f.field} f={f} />)}
            </ul>
          </div>
        )}
        {sync?.status === 'failed' && sync.reason && <p className="note note-error">{sync.reason}</p>}
      </div>
    </li>
  );
}
