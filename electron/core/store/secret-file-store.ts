import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SecretStore } from '../core-api';
import { registerSecret } from '../log';
import { writeFileAtomic } from './atomic-file';

/**
 * Headless secret store: one JSON file, mode 0600, written atomically. Not encrypted (there
 * is no keyring headless), which `warning` says so the UI can tell the user.
 */
export class FileSecretStore implements SecretStore {
  readonly kind = 'file' as const;
  readonly warning = 'secrets are stored unencrypted in a file readable only by your user';
  private cache: Record<string, string> | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {}

  static inDataDir(dataDir: string): FileSecretStore {
    return new FileSecretStore(path.join(dataDir, 'secrets.json'));
  }

  private async load(): Promise<Record<string, string>> {
    if (this.cache) return this.cache;
    try {
      const parsed: unknown = JSON.parse(await fs.readFile(this.file, 'utf8'));
      const out: Record<string, string> = {};
      if (parsed && typeof parsed === 'object') {
        for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
      }
      this.cache = out;
    } catch {
      this.cache = {};
    }
    return this.cache;
  }

  async get(name: string): Promise<string | null> {
    await this.chain;
    const v = (await this.load())[name] ?? null;
    registerSecret(v);
    return v;
  }

  set(name: string, value: string): Promise<void> {
    registerSecret(value);
    return this.mutate((all) => {
      all[name] = value;
    });
  }

  delete(name: string): Promise<void> {
    return this.mutate((all) => {
      delete all[name];
    });
  }

  private mutate(fn: (all: Record<string, string>) => void): Promise<void> {
    const run = this.chain.then(async () => {
      const all = { ...(await this.load()) };
      fn(all);
      await writeFileAtomic(this.file, JSON.stringify(all, null, 2), 0o600);
      // rename keeps the temp file's mode; chmod covers a umask that widened nothing but be sure.
      await fs.chmod(this.file, 0o600).catch(() => undefined);
      this.cache = all;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
