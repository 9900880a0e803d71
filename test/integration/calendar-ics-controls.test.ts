import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ICAL from 'ical.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { FogisMatch } from '../../shared/messages';
import { createCalendarSink, type FullCalendarSink } from '../../electron/core/sync';
import { escapeText } from '../../electron/core/sync/ics-writer';
import { fixtureLists, listInput, MemorySecretStore, testConfig, testContext } from '../harness/calendar-helpers';

/** Issue 9 finding 8: control characters from names went raw into calendar.ics. */

const dirs: string[] = [];
const sinks: FullCalendarSink[] = [];
afterEach(async () => {
  for (const s of sinks.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// Every C0 control, DEL, plus the characters RFC 5545 escapes.
const ALL_C0 = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\u007f';
const HOSTILE = `Öckerö${ALL_C0}IF; a,b\\c`;

describe('ICS output: control characters in names', () => {
  it('escapeText drops every C0 control but tab, escapes line breaks and keeps the text', () => {
    expect(escapeText('A\u0000B\u0007C\u000bD\u000cE\u001bF\u007fG')).toBe('ABCDEFG');
    expect(escapeText('tab\there')).toBe('tab\there');
    expect(escapeText('one\r\ntwo\nthree\rfour')).toBe('one\\ntwo\\nthree\\nfour');
    expect(escapeText(HOSTILE)).toBe('Öckerö\t\\n\\nIF\\; a\\,b\\\\c');
  });

  it('a list whose team, venue, competition and referee names carry controls writes a file ical.js reads back', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cal-ctl-'));
    dirs.push(dir);
    const sink = createCalendarSink(testConfig(), testContext(dir), { secretStore: new MemorySecretStore(), tokenImportPath: null, saveDelayMs: 10 });
    sinks.push(sink);
    await sink.start();
    const list = structuredClone(fixtureLists()[0] ?? []) as FogisMatch[];
    const m = list[0] as FogisMatch;
    m.lag1namn = HOSTILE;
    m.anlaggningnamn = `Hönö\u0000IP\u000c`;
    m.tavlingnamn = `Div\u00074`;
    const ref = m.domaruppdraglista?.[0];
    if (ref) ref.personnamn = `Anna\u000bEkström`;
    sink.onMatchList(listInput(list));
    expect(await sink.drain(5000)).toBe(true);
    const text = readFileSync(path.join(dir, 'calendar.ics'), 'utf8');
    // No forbidden control anywhere in the file: only CRLF line ends and tabs remain.
    // eslint-disable-next-line no-control-regex
    expect(text.replace(/\r\n/g, '').match(/[\u0000-\u0008\u000a-\u001f\u007f]/g)).toBeNull();
    const comp = new ICAL.Component(ICAL.parse(text));
    const events = comp.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events).toHaveLength(list.length);
    const e = events.find((x) => x.summary.startsWith('Öckerö'));
    expect(e?.summary).toBe(`Öckerö\t\n\nIF; a,b\\c - ${m.lag2namn}`);
    expect(e?.location).toBe('HönöIP');
    expect(e?.description).toContain('Div4');
    expect(e?.description).toContain('AnnaEkström');
  });
});
