import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../shared/config';
import { createMemoryLogger } from '../../electron/core/log';
import { BoundedList, RecentIds } from '../../electron/core/monitor/bounded-list';
import { Monitor } from '../../electron/core/monitor/monitor';
import { RecordingSink } from '../harness/recording-sink';
import { tempDir } from '../harness/app';
import { loadFixture } from '../harness/fixture';

function monitor(limits: Record<string, number> = {}, dataDir = tempDir()) {
  const config = configSchema.parse({ limits });
  const sink = new RecordingSink();
  const log = createMemoryLogger();
  return { m: new Monitor(config, { log, dataDir, sink }), sink, log, dataDir };
}

const statusMsg = (i: number, status = 'started') =>
  JSON.stringify({ message_id: `id-${i}`, timestamp: '2026-11-25T21:34:28.255338Z', source: 'match-list-processor', version: '1.0', type: 'processing_status', payload: { status, details: {} } });
const alertMsg = (i: number) =>
  JSON.stringify({ message_id: `a-${i}`, timestamp: '2026-11-25T21:34:28Z', source: 'match-list-processor', version: '1.0', type: 'system_alert', payload: { alert_type: 'processing_error', severity: 'error', message: `boom ${i}`, details: {} } });

describe('bounded buffers (every cap has a total)', () => {
  it('BoundedList keeps the newest cap items and counts all', () => {
    const l = new BoundedList<number>(3);
    for (let i = 1; i <= 10; i++) l.push(i);
    expect(l.toArray()).toEqual([8, 9, 10]);
    expect(l.newest(2)).toEqual([10, 9]);
    expect(l.total).toBe(10);
    l.resize(2);
    expect(l.toArray()).toEqual([9, 10]);
    expect(l.total).toBe(10);
  });

  it('RecentIds forgets ids beyond its window', () => {
    const r = new RecentIds(2);
    expect(r.seen('a')).toBe(false);
    expect(r.seen('a')).toBe(true);
    r.seen('b');
    r.seen('c');
    expect(r.seen('a')).toBe(false);
  });

  it('message log: capped at limits.messageLog with the total', () => {
    const { m } = monitor({ messageLog: 10 });
    for (let i = 0; i < 25; i++) m.ingest('fogis:processor:status', Buffer.from(statusMsg(i)));
    const log = m.messages();
    expect(log.entries).toHaveLength(10);
    expect(log.total).toBe(25);
    expect(log.entries.at(-1)?.messageId).toBe('id-24');
  });

  it('alert list: capped at limits.alertLog with the total', () => {
    const { m } = monitor({ alertLog: 10 });
    for (let i = 0; i < 30; i++) m.ingest('fogis:system:alerts', Buffer.from(alertMsg(i)));
    const a = m.snapshot().alerts;
    expect(a.items).toHaveLength(10);
    expect(a.total).toBe(30);
    expect(a.items[0]?.message).toBe('boom 29');
  });

  it('rejected list: capped at limits.rejectedLog, counted by reason, first 2 KB kept', () => {
    const { m } = monitor({ rejectedLog: 10 });
    for (let i = 0; i < 15; i++) m.ingest('fogis:matches:updates', Buffer.from(`{broken ${'x'.repeat(5000)}`));
    m.ingest('fogis:matches:updates', Buffer.from('[]'));
    const s = m.snapshot();
    expect(s.rejected.items).toHaveLength(10);
    expect(s.rejected.total).toBe(16);
    expect(s.counters.rejected_by_reason.invalid_json).toBe(15);
    expect(s.counters.rejected_by_reason.not_object).toBe(1);
    expect(s.counters.errors).toBe(16);
    expect(s.rejected.items[1]?.head.length).toBe(2048);
    expect(s.counters.messages_processed).toBe(0);
  });

  it('payload cap: limits come from redis.maxMessageBytes', () => {
    const config = configSchema.parse({ redis: { maxMessageBytes: 1024 } });
    const m = new Monitor(config, { log: createMemoryLogger(), dataDir: tempDir(), sink: new RecordingSink() });
    m.ingest('c', Buffer.from(statusMsg(1).replace('"details": {}', `"details": {"pad": "${'y'.repeat(2000)}"}`).replace('"details":{}', `"details":{"pad":"${'y'.repeat(2000)}"}`)));
    expect(m.snapshot().counters.rejected_by_reason.oversize).toBe(1);
  });

  it('duplicate window: limits.duplicateWindow message ids', () => {
    const { m } = monitor({ duplicateWindow: 10 });
    m.ingest('c', Buffer.from(statusMsg(0)));
    m.ingest('c', Buffer.from(statusMsg(0)));
    expect(m.snapshot().counters.duplicates).toBe(1);
    for (let i = 1; i <= 10; i++) m.ingest('c', Buffer.from(statusMsg(i)));
    m.ingest('c', Buffer.from(statusMsg(0)));
    expect(m.snapshot().counters.duplicates).toBe(1);
  });

  it('change history: capped at limits.changeHistory with the total', () => {
    const { m } = monitor({ changeHistory: 10 });
    const base = JSON.parse(loadFixture().find((l) => l.channel === 'fogis:matches:updates')?.raw ?? '{}') as { message_id: string; payload: { matches: Array<Record<string, unknown>> } };
    for (let i = 0; i < 6; i++) {
      const msg = structuredClone(base);
      msg.message_id = `m-${i}`;
      msg.payload.matches = msg.payload.matches.map((x) => ({ ...x, anlaggningnamn: `Venue ${i}` }));
      m.ingest('fogis:matches:updates', Buffer.from(JSON.stringify(msg)));
    }
    const s = m.snapshot().matches;
    expect(s.history).toHaveLength(10);
    expect(s.historyTotal).toBe(3 + 5 * 3);
  });

  it('a started without completed is a normal cycle, not an alert (Q4)', () => {
    const { m } = monitor();
    m.ingest('c', Buffer.from(statusMsg(1)));
    const s = m.snapshot();
    expect(s.processor.last?.status).toBe('started');
    expect(s.alerts.total).toBe(0);
  });
});

