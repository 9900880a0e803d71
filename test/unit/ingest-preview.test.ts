import { describe, expect, it } from 'vitest';
import { PREVIEW_CHARS, previewFromText, previewOf } from '../../electron/core/ingest/ingest-processor';
import { isValidUtf8, utf8Text } from '../../electron/core/messages/raw-scan';
import { prng } from '../harness/prng';

/**
 * The message log's preview is cut from the text the gate decoded instead of decoding the
 * bytes again (issue 12). It must be the very string the byte decode gave: ASCII, Swedish
 * letters, 3-byte characters and surrogate pairs, with and without a BOM, around both edges
 * (PREVIEW_CHARS characters, PREVIEW_CHARS * 2 bytes).
 */

const PIECES = ['a', '{"k": 1}', 'å', 'Ö', '€', '😀', '\\"', ' '];

describe('message preview from the decoded text', () => {
  it('equals the preview decoded from the bytes, for 3,000 texts around both edges', () => {
    const r = prng(12);
    for (let n = 0; n < 3000; n++) {
      // Lengths cluster around the edges: ~4096 characters, ~8192 bytes, and short ones.
      const target = [50, PREVIEW_CHARS, PREVIEW_CHARS * 2, PREVIEW_CHARS * 3][n % 4]! + Math.floor(r() * 40) - 20;
      // Mostly ASCII, mixed, or mostly 3-byte characters (4096 of them do not fit in 8192 bytes).
      const weights = [
        [0.9, 0.02, 0.02, 0.02, 0.02, 0.02],
        [0.3, 0.1, 0.2, 0.1, 0.2, 0.1],
        [0.05, 0.05, 0.05, 0.05, 0.75, 0.05],
      ][n % 3]!;
      let text = '';
      // The byte count is kept as the text grows: measuring the whole text each time made
      // this loop quadratic (over a minute on a loaded machine).
      let bytes = 0;
      while (bytes < target) {
        let x = r();
        let i = 0;
        while (i < weights.length - 1 && x > weights[i]!) x -= weights[i++]!;
        const piece = PIECES[i + (i >= 5 ? Math.floor(r() * 3) : 0)]!;
        text += piece;
        bytes += Buffer.byteLength(piece);
      }
      const raw = n % 5 === 0 ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]) : Buffer.from(text);
      expect(isValidUtf8(raw)).toBe(true);
      const got = previewFromText(raw, utf8Text(raw));
      if (got !== previewOf(raw)) expect({ n, bytes: raw.length, got: got.slice(-8) }).toEqual({ n, bytes: raw.length, got: previewOf(raw).slice(-8) });
    }
  });

  it('a surrogate pair cut by the character limit at the end of the byte window', () => {
    // 4095 characters in 8189 bytes (2047 × 3 + 2048 × 1), then a 4-byte character: the cut
    // ends inside the pair, whose bytes reach past the 8192-byte window.
    const text = `${'€'.repeat(2047)}${'a'.repeat(2048)}😀${'b'.repeat(100)}`;
    const raw = Buffer.from(text);
    expect(Buffer.byteLength(text.slice(0, 4095))).toBe(8189);
    expect(previewFromText(raw, utf8Text(raw))).toBe(previewOf(raw));
  });

  it('a message of 4-byte characters past the window falls back to decoding the window', () => {
    const raw = Buffer.from('😀'.repeat(3000));
    expect(previewFromText(raw, utf8Text(raw))).toBe(previewOf(raw));
    expect(previewOf(raw).length).toBeLessThanOrEqual(PREVIEW_CHARS);
  });
});
