import { describe, expect, it } from 'vitest';
import { translate, translatePlural, type MessageKey, type PluralKey } from '../../shared/i18n';
import { syncSummary } from '../../renderer/src/sync-summary';
import { summarizeReport } from '../../electron/core/sync/calendar-sink';
import type { SyncReport } from '../../shared/api';

const report: SyncReport = { success: true, inserted: 0, updated: 0, deleted: 0, unchanged: 2, cancelled: 1, past: 3, failed: 0, held: 0, summary: '' };

describe('"Sync now" summary', () => {
  for (const lang of ['sv', 'en'] as const) {
    const t = { t: (k: MessageKey) => translate(lang, k), tn: (k: PluralKey, n: number) => translatePlural(lang, k, n) };
    it(`names a cancelled match and played matches apart from "up to date" (${lang})`, () => {
      const line = syncSummary(report, t);
      expect(line).toContain(lang === 'sv' ? '1 inställd (ingen händelse)' : '1 cancelled (no event)');
      expect(line).toContain(lang === 'sv' ? '2 redan aktuella' : '2 already up to date');
      expect(line).toContain(lang === 'sv' ? '3 spelade matcher lämnade som de är' : '3 played matches left as they are');
    });
  }
  it('the API summary says the same', () => {
    expect(summarizeReport(report)).toBe('0 added, 0 updated, 0 deleted, 0 failed, 1 cancelled (no event), 3 played (left as they are)');
  });
});
