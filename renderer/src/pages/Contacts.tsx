import { useEffect, useMemo, useState } from 'react';
import type { Contact, ContactsResponse } from '../../../shared/contacts';
import { useApp, useBridge } from '../context';
import { useT, type MessageKey } from '../i18n';
import { fmtDate, fmtDateTime, fmtTime } from '../format';
import { useNow } from '../useNow';

/** A match this long after kickoff is no longer "upcoming" (it may still be played). */
const PLAYING_MS = 3 * 3600_000;

const fold = (s: string): string => s.normalize('NFC').toLocaleLowerCase('sv-SE');
const digits = (s: string): string => s.replace(/\D/g, '');

/**
 * Name, team, referee number, or a phone number in any form: "070-123 45 67" finds
 * +46701234567 because both are compared as digits with the leading 0 / 46 dropped.
 */
export function contactMatchesQuery(c: Contact, query: string): boolean {
  const q = fold(query.trim());
  if (!q) return true;
  const words = q.split(/\s+/);
  const hay = fold([c.name, ...c.teams, c.refereeNumber ?? '', c.email ?? '', ...c.matches.map((m) => m.title)].join(' '));
  if (words.every((w) => hay.includes(w))) return true;
  const qd = digits(q).replace(/^(0046|46|0)/, '');
  if (qd.length < 3) return false;
  const phone = digits(c.phone ?? '').replace(/^46/, '');
  return phone.includes(qd) || (c.refereeNumber ?? '').includes(qd);
}

/** `#contacts/match:6400101` shows one match's people (the link from Matches). */
export function matchFilterOf(item: string | null): string | null {
  return item?.startsWith('match:') ? item.slice('match:'.length) : null;
}

