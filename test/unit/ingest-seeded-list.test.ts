import { afterEach, describe, expect, it, vi } from 'vitest';
import { IngestProcessor } from '../../electron/core/ingest/ingest-processor';
import type { IngestOutcome } from '../../electron/core/ingest/ingest-protocol';
import type { FogisMatch } from '../../shared/messages';
import { loadFixture } from '../harness/fixture';

/**
 * Issue 12: a list read in proportion to its change needs the bytes of the list in force. A
 * seeded list (restored from disk, a new worker after a restart) has none; when the next list
 * was the same list again, its objects stayed and so did the missing bytes, and every later
 * copy of that list was parsed whole. The same list after a seed now brings its bytes.
 */

const raw = loadFixture().find((l) => l.channel === 'fogis:matches:updates')?.raw ?? '{}';
type Msg = { message_id: string; timestamp: string; payload: { matches: FogisMatch[] } };
const template = JSON.parse(raw) as Msg;
const NOW = Date.parse(template.timestamp);

/** The fixture's list with the change report left out: the matches are most of its bytes. */
function message(id: string): Uint8Array {
  return Buffer.from(JSON.stringify({ ...template, message_id: id, payload: { ...template.payload, detailed_changes: [] } }));
}

function send(p: IngestProcessor, bytes: Uint8Array): IngestOutcome {
  return p.process({ seq: 1, channel: 'fogis:matches:updates', receivedMs: NOW, at: new Date(NOW).toISOString(), bytes });
}

afterEach(() => vi.restoreAllMocks());

describe('ingest: a seeded list', () => {
  it('the same list after a seed brings its bytes: the copies after it are not parsed whole', () => {
    expect(template.payload.matches.length).toBeGreaterThan(1);
    const p = new IngestProcessor({ maxMessageBytes: 16 * 1024 * 1024, timeZone: 'Europe/Stockholm', duplicateWindow: 100 }, true);
    p.seed(structuredClone(template.payload.matches));
    const first = send(p, message('a'));
    expect(first.kind === 'match_updates' && first.delta?.changes).toEqual([]);
    const parse = vi.spyOn(JSON, 'parse');
    const bytes = message('b');
    const second = send(p, bytes);
    expect(second.kind === 'match_updates' && second.delta?.upserts).toEqual([]);
    // The message's text is not parsed whole: its matches are taken from the list in force by their bytes.
    const text = Buffer.from(bytes).toString('utf8');
    expect(parse.mock.calls.some(([t]) => String(t).length >= text.length * 0.9)).toBe(false);
  });
});
