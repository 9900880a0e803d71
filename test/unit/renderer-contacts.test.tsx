// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { deriveContacts } from '../../electron/core/contacts/contacts-from-matches';
import { emptyContactsState } from '../../shared/contacts';
import { contactMatchesQuery, matchFilterOf } from '../../renderer/src/pages/Contacts';
import { fixtureFacts, renderApp, snapshotAfterFirstList } from '../harness/renderer-fixture';

afterEach(cleanup);

const book = () => deriveContacts(fixtureFacts().lists[0]!, { ownRefereeNumber: '' });

function setup(lang = 'en-GB') {
  const s = snapshotAfterFirstList();
  const contacts = book().contacts;
  s.contacts = { ...emptyContactsState(), total: contacts.length, referees: 4, teamContacts: 3, updatedAt: new Date().toISOString() };
  return renderApp(s, { lang, contacts: { contacts, updatedAt: s.contacts.updatedAt } });
}

describe('contact search', () => {
  const anna = book().contacts.find((c) => c.refereeNumber === '61001')!;
  it.each([
    ['anna', true],
    ['EKSTRÖM', true],
    ['anna ekström', true],
    ['torslanda', true], // a team of her match
    ['61001', true],
    ['0701-234567', true],
    ['070 123 45 67', true],
    ['+46701234567', true],
    ['234567', true],
    ['björn', false],
    ['0702', false],
    ['', true],
  ])('%j → %s', (q, want) => expect(contactMatchesQuery(anna, q)).toBe(want));

  it('reads the match filter of the hash', () => {
    expect(matchFilterOf('match:6400101')).toBe('6400101');
    expect(matchFilterOf(null)).toBeNull();
    expect(matchFilterOf('other')).toBeNull();
  });
});

describe('Contacts page', () => {
  it('lists people with role, tel: and mailto: links; search narrows the list; the empty state speaks', async () => {
    const { bridge } = setup();
    fireEvent.click(await screen.findByTestId('tab-contacts'));
    await waitFor(() => expect(screen.getAllByTestId('contact-row')).toHaveLength(7));
    expect(bridge.calls.some((c) => c.method === 'getContacts')).toBe(true);
    const first = screen.getAllByTestId('contact-row')[0]!;
    expect(within(first).getByTestId('contact-name').textContent).toBe('Anna Ekström');
    expect(within(first).getByTestId('contact-tel').getAttribute('href')).toBe('tel:+46701234567');
    expect(within(first).getByTestId('contact-mail').getAttribute('href')).toBe('mailto:anna.ekstrom@example.se');
    fireEvent.change(screen.getByTestId('contacts-search'), { target: { value: 'carin' } });
    expect(screen.getAllByTestId('contact-row').map((r) => r.dataset.key)).toEqual(['team:2830101']);
    fireEvent.change(screen.getByTestId('contacts-search'), { target: { value: 'zzz' } });
    expect(screen.getByTestId('contacts-empty').textContent).toBe('No one matches the search.');
  });

  it('Swedish, and the Google status from the snapshot, updated live', async () => {
    const { bridge } = setup('sv-SE');
    fireEvent.click(await screen.findByTestId('tab-contacts'));
    expect(screen.getByTestId('tab-contacts').textContent).toBe('Kontakter');
    await waitFor(() => expect(screen.getAllByTestId('contact-row')).toHaveLength(7));
    expect(within(screen.getAllByTestId('contact-row')[0]!).getByTestId('contact-tel').getAttribute('aria-label')).toBe('+46701234567: ring Anna Ekström');
    act(() => bridge.patch({ contacts: { ...bridge.snapshot.contacts, google: { enabled: true, status: 'permission needed', reason: null, pending: 4, failed: 0, lastSyncAt: null, counters: { created: 0 } } } }));
    expect(screen.getByTestId('contacts-google').textContent).toContain('Behörighet till Kontakter saknas');
    expect(screen.getByTestId('contacts-google').textContent).toContain('4 väntar');
  });

  it('Settings: with Google Contacts on but no permission, a sign-in button that asks the core to sign in', async () => {
    const { bridge } = setup();
    fireEvent.click(await screen.findByTestId('tab-settings'));
    await screen.findByTestId('settings-contacts');
    act(() => bridge.patch({ contacts: { ...bridge.snapshot.contacts, google: { enabled: true, status: 'permission needed', reason: null, pending: 0, failed: 0, lastSyncAt: null, counters: {} } } }));
    expect(screen.getByTestId('contacts-google-settings').textContent).toContain('Permission for Contacts is missing');
    fireEvent.click(screen.getByTestId('contacts-google-signin'));
    await waitFor(() => expect(bridge.calls.some((c) => c.method === 'googleSignIn')).toBe(true));
  });

  it('from a match row, one click filters to that match', async () => {
    setup();
    fireEvent.click(await screen.findByTestId('tab-matches'));
    const link = screen.getAllByTestId('match-contacts')[1]!;
    expect(link.getAttribute('href')).toBe('#contacts/match:6400102');
    window.location.hash = 'contacts/match:6400102';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    await waitFor(() => expect(screen.getAllByTestId('contact-row').map((r) => r.dataset.key)).toEqual(['ref:61003', 'team:2830103']));
    expect(screen.getByTestId('contacts-match-filter').textContent).toContain('Kärra KIF - Lerums IS');
  });
});
