import { describe, expect, it } from 'vitest';
import { MessageLog } from '../../electron/core/monitor/message-log';
import { PreviewSlab, textOf } from '../../electron/core/monitor/preview-slab';

/** Previews of every kind the log meets: ASCII, Swedish, emoji (surrogate pairs), a cut pair. */
const samples = [
  '{"message_id": "a", "type": "processing_status"}',
  '{"venue": "Gamla Ullevi, Göteborg", "team": "Östers IF – Åtvidaberg"}',
  `{"note": "${'⚽'.repeat(40)} 🏟️🇸🇪 done"}`,
  `${'x'.repeat(4095)}\uD83C`, // a preview cut inside a surrogate pair: ends with a lone high surrogate
  '\uDC00 lone low surrogate first',
  'x'.repeat(4096),
  'ü'.repeat(4096),
  '',
];

function preview(i: number): string {
  const base = samples[i % samples.length]!;
  // Varied lengths so slab boundaries fall everywhere.
  return i % 3 === 0 ? base : `${i}:${base}`.slice(0, 4096);
}

describe('message log previews kept outside the JS heap', () => {
  it('PreviewSlab gives back exactly the text it kept', () => {
    const slab = new PreviewSlab();
    for (const s of samples) expect(textOf(slab.keep(s))).toBe(s);
  });

  it('a page returns every preview exactly as logged, also after many slabs were filled again', () => {
    const log = new MessageLog({ messageLog: 300, rejectedLog: 10 });
    const logged: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const entry = log.log('fogis:matches:updates', '2026-11-25T21:34:28.262Z', 'match_updates', `m${i}`, 100, preview(i));
      expect(entry.preview).toBe(preview(i));
      logged.push(entry.preview);
    }
    const seen: string[] = [];
    let before: number | undefined;
    for (;;) {
      const page = log.page(before === undefined ? { limit: 500 } : { limit: 500, before }, Date.now());
      seen.unshift(...page.entries.map((e) => e.preview));
      if (page.next === null) break;
      before = page.next;
    }
    expect(seen).toEqual(logged.slice(-300));
  });

  it('the slabs are filled again, not renewed: 100,000 previews of 4 KB in a 500-entry log use a bounded number', () => {
    const log = new MessageLog({ messageLog: 500, rejectedLog: 10 });
    const text = `{"matches": [${'"Göteborg", '.repeat(400)}`.slice(0, 4096);
    for (let i = 0; i < 100_000; i++) log.log('c', 'at', 'match_updates', null, 21_000, text);
    // 500 × ~4.5 KB is ~2.2 MB live: at most three slabs hold it, plus the one being filled and two spares.
    expect(log.previewSlabs).toBeLessThanOrEqual(6);
    const page = log.page({ limit: 1 }, Date.now());
    expect(page.entries[0]?.preview).toBe(text);
  });

  it('a smaller cap drops entries without releasing them: their slabs are not filled again while read', () => {
    const log = new MessageLog({ messageLog: 2000, rejectedLog: 10 });
    for (let i = 0; i < 2000; i++) log.log('c', 'at', 't', `m${i}`, 1, preview(i));
    log.resize({ messageLog: 50, rejectedLog: 10 });
    for (let i = 2000; i < 6000; i++) log.log('c', 'at', 't', `m${i}`, 1, preview(i));
    const page = log.page({ limit: 50 }, Date.now());
    expect(page.entries.map((e) => e.preview)).toEqual(Array.from({ length: 50 }, (_, k) => preview(5950 + k)));
  });
});