export function Contacts({ item }: { item: string | null }) {
  const { t, tn, lang } = useT();
  const bridge = useBridge();
  const state = useApp((s) => s.snapshot!.contacts);
  const [data, setData] = useState<ContactsResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [matchId, setMatchId] = useState<string | null>(() => matchFilterOf(item));
  const now = useNow(60_000);

  useEffect(() => setMatchId(matchFilterOf(item)), [item]);

  // Fetched again whenever the core derived a new phonebook.
  useEffect(() => {
    let live = true;
    bridge.getContacts().then(
      (r) => {
        if (!live) return;
        setData(r);
        setError(null);
      },
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [bridge, state.updatedAt, state.total]);

  const contacts = useMemo(() => data?.contacts ?? [], [data]);
  const matchTitle = matchId ? contacts.flatMap((c) => c.matches).find((m) => m.matchId === matchId)?.title ?? matchId : null;
  const visible = useMemo(
    () => contacts.filter((c) => (!matchId || c.matches.some((m) => m.matchId === matchId)) && contactMatchesQuery(c, query)),
    [contacts, matchId, query],
  );

  return (
    <div className="stack">
      <div className="page-head">
        <h2>{t('contacts.title')}</h2>
        <p className="muted" data-testid="contacts-count">
          {tn('contacts.count', state.total)}
          {state.updatedAt && ` · ${t('contacts.updated', { time: fmtDateTime(state.updatedAt, lang) })}`}
        </p>
      </div>
      <p className="muted">{t('contacts.intro')}</p>
      <ContactsStatus />
      <div className="toolbar">
        <label className="contacts-search">
          <span className="sr-only">{t('contacts.search')}</span>
          <input type="search" value={query} placeholder={t('contacts.search')} aria-label={t('contacts.search')} data-testid="contacts-search" onChange={(e) => setQuery(e.target.value)} />
        </label>
      </div>
      {matchId && (
        <p className="contacts-filter" data-testid="contacts-match-filter" data-match-id={matchId}>
          {t('contacts.forMatch', { title: matchTitle ?? matchId })}{' '}
          <a
            className="btn btn-small"
            href="#contacts"
            data-testid="contacts-show-all"
            onClick={() => setMatchId(null)}
          >
            {t('contacts.showAll')}
          </a>
        </p>
      )}
      {error && <p className="note note-error" role="alert" data-testid="contacts-error">{t('contacts.loadFailed', { error })}</p>}
      {data && contacts.length === 0 && <p className="empty" data-testid="contacts-empty">{t('contacts.none')}</p>}
      {data && contacts.length > 0 && visible.length === 0 && <p className="empty" data-testid="contacts-empty">{t('contacts.noneMatching')}</p>}
      <ul className="contact-list" aria-label={t('contacts.listLabel')} data-testid="contact-list">
        {visible.map((c) => <ContactRow key={c.key} c={c} now={now} />)}
      </ul>
    </div>
  );
}

function ContactsStatus() {
  const { t, tn } = useT();
  const bridge = useBridge();
  const s = useApp((x) => x.snapshot!.contacts);
  const g = s.google;
  const n = (k: string): number => g.counters[k] ?? 0;
  return (
    <div className="card contacts-status" data-testid="contacts-status">
      <dl className="facts small">
        <dt>vCard</dt>
        <dd>
          {bridge.kind === 'http' ? (
            <a href="contacts.vcf" download="fogis-contacts.vcf" data-testid="contacts-download">{t('contacts.download')}</a>
          ) : (
            <span>{t('contacts.vcardFile')}</span>
          )}
          <span className="help"> {t('contacts.vcardHelp')}</span>
          {s.vcard.error && <span className="note note-error" role="alert">{t('contacts.vcardError', { error: s.vcard.error })}</span>}
        </dd>
        <dt>{t('contacts.google.title')}</dt>
        <dd data-testid="contacts-google" data-status={g.status}>
          {t(`contacts.google.status.${g.status}` as MessageKey)}
          {/* Only Google's own words (what it answered); every other status is said above. */}
          {g.reason && (g.status === 'retrying' || g.status === 'error') && <span className="muted"> ({g.reason})</span>}
          {g.enabled && <div className="muted">{t('contacts.google.counts', { created: n('created'), updated: n('updated'), pending: g.pending, failed: g.failed })}</div>}
        </dd>
      </dl>
      {(s.skippedOwn > 0 || s.skippedProtected > 0) && (
        <p className="muted small" data-testid="contacts-skipped">
          {s.skippedOwn > 0 && `${t('contacts.skippedOwn')} `}
          {s.skippedProtected > 0 && tn('contacts.skippedProtected', s.skippedProtected)}
        </p>
      )}
    </div>
  );
}

function ContactRow({ c, now }: { c: Contact; now: number }) {
  const { t, lang } = useT();
  const [copied, setCopied] = useState<'ok' | 'failed' | null>(null);
  const upcoming = c.matches.filter((m) => m.kickoff !== null && Date.parse(m.kickoff) >= now - PLAYING_MS);
  const copy = async (value: string): Promise<void> => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('ok');
    } catch {
      setCopied('failed');
    }
  };
  const role = c.kind === 'referee' ? c.roleNames.join(', ') : c.teams.join(', ');
  return (
    <li className="card contact" data-testid="contact-row" data-key={c.key} data-kind={c.kind}>
      <div className="contact-head">
        <strong data-testid="contact-name">{c.name}</strong>
        <span className="badge">{t(`contacts.kind.${c.kind}` as MessageKey)}</span>
        {role && <span className="muted" data-testid="contact-role">{role}</span>}
        {c.refereeNumber && <span className="muted">{t('contacts.refereeNumber', { nr: c.refereeNumber })}</span>}
      </div>
      <div className="contact-actions">
        {c.phone ? (
          <>
            <a className="btn btn-small" href={`tel:${c.phone}`} data-testid="contact-tel" aria-label={t('contacts.call', { name: c.name, number: c.phone })}>
              {c.phone}
            </a>
            <button type="button" className="btn btn-small btn-ghost" data-testid="contact-copy" aria-label={t('contacts.copyLabel', { name: c.name })} onClick={() => void copy(c.phone!)}>
              {t('contacts.copy')}
            </button>
          </>
        ) : (
          <span className="muted">{t('contacts.noPhone')}</span>
        )}
        {c.email && (
          <a className="btn btn-small" href={`mailto:${c.email}`} data-testid="contact-mail" aria-label={t('contacts.mail', { name: c.name, email: c.email })}>
            {c.email}
          </a>
        )}
        <span role="status" className="muted small">
          {copied === 'ok' && t('contacts.copied', { value: c.phone ?? '' })}
          {copied === 'failed' && t('contacts.copyFailed')}
        </span>
      </div>
      {upcoming.length > 0 ? (
        <ul className="contact-matches" aria-label={t('contacts.upcoming')}>
          {upcoming.map((m) => (
            <li key={`${m.matchId}-${m.role}`} data-testid="contact-match">
              <a href={`#matches/${encodeURIComponent(m.matchId)}`}>
                {fmtDate(m.kickoff!, lang)} {fmtTime(m.kickoff!, lang)} · {m.title}
              </a>
              {c.kind === 'referee' && m.role && <span className="role"> {m.role}</span>}
              {m.cancelled && <span className="badge badge-cancelled"> {t('contacts.cancelled')}</span>}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">{t('contacts.noUpcoming')}</p>
      )}
    </li>
  );
}
