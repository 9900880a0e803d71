import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FogisMatch } from '../../shared/messages';
import { createCalendarSink, type FullCalendarSink } from '../../electron/core/sync';
import { APP_TEXT_END, APP_TEXT_START } from '../../electron/core/sync/description';
import { startFakeCalendarServer, type FakeCalendarServer } from '../harness/fake-calendar-server';
import { fastRetry, fixtureLists, listInput, MemorySecretStore, signedInStore, testConfig, testContext } from '../harness/calendar-helpers';

/** The coordinator's text survives every update (DESIGN rule 10), in Google and in the ICS file. */

const T0 = Date.parse('2031-03-01T12:00:00Z');
const clock = (): number => T0;
let fake: FakeCalendarServer;
let dir: string;
const sinks: FullCalendarSink[] = [];
beforeEach(async () => {
  fake = await startFakeCalendarServer();
  dir = mkdtempSync(path.join(tmpdir(), 'cal-notes-'));
});
afterEach(async () => {
  for (const s of sinks.splice(0)) await s.stop();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const A: FogisMatch = { ...structuredClone(fixtureLists()[0]![0]!), matchid: 9400001, tid: `/Date(${T0 + 48 * 3_600_000})/` };
const moved: FogisMatch = { ...A, tid: `/Date(${T0 + 49 * 3_600_000})/` };
const BEFORE = 'Samling 16:15 vid grind 3\n';
const AFTER = 'Min anteckning: ta med flaggor.\nKörsträcka 42 km';

async function feed(sink: FullCalendarSink, list: FogisMatch[]): Promise<void> {
  sink.onMatchList(listInput(list));
  expect(await sink.drain(5000)).toBe(true);
}

describe("the coordinator's text", () => {
  it('Google: notes before and after our part survive a kickoff change; our part is replaced', async () => {
    const sink = createCalendarSink(testConfig({ backend: 'google' }), testContext(dir), { secretStore: signedInStore(), googleRootUrl: fake.rootUrl, tokenUrl: fake.tokenUrl, tokenImportPath: null, retry: fastRetry, saveDelayMs: 10, clock });
    sinks.push(sink);
    await sink.start();
    await feed(sink, [A]);
    const ev = fake.liveEvents()[0]!;
    const startBefore = ev.start?.dateTime;
    expect(ev.description!.startsWith(`${APP_TEXT_START}\n`)).toBe(true);
    expect(ev.description!.endsWith(`${APP_TEXT_END}\n`)).toBe(true);
    // The coordinator edits the event in Google Calendar: a note above, one below, a colour.
    ev.description = BEFORE + ev.description + AFTER;
    ev.colorId = '5';
    await feed(sink, [moved]);
    const after = fake.liveEvents()[0]!;
    expect(after.start?.dateTime).not.toBe(startBefore);
    expect(after.description!.startsWith(BEFORE + APP_TEXT_START)).toBe(true);
    expect(after.description!.endsWith(`${APP_TEXT_END}\n${AFTER}`)).toBe(true);
    expect(after.description).toMatch(/Last changed .*: kickoff /);
    expect(after.colorId).toBe('5');
    // And again: nothing is duplicated around our part.
    await feed(sink, [A]);
    const third = fake.liveEvents()[0]!.description!;
    expect(third.split(APP_TEXT_START)).toHaveLength(2);
    expect(third.startsWith(BEFORE) && third.endsWith(AFTER)).toBe(true);
  });

  it('ICS: text outside our part of a stored event survives an update and reaches the file', async () => {
    const make = async (): Promise<FullCalendarSink> => {
      const s = createCalendarSink(testConfig({}), testContext(dir), { secretStore: new MemorySecretStore(), tokenImportPath: null, saveDelayMs: 10, clock });
      sinks.push(s);
      await s.start();
      return s;
    };
    const first = await make();
    await feed(first, [A]);
    sinks.splice(sinks.indexOf(first), 1);
    await first.stop();
    // An edited (or imported) event store: the coordinator's note after our part.
    const storeFile = path.join(dir, 'calendar-ics-events.json');
    const store = JSON.parse(readFileSync(storeFile, 'utf8')) as { events: Array<{ description: string }> };
    store.events[0]!.description += AFTER;
    writeFileSync(storeFile, JSON.stringify(store));
    const second = await make();
    await feed(second, [moved]);
    const ics = readFileSync(path.join(dir, 'calendar.ics'), 'utf8').replace(/\r\n /g, '');
    expect(ics).toContain('Min anteckning: ta med flaggor.\\nKörsträcka 42 km');
    expect(ics).toMatch(/Last changed .*: kickoff /);
  });
});
