import { describe, expect, it } from 'vitest';
import { SyncStore } from '../../electron/core/sync/sync-store';
import type { MatchRecord } from '../../electron/core/sync/types';

/**
 * The calendar state file's text (issue 12): records keep their JSON texts between saves, so
 * a record is replaced, never changed in place; the text is JSON.stringify's byte for byte.
 */

function record(i: number, over: Partial<MatchRecord> = {}): MatchRecord {
  return {
    matchId: String(7_000_000 + i),
    present: true,
    eventId: `ev-${i}`,
    calendarHash: `h${i}`,
    renderKey: `r${i}`,
    sourceKey: `s${i}`,
    summary: `Lag ${i} – Lag ${i + 1} "åäö" 😀`,
    snapshot: { kickoff: '2026-11-30T15:00:00.000Z', venue: `Arena ${i}`, home: 'A', away: 'B', competition: 'Div 1', matchnr: String(i), cancelled: false, postponed: false, referees: { domare: 'X' } },
    lastChange: i % 2 ? { at: '2026-11-30T10:00:00.000Z', what: 'venue' } : null,
    title: `match ${i}`,
    updatedAt: '2026-11-30T10:00:00.000Z',
    endMs: 1_796_000_000_000 + i,
    ...over,
  };
}

describe('sync store: the state file text', () => {
  it('is JSON.stringify(serialize()) byte for byte, before and after records are replaced and removed', () => {
    const store = new SyncStore();
    expect(store.serializedText().join('')).toBe(JSON.stringify(store.serialize()));
    for (let i = 0; i < 300; i++) store.records.set(String(7_000_000 + i), record(i));
    store.outbox.put({ key: '7000001', matchId: '7000001', kind: 'delete', reason: 'removed', event: null, renderKey: null, sourceKey: null, snapshot: null, lastChange: null, title: 'x', eventId: 'ev-1' }, 1_000);
    store.held = [{ matchId: '7000002', reason: 'removed', title: 'y' }];
    store.failures.set('7000003', { sourceKey: 's3', reason: 'bad', at: '2026-11-30T10:00:00.000Z', title: 'z' });
    store.counters.inserted = 300;
    store.lastSyncAt = '2026-11-30T10:00:00.000Z';
    expect(store.serializedText().join('')).toBe(JSON.stringify(store.serialize()));
    // A change is a new record: the next text has it (no stale cached text).
    store.records.set('7000005', { ...store.records.get('7000005')!, present: false, sourceKey: null });
    store.records.delete('7000006');
    const text = store.serializedText().join('');
    expect(text).toBe(JSON.stringify(store.serialize()));
    expect(JSON.parse(text).records.find((r: MatchRecord) => r.matchId === '7000005')).toMatchObject({ present: false, sourceKey: null });
  });

  it('refuses a record changed in place (its saved text would go stale)', () => {
    const store = new SyncStore();
    store.records.set('1', record(1));
    const rec = store.records.get('1')!;
    expect(() => {
      (rec as { present: boolean }).present = false;
    }).toThrow(TypeError);
    expect(store.records.get('1')!.present).toBe(true);
  });
});