describe('persistence', () => {
  it('restores matches, history, alerts and counters after a restart', async () => {
    const dir = tempDir();
    const a = monitor({}, dir);
    for (const l of loadFixture()) a.m.ingest(l.channel, Buffer.from(l.raw));
    await a.m.flush();
    const b = monitor({}, dir);
    await b.m.restore(dir);
    const s = b.m.snapshot();
    expect(s.matches.list).toHaveLength(2);
    expect(s.matches.historyTotal).toBe(a.m.snapshot().matches.historyTotal);
    expect(s.alerts.total).toBe(1);
    expect(s.counters.messages_received).toBe(20);
    // What was published while we were down is unknown: possibly stale until the next list.
    expect(s.connection.possiblyStale).toBe(true);
  });

  it('a corrupt state file is moved aside with a warning and the app starts clean', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'state.json'), '{"version": 1, "matches": [trunc');
    const { m, log } = monitor({}, dir);
    await m.restore(dir);
    expect(m.snapshot().matches.list).toEqual([]);
    expect(readdirSync(dir).some((f) => f.startsWith('state.json.corrupt-'))).toBe(true);
    expect(log.lines.join('\n')).toMatch(/state\.json was unreadable/);
    expect(m.snapshot().alerts.items[0]?.alertType).toBe('state_file_corrupt');
  });

  it('a state file of the wrong shape is moved aside too', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ version: 99 }));
    const { m } = monitor({}, dir);
    await m.restore(dir);
    expect(readdirSync(dir).some((f) => f.startsWith('state.json.corrupt-'))).toBe(true);
  });

  it('writes state atomically (no temp files left, valid JSON)', async () => {
    const dir = tempDir();
    const { m } = monitor({}, dir);
    for (const l of loadFixture()) m.ingest(l.channel, Buffer.from(l.raw));
    await m.flush();
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(() => JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8'))).not.toThrow();
  });

  it('an unwritable data directory is a clear error state, not a crash', async () => {
    const dir = path.join(tempDir(), 'file-not-dir');
    writeFileSync(dir, 'x');
    const { m } = monitor({}, dir);
    for (const l of loadFixture().slice(0, 3)) m.ingest(l.channel, Buffer.from(l.raw));
    await m.flush();
    expect(m.snapshot().storageError).toMatch(/cannot save state\.json/);
  });
});
