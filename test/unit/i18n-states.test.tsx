// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { catalogues, translate, type MessageKey } from '../../shared/i18n';
import { en } from '../../shared/i18n/en';
import { sayReason, sayRef } from '../../shared/i18n/say';
import { STATUS_CODES, computeStatus } from '../../shared/status';
import { CONNECTION_REASON_CODES, FAILURE_CODES, connectionReason, failure, type FailureCode } from '../../shared/text-ref';
import { FIELD_ERROR_CODES } from '../../shared/field-error-codes';
import type { SyncReport } from '../../shared/api';
import { SUBSCRIBER_STATES, type Alert, type Cycle, type Snapshot } from '../../shared/state';
import { trayState } from '../../electron/desktop/tray-state';
import { TEXT } from '../../electron/desktop/text';
import { renderApp, snapshotAfterRun } from '../harness/renderer-fixture';
import { makeSnapshot } from '../harness/desktop-snapshot';

/**
 * Issue 14.1: a coordinator in Swedish never meets an English sentence from the app. Walks
 * every state the UI can show (connection states and reason codes, alert kinds, processor
 * states, calendar states) in both languages, through the real components and the tray, and
 * fails on an untranslated or mixed line.
 */
afterEach(cleanup);

/** English words that have no business in Swedish output (case-sensitive where short). */
const ENGLISH = [
  /\b(the|is|and|of|to|not|no|from|with|for|at|by)\b/,
  /\b(connection|connected|connecting|reconnecting|failed|failure|waiting|error|reason|attempt|unacknowledged|calendar|possibly|reported|everything|working|refused|found|received|since|next try|check|update[sd]?|pending|sign-in|paused|listening|stopped|disabled|cancelled|removed|settings|messages?|alerts?|match list|processor|answer|deletion|held back|out of date|last|none)\b/i,
];
/** Swedish words that must not show in English output. */
const SWEDISH = [/\b(och|är|inte|för|med|från|sedan|anslutningen|misslyckades|väntar|kalendern|larm|försök|matchlistan|processorn)\b/i, /[åäö]/i];

/** Texts from outside the app, shown as sent (a processor's message, names, addresses). */
const RAW = ['Match processing failed: FOGIS API client unreachable (harness-injected)', 'FOGIS login failed', 'ENOSPC', 'TimeoutError: the API did not answer'];

function offending(text: string, lang: 'sv' | 'en', allowed: readonly string[]): string[] {
  let rest = text;
  for (const a of [...RAW, ...allowed]) rest = rest.split(a).join(' ');
  // Team, venue and person names in the fixture are Swedish in both languages.
  if (lang === 'en') rest = rest.replace(/[A-ZÅÄÖ][\wåäöÅÄÖé.-]*(\s(IF|IK|IS|KIF|IP|BK|FF))?/g, (w) => (/[åäö]/i.test(w) ? ' ' : w));
  const deny = lang === 'sv' ? ENGLISH : SWEDISH;
  return rest
    .split(/\n|(?<=[.!?])\s+/)
    .map((l) => l.trim())
    .filter((l) => l && deny.some((re) => re.test(l)));
}

const SAMPLE_PARAMS = { detail: 'ENOSPC', ms: 2000, n: 2, attempt: 3, since: '2026-05-10T15:00:00.000Z', at: '2026-05-10T15:00:00.000Z', error: 'ENOSPC', dir: '/data', known: 5, title: 'Öckerö IF - Torslanda IK', reason: 'ENOSPC', message: 'FOGIS login failed', matches: 2, cancelled: 'Öckerö IF - Torslanda IK', removed: 'Öckerö IF - Torslanda IK', calendar: 'Google', found: 5, adopted: 2, updated: 1, deleted: 1, past: 1, otherTag: 0, name: 'Öckerö IF - Torslanda IK' };
const time = (): string => '17:00';
const FAIL_PARAMS = { detail: 'ENOSPC', ms: 3000, n: 2, status: 502, path: '/data/credentials.json' };
/** Names and values a failure text may carry in either language. */
const FAIL_ALLOWED = ['FOGIS Monitor', 'Redis', 'Google Cloud Console', 'Google', 'OAuth', 'credentials.json', '/data/credentials.json', 'HTTP', 'ENOSPC', '…/?token=…'];

