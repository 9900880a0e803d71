import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { registerSecret } from '../log';
import { writeFileAtomic } from './atomic-file';

/** The local API token: random on first run, kept with mode 0600 in the data directory. */
export async function loadOrCreateToken(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'http-token');
  try {
    const existing = (await fs.readFile(file, 'utf8')).trim();
    if (existing.length >= 32) {
      registerSecret(existing);
      return existing;
    }
  } catch {
    // Missing or unreadable: make a new one.
  }
  const token = randomBytes(32).toString('base64url');
  await writeFileAtomic(file, token + '\n', 0o600);
  registerSecret(token);
  return token;
}
