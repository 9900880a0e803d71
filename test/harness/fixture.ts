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