/** The page's text, one text node a line (textContent would glue headings to values). */
function pageText(): string {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out: string[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) out.push(n.textContent ?? '');
  return out.join('\n');
}

describe('the catalogue', () => {
  it('sv has every key en has, none empty, none still English', () => {
    for (const key of Object.keys(en) as MessageKey[]) {
      expect(catalogues.sv[key], key).toBeTruthy();
      expect(catalogues.en[key], key).toBeTruthy();
    }
    const same = (Object.keys(en) as MessageKey[]).filter((k) => catalogues.sv[k] === en[k] && en[k] !== 'FOGIS Monitor' && /[a-z]{4,}\s[a-z]{3,}/i.test(en[k]));
    expect(same).toEqual([]);
  });

  it('every connection reason code has an sv and an en text, said without leftovers', () => {
    for (const code of CONNECTION_REASON_CODES) {
      expect(Object.hasOwn(en, `reason.${code}`), code).toBe(true);
      for (const lang of ['sv', 'en'] as const) {
        const line = sayRef(lang, connectionReason(code, { detail: 'ENOSPC', ms: 2000 }), { time, hint: true });
        expect(line, `${lang} ${code}`).not.toMatch(/[{}]|reason\./);
        expect(offending(line, lang, ['Sentinel', 'TLS', 'PING', 'Redis']), `${lang} ${code}: ${line}`).toEqual([]);
      }
    }
  });

  it('every status code is said in both languages', () => {
    for (const code of STATUS_CODES) {
      for (const lang of ['sv', 'en'] as const) {
        const line = sayReason(lang, { code, params: SAMPLE_PARAMS, cause: null }, { time });
        expect(line, `${lang} ${code}`).not.toMatch(/[{}]|^status\./);
        expect(offending(line, lang, ['Redis', 'FOGIS', 'Öckerö IF - Torslanda IK']), `${lang} ${code}: ${line}`).toEqual([]);
      }
    }
  });

  it('every failure code (fail.*) is said in both languages, and nothing the app says is missing from the list', () => {
    for (const code of FAILURE_CODES) {
      expect(Object.hasOwn(en, `fail.${code}`) || Object.hasOwn(en, `fail.${code}.one`), code).toBe(true);
      for (const lang of ['sv', 'en'] as const) {
        const line = sayRef(lang, failure(code, FAIL_PARAMS), { time, hint: true });
        expect(line, `${lang} ${code}`).not.toMatch(/[{}]|fail\./);
        expect(offending(line, lang, FAIL_ALLOWED), `${lang} ${code}: ${line}`).toEqual([]);
      }
    }
    const listed = new Set<string>(FAILURE_CODES);
    const orphans = Object.keys(en).filter((k) => k.startsWith('fail.')).map((k) => k.replace(/^fail\./, '').replace(/\.(one|other)$/, '')).filter((c) => !listed.has(c));
    expect(orphans).toEqual([]);
  });

  it('every settings problem code the server can produce has an sv and an en text', () => {
    for (const code of FIELD_ERROR_CODES) {
      expect(Object.hasOwn(en, `err.${code}`), code).toBe(true);
      for (const lang of ['sv', 'en'] as const) {
        const line = translate(lang, `err.${code}` as MessageKey, { variable: 'REDIS_URL' });
        expect(offending(line, lang, ['Redis', 'REDIS_URL', 'Europe/Stockholm', 'redis://host:6379', 'rediss://', '%2F', '%3F', '%23', '%25', 'primary']), `${lang} ${code}: ${line}`).toEqual([]);
      }
    }
  });

  it('every app alert text is said in both languages', () => {
    for (const key of Object.keys(en).filter((k) => k.startsWith('appAlert.'))) {
      for (const lang of ['sv', 'en'] as const) {
        const line = sayRef(lang, { key, params: SAMPLE_PARAMS }, { time });
        expect(line, key).not.toMatch(/[{}]/);
        expect(offending(line, lang, ['Google', 'Öckerö IF - Torslanda IK', '/data']), `${lang} ${key}: ${line}`).toEqual([]);
      }
    }
  });
});

