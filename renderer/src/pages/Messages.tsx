import { useMemo, useState } from 'react';
import type { MessageLogEntry } from '../../../shared/state';
import { useApp } from '../context';
import { useT } from '../i18n';
import { useRovingList } from '../components/roving';
import { summarizeMessage } from '../message-summary';
import { fmtBytes, fmtDateTime, fmtNumber, fmtTimeSec, prettyJson } from '../format';
import { MESSAGE_BUFFER_CAP } from '../store';

/** Rendering thousands of rows freezes the page; show the newest ones that match. */
export const MAX_ROWS = 200;

export function Messages() {
  const { t, tn, tk, lang } = useT();
  const messages = useApp((s) => s.messages);
  const total = useApp((s) => s.messagesTotal);
  const heldBack = useApp((s) => s.heldBack);
  const paused = useApp((s) => s.inspectorPaused);
  const setPaused = useApp((s) => s.setInspectorPaused);
  const clear = useApp((s) => s.clearInspector);
  const older = useApp((s) => s.messagesOlder);
  const loadOlder = useApp((s) => s.loadOlderMessages);
  const byChannel = useApp((s) => s.snapshot!.counters.by_channel);
  const rejected = useApp((s) => s.snapshot!.rejected);
  const [channel, setChannel] = useState('');
  const [type, setType] = useState('');

  const channels = useMemo(
    () => [...new Set([...Object.keys(byChannel), ...messages.map((m) => m.channel)])].sort(),
    [byChannel, messages],
  );
  const types = useMemo(() => [...new Set(messages.map((m) => m.type))].sort(), [messages]);
  const matching = useMemo(
    () => messages.filter((m) => (!channel || m.channel === channel) && (!type || m.type === type)),
    [messages, channel, type],
  );
  const shown = matching.slice(-MAX_ROWS).reverse();
  const roving = useRovingList(useMemo(() => shown.map((m) => m.seq), [shown]));
  const rejectedRoving = useRovingList(useMemo(() => rejected.items.map((_, i) => i), [rejected.items]));

  return (
    <div className="stack">
      <div className="page-head">
        <h2>{t('messages.title')}</h2>
        <p className="muted" data-testid="messages-total">
          {t('messages.summary', {
            kept: fmtNumber(messages.length, lang),
            cap: fmtNumber(MESSAGE_BUFFER_CAP, lang),
            total: fmtNumber(total, lang),
          })}
        </p>
      </div>
      <div className="toolbar">
        <button type="button" className="btn" aria-pressed={paused} data-testid="inspector-pause" onClick={() => setPaused(!paused)}>
          {paused ? t('messages.resume') : t('messages.pause')}
        </button>
        <button type="button" className="btn" data-testid="inspector-clear" onClick={clear}>
          {t('messages.clear')}
        </button>
        <label>
          {t('messages.channel')}{' '}
          <select value={channel} onChange={(e) => setChannel(e.target.value)} data-testid="filter-channel">
            <option value="">{t('messages.allChannels')}</option>
            {channels.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
        <label>
          {t('messages.type')}{' '}
          <select value={type} onChange={(e) => setType(e.target.value)} data-testid="filter-type">
            <option value="">{t('messages.allTypes')}</option>
            {types.map((ty) => <option key={ty} value={ty}>{tk('msgtype.', ty)}</option>)}
          </select>
        </label>
      </div>
      {paused && (
        <p className="banner banner-info" role="status" data-testid="inspector-paused">
          {tn('messages.pausedNote', heldBack.length)}
        </p>
      )}
      {matching.length > MAX_ROWS && <p className="muted">{t('messages.showingNewest', { n: MAX_ROWS, of: fmtNumber(matching.length, lang) })}</p>}
      {shown.length === 0 && <p className="empty" data-testid="messages-empty">{t('messages.none')}</p>}
      <p id="msg-keys" className="sr-only">{t('messages.keysHint')}</p>
      <ul className="msg-list" data-testid="message-list" aria-label={t('messages.listLabel')} onKeyDown={roving.onKeyDown}>
        {shown.map((m) => (
          <MessageRow key={m.seq} m={m} tabIndex={roving.tabIndexFor(m.seq)} onFocus={roving.onItemFocus(m.seq)} />
        ))}
      </ul>

      {older !== null && (
        <button type="button" className="btn" data-testid="messages-older" onClick={() => void loadOlder()}>
          {t('messages.loadOlder')}
        </button>
      )}

      <section aria-labelledby="rej-h" className="rejected">
        <h3 id="rej-h">{t('rejected.title')}</h3>
        <p className="muted" data-testid="rejected-total">{t('rejected.summary', { kept: rejected.items.length, total: rejected.total })}</p>
        {rejected.items.length === 0 && <p className="empty">{t('rejected.none')}</p>}
        <ul className="msg-list" onKeyDown={rejectedRoving.onKeyDown}>
          {rejected.items.map((r, i) => (
            <li key={`${r.at}-${i}`} className="msg msg-rejected" data-testid="rejected-row" data-reason={r.reason}>
              <details>
                <summary data-roving tabIndex={rejectedRoving.tabIndexFor(i)} onFocus={rejectedRoving.onItemFocus(i)} aria-describedby="msg-keys">
                  <time dateTime={r.at}>{fmtDateTime(r.at, lang)}</time>
                  <span className="mono">{r.channel}</span>
                  <span className="badge sev-error">{tk('reject.', r.reason)}</span>
                  <span className="muted">{fmtBytes(r.bytes, lang)}</span>
                </summary>
                <p className="reason">{r.error}</p>
                <pre className="json">{r.head}</pre>
              </details>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

function MessageRow({ m, tabIndex, onFocus }: { m: MessageLogEntry; tabIndex: 0 | -1; onFocus: () => void }) {
  const { tk, t, tn, lang } = useT();
  const [open, setOpen] = useState(false);
  const fullMessage = useApp((s) => s.fullMessage);
  // Parsing the preview per render is cheap next to the 200-row cap; memo keeps it per entry.
  const sum = useMemo(() => summarizeMessage(m), [m]);
  return (
    <li className={sum.tone === 'error' ? 'msg msg-bad' : 'msg'} data-testid="message-row" data-channel={m.channel} data-type={m.type} data-status={sum.status ?? undefined}>
      <details
        onToggle={(e) => {
          const isOpen = e.currentTarget.open;
          setOpen(isOpen);
          // Live entries carry a shortened preview; the stored one is fetched when opened.
          if (isOpen && m.cut) void fullMessage(m.seq);
        }}
      >
        <summary data-roving tabIndex={tabIndex} onFocus={onFocus} aria-describedby="msg-keys">
          <time dateTime={m.at}>{fmtTimeSec(m.at, lang)}</time>
          <span className="badge">{tk('msgtype.', m.type)}</span>
          {sum.status && (
            <span className={`badge${sum.tone ? ` tone-${sum.tone}` : ''}`} data-testid="message-status">
              {tk('messages.status.', sum.status)}
            </span>
          )}
          {sum.matches !== null && <span data-testid="message-matches">{tn('matches.count', sum.matches)}</span>}
          {sum.text && <span className="msg-text" data-testid="message-text" lang="en">{sum.text}</span>}
          <span className="muted mono">{m.channel}</span>
          <span className="muted">{fmtBytes(m.bytes, lang)}</span>
        </summary>
        {m.messageId && <p className="muted mono">{t('messages.id')}: {m.messageId}</p>}
        {/* Pretty-printing big match lists is costly; only do it when opened. */}
        {open && <Pretty text={m.preview} cutNote={t('messages.preview')} />}
      </details>
    </li>
  );
}

function Pretty({ text, cutNote }: { text: string; cutNote: string }) {
  const p = prettyJson(text);
  return (
    <>
      {!p.ok && <p className="muted">{cutNote}</p>}
      <pre className="json" data-testid="message-json">{p.text}</pre>
    </>
  );
}
