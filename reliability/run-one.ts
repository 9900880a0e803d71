/**
 * Runs one scenario by id and writes its row as JSON: `node --import tsx reliability/run-one.ts
 * <id> <out.json>`. reliability/run.ts starts it in a process group of its own so a scenario
 * that overruns can be cancelled with everything it started.
 */
import { writeFileSync } from 'node:fs';
import { ALL } from './scenarios';

const [id, out] = process.argv.slice(2);
const def = ALL.find((d) => d.id === id);
if (!def || !out) {
  console.error(`usage: run-one.ts <id> <out.json>; ids: ${ALL.map((d) => d.id).join(', ')}`);
  process.exit(2);
}
// Every scenario's redis-server and app registers an exit handler (cleanup on a timeout).
process.setMaxListeners(200);
const row = await def.run();
writeFileSync(out, JSON.stringify(row));
// Exit now: a stray handle must not keep a finished scenario alive.
process.exit(0);