/** One snapshot per state the UI can show. */
function states(): Array<[string, Snapshot]> {
  const out: Array<[string, Snapshot]> = [];
  const base = (): Snapshot => snapshotAfterRun();
  const withStatus = (s: Snapshot): Snapshot => ({ ...s, status: computeStatus(s) });
  const ago = (ms: number): string => new Date(Date.parse(base().now) - ms).toISOString();
  for (const state of SUBSCRIBER_STATES) {
    for (const code of CONNECTION_REASON_CODES) {
      const s = base();
      s.connection = { ...s.connection, state, subscribed: state === 'subscribed', connected: state === 'subscribed', stateSince: ago(120_000), reason: 'English text', reasonCode: connectionReason(code, { detail: 'ENOSPC', ms: 2000 }), attempt: 6, nextRetryAt: ago(-8_000) };
      out.push([`${state}/${code}`, withStatus(s)]);
    }
  }
  const stale = base();
  stale.connection = { ...stale.connection, possiblyStale: true, staleSince: ago(60_000) };
  out.push(['stale', withStatus(stale)]);
  const failed: Cycle = { status: 'failed', at: ago(30_000), details: { error_message: 'FOGIS login failed' }, messageId: 'f1' };
  for (const acked of [false, true]) {
    const s = base();
    s.processor = { ...s.processor, last: failed, lastFailed: failed, cycles: 3 };
    s.alerts = { ...s.alerts, items: s.alerts.items.map((a) => ({ ...a, acknowledged: acked })) };
    out.push([`processor failed, ${acked ? '' : 'not '}acknowledged`, withStatus(s)]);
  }
  for (const status of ['started', 'completed'] as const) {
    const s = base();
    const c: Cycle = { status, at: ago(10_000), details: {}, messageId: 'c' };
    s.processor = { ...s.processor, last: c, ...(status === 'completed' ? { lastCompleted: c, lastDurationMs: 1500 } : { lastStarted: c }), cycles: 2 };
    out.push([`processor ${status}`, withStatus(s)]);
  }
  const appAlerts: Alert[] = Object.keys(en)
    .filter((k) => k.startsWith('appAlert.'))
    .map((key, i) => ({ id: `app${i}`, source: 'app', alertType: key, severity: i === 0 ? 'error' : 'warning', message: 'English text', at: ago(1000 * i), details: {}, acknowledged: false, text: { key, params: SAMPLE_PARAMS } }));
  const alerts = base();
  alerts.alerts = { items: [...alerts.alerts.items, ...appAlerts], total: appAlerts.length + 1, cap: 500 };
  out.push(['app alerts', withStatus(alerts)]);
  for (const cal of [{ failed: 2, pending: 1, heldDeletions: 3 }, { backend: 'google' as const, status: 'sign-in needed', signedIn: false }, { backend: 'google' as const, status: 'error: ENOSPC' }]) {
    const s = base();
    s.calendar = { ...s.calendar, ...cal };
    out.push([`calendar ${JSON.stringify(cal)}`, withStatus(s)]);
  }
  const hist = base();
  hist.history = {
    ...hist.history,
    uptimePercent: 97.5,
    watchedMs: 3_600_000,
    outages: CONNECTION_REASON_CODES.map((code, i) => ({ start: ago(100_000 + i * 1000), end: i === 0 ? null : ago(99_000 + i * 1000), reason: connectionReason(code, { detail: 'ENOSPC', ms: 2000 }) })),
    outagesTotal: CONNECTION_REASON_CODES.length + 5,
    failedCycles: [{ at: ago(5000), ok: false, error: 'FOGIS login failed' }],
    cycles: { completed: 10, failed: 3 },
  };
  out.push(['history', withStatus(hist)]);
  const storage = base();
  storage.storageError = 'ENOSPC';
  out.push(['storage', withStatus(storage)]);
  return out;
}

