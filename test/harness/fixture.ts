import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';

export interface FixtureLine {
  channel: string;
  raw: string;
}

export function loadFixture(name = 'processor-run-default.jsonl'): FixtureLine[] {
  const file = path.join(import.meta.dirname, '..', 'fixtures', name);
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as FixtureLine);
}

const DAY_MS = 86_400_000;
/** 52 weeks: the same weekday, the same season (so the same Stockholm UTC offset) a year on. */
const FIXTURE_YEAR_MS = 364 * DAY_MS;

/**
 * The recorded run with its kickoffs moved into the future, for tests whose app runs on the
 * real clock. The recording's matches are from November and December 2026; once they are
 * played, the calendar sync rightly treats them as history (never changed or deleted, DESIGN
 * rule 10) and the deletion guard counts fewer upcoming matches, so the scenario the tests
 * replay would no longer be the one recorded. Every kickoff (`tid`, `speldatum`,
 * `tidsangivelse`, the dates in change details) moves by whole 52-week steps until the first
 * one is at least two days ahead of `nowMs`; the message timestamps stay as recorded.
 * While the recorded dates are still ahead, the lines are returned unchanged.
 */
export function liveFixture(name = 'processor-run-default.jsonl', nowMs = Date.now()): FixtureLine[] {
  const lines = loadFixture(name);
  const kickoffs = lines.flatMap((l) => [...l.raw.matchAll(/\/Date\((\d{10,})\)\//g)].map((m) => Number(m[1])));
  const first = Math.min(...kickoffs);
  const years = Math.max(0, Math.ceil((nowMs + 2 * DAY_MS - first) / FIXTURE_YEAR_MS));
  return years === 0 ? lines : lines.map((l) => ({ ...l, raw: shiftKickoffs(l.raw, years * FIXTURE_YEAR_MS) }));
}

function shiftKickoffs(raw: string, shiftMs: number): string {
  return raw
    .replace(/\/Date\((\d{10,})\)\//g, (_m, ms: string) => `/Date(${Number(ms) + shiftMs})/`)
    .replace(/(\d{4}-\d{2}-\d{2})(?![\dT])/g, (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + shiftMs).toISOString().slice(0, 10));
}

/**
 * The fixture's 8 scenario steps (fixtures/README.md): each step is the messages of one
 * processor cycle, which starts with a `processing_status` `started`.
 */
export function fixtureSteps(lines = loadFixture()): FixtureLine[][] {
  const steps: FixtureLine[][] = [];
  for (const line of lines) {
    const started = line.raw.includes('"type": "processing_status"') && line.raw.includes('"status": "started"');
    if (started || steps.length === 0) steps.push([]);
    steps[steps.length - 1]?.push(line);
  }
  return steps;
}

/** Publishes the raw bytes as recorded, through a real PUBLISH. Returns the receiver counts. */
export async function publishLines(url: string, lines: FixtureLine[]): Promise<number[]> {
  const pub = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await pub.connect();
  try {
    const out: number[] = [];
    for (const l of lines) out.push(await pub.publish(l.channel, l.raw));
    return out;
  } finally {
    pub.disconnect();
  }
}