const ALLOWED_UI = ['FOGIS Monitor', 'Redis', 'Svenska', 'English', 'Sentinel', 'TLS', 'PING', 'Google', 'OK', 'Info', 'FOGIS', 'English text'];

describe.each(['sv', 'en'] as const)('every state in %s', (lang) => {
  it('the overview and the alerts page have no line in the other language', async () => {
    const problems: string[] = [];
    for (const [name, s] of states()) {
      s.config = { ...s.config, ui: { ...s.config.ui, language: lang } };
      const { bridge } = renderApp(s, { lang: lang === 'sv' ? 'sv-SE' : 'en-GB' });
      await screen.findByTestId('overall-status');
      const endpoints = [bridge.snapshot.connection.endpoint, ...bridge.snapshot.connection.channels, ...Object.keys(bridge.snapshot.counters.by_channel)];
      const overview = pageText();
      await act(async () => fireEvent.click(screen.getByTestId('tab-alerts')));
      const alertsPage = pageText();
      for (const line of offending(`${overview}\n${alertsPage}`, lang, [...ALLOWED_UI, ...endpoints])) problems.push(`${name}: ${line}`);
      cleanup();
    }
    expect([...new Set(problems)].slice(0, 20)).toEqual([]);
  }, 120_000);

  it('the tray tooltip of every state speaks the language', () => {
    const problems: string[] = [];
    for (const [name, s] of states()) {
      const snap = makeSnapshot({ connection: s.connection, alerts: s.alerts.items, calendar: s.calendar, processor: s.processor, storageError: s.storageError });
      const r = trayState(snap, { lang });
      for (const line of offending(r.tooltip, lang, [TEXT[lang].app, 'Redis', 'English text', 'Sentinel', 'TLS', 'PING'])) problems.push(`${name}: ${line}`);
    }
    expect(problems).toEqual([]);
  });
});

/** A failed Sync now with each code the core or the page's bridge can give it. */
function failedSync(code: FailureCode): SyncReport {
  const failed = code === 'writesFailed' ? 2 : 0;
  return { success: false, inserted: 0, updated: 1, deleted: 0, unchanged: 0, failed, held: 0, summary: 'English summary', error: 'English error', errorCode: failure(code, FAIL_PARAMS) };
}

describe.each(['sv', 'en'] as const)('every failed action in %s', (lang) => {
  const allowed = [...ALLOWED_UI, ...FAIL_ALLOWED];
  const setup = async () => {
    const s = snapshotAfterRun();
    s.config = { ...s.config, ui: { ...s.config.ui, language: lang }, calendar: { ...s.config.calendar, backend: 'google' } };
    s.calendar = { ...s.calendar, backend: 'google', signedIn: false, status: 'sign-in needed' };
    const r = renderApp(s, { lang: lang === 'sv' ? 'sv-SE' : 'en-GB' });
    await screen.findByTestId('overall-status');
    return r;
  };

  it('Reconnect, Pause, Test connection and Sync now: every failure code and connection reason is said, never the English error', async () => {
    const { bridge } = await setup();
    const problems: string[] = [];
    const refs = [...FAILURE_CODES.map((c) => failure(c, FAIL_PARAMS)), ...CONNECTION_REASON_CODES.map((c) => connectionReason(c, { detail: 'ENOSPC', ms: 2000 }))];
    for (const ref of refs) {
      const answer = { success: false, message: 'English message', error: 'English error', errorCode: ref };
      bridge.answers.restartSubscription = answer;
      bridge.answers.setPaused = answer;
      bridge.nextTest = { success: false, ping_ms: null, pubsub_roundtrip_ms: null, error: 'English error', errorCode: ref };
      for (const id of ['restart-subscription', 'pause-listening', 'test-connection']) {
        await act(async () => fireEvent.click(screen.getByTestId(id)));
        const note = await screen.findByTestId('connection-note');
        await waitFor(() => expect(note.textContent).not.toBe(''));
        const text = note.textContent ?? '';
        if (text.includes('English')) problems.push(`${id} ${ref.key}: ${text}`);
        for (const line of offending(text, lang, allowed)) problems.push(`${id} ${ref.key}: ${line}`);
      }
    }
    for (const code of FAILURE_CODES) {
      bridge.nextSync = failedSync(code);
      await act(async () => fireEvent.click(screen.getByTestId('sync-now')));
      const result = await screen.findByTestId('sync-result');
      await waitFor(() => expect(result.dataset.success).toBe('false'));
      const text = result.textContent ?? '';
      if (text.includes('English')) problems.push(`sync ${code}: ${text}`);
      for (const line of offending(text, lang, allowed)) problems.push(`sync ${code}: ${line}`);
    }
    expect(problems.slice(0, 20)).toEqual([]);
  }, 120_000);

  it('Settings: a refused save with each field code, and a failed Google sign-in, are said in the language', async () => {
    const { bridge } = await setup();
    const problems: string[] = [];
    await act(async () => fireEvent.click(screen.getByTestId('tab-settings')));
    let port = 8100;
    for (const code of FIELD_ERROR_CODES) {
      bridge.answers.updateConfig = {
        success: false,
        error: 'Some settings are not valid; nothing was changed.',
        errors: [{ path: 'http.port', message: 'English field message', code, params: { min: '1024', max: '65535' }, variable: 'MONITOR_HTTP_PORT' }],
        errorCode: failure('invalidSettings'),
      };
      fireEvent.change(screen.getByTestId('setting-http.port'), { target: { value: String(port++) } });
      await act(async () => fireEvent.click(screen.getByTestId('settings-save')));
      await waitFor(() => expect(screen.getByTestId('settings-result').dataset.result).toBe('rejected'));
      const text = `${screen.getByTestId('settings-result').textContent}\n${screen.getByTestId('field-error-http.port').textContent}`;
      if (text.includes('English') || text.includes('nothing was changed') !== (lang === 'en')) problems.push(`save ${code}: ${text}`);
      for (const line of offending(text, lang, [...allowed, 'MONITOR_HTTP_PORT'])) problems.push(`save ${code}: ${line}`);
    }
    // A field problem without a code is the server's English: only an English page shows it.
    bridge.answers.updateConfig = { success: false, error: 'x', errors: [{ path: 'http.port', message: 'English field message' }] };
    fireEvent.change(screen.getByTestId('setting-http.port'), { target: { value: String(port++) } });
    await act(async () => fireEvent.click(screen.getByTestId('settings-save')));
    await waitFor(() => expect(screen.getByTestId('field-error-http.port').textContent).toBe(lang === 'en' ? 'English field message' : translate('sv', 'err.invalid')));
    for (const code of FAILURE_CODES.filter((c) => c.startsWith('google') || c === 'notGoogle' || c === 'notSignedIn' || c === 'other')) {
      bridge.answers.googleSignIn = { success: false, error: 'English error', errorCode: failure(code, FAIL_PARAMS) };
      await act(async () => fireEvent.click(screen.getByTestId('google-signin')));
      const text = (await screen.findByTestId('google-note')).textContent ?? '';
      if (text.includes('English') || text === '') problems.push(`google ${code}: ${text}`);
      for (const line of offending(text, lang, allowed)) problems.push(`google ${code}: ${line}`);
    }
    // A sign-in that finished at once says so, not "started".
    bridge.answers.googleSignIn = { success: true, message: 'Signed in', text: { key: 'settings.google.signedInNote', params: {} } };
    await act(async () => fireEvent.click(screen.getByTestId('google-signin')));
    await waitFor(() => expect(screen.getByTestId('google-note').textContent).toBe(translate(lang, 'settings.google.signedInNote')));
    bridge.answers.googleSignIn = { success: true, message: 'Sign-in started' };
    await act(async () => fireEvent.click(screen.getByTestId('google-signin')));
    await waitFor(() => expect(screen.getByTestId('google-note').textContent).toBe(translate(lang, 'settings.google.signInStarted')));
    expect(problems.slice(0, 20)).toEqual([]);
  }, 120_000);
});
