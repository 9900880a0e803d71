import { safeStorage } from 'electron';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { SecretStore } from '../core/core-api';
import type { Logger } from '../core/log';
import { writeFileAtomic } from '../core/store/atomic-file';

/**
 * Secrets (Google refresh token, the local API token) encrypted with Electron's safeStorage,
 * one 0600 file each under `<userData>/secrets/`. keytar is archived upstream and VS Code
 * moved to safeStorage for the same reason (microsoft/vscode#185677).
 *
 * Uses the async API: the sync one is deprecated in Electron 45 and removed in 46.
 */

/** Linux without kwallet/libsecret: Chromium encrypts with a fixed, public key. */
export const WARN_BASIC_TEXT =
  'No keyring found (GNOME Keyring or KWallet): secrets are stored with a fixed key that offers no real protection. Install and unlock a keyring, then sign in again.';
export const WARN_UNAVAILABLE =
  'The system offers no encryption for secrets: they are stored unencrypted in a file only your user account can read.';

const NAME_RE = /^[A-Za-z0-9._-]{1,64}$/;

interface SecretFile {
  v: 1;
  /** `plain` only when encryption was unavailable when it was written. */
  enc: 'safeStorage' | 'plain';
  data: string;
}

function parseSecretFile(text: string): SecretFile | null {
  try {
    const raw: unknown = JSON.parse(text);
    if (typeof raw !== 'object' || raw === null) return null;
    const r = raw as Record<string, unknown>;
    if (r.v !== 1 || (r.enc !== 'safeStorage' && r.enc !== 'plain') || typeof r.data !== 'string') return null;
    return { v: 1, enc: r.enc, data: r.data };
  } catch {
    return null;
  }
}

export interface SafeStorageSecretStoreOptions {
  dir: string;
  log: Logger;
  platform?: NodeJS.Platform;
  /**
   * Waits before each retry of a failed decryption. A keyring that is still unlocking at
   * login, or busy, fails for a moment; only when every try fails is the secret given up.
   * @default [250, 1000, 3000]
   */
  retryDelaysMs?: readonly number[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function createSafeStorageSecretStore(opts: SafeStorageSecretStoreOptions): Promise<SecretStore> {
  const platform = opts.platform ?? process.platform;
  let available = false;
  try {
    available = await safeStorage.isAsyncEncryptionAvailable();
  } catch (err) {
    opts.log.warn('desktop', `safeStorage check failed: ${String(err)}`);
  }
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null;
  const warning = !available ? WARN_UNAVAILABLE : backend === 'basic_text' ? WARN_BASIC_TEXT : null;
  if (warning) opts.log.warn('desktop', `[secrets] ${warning}`);
  else opts.log.info('desktop', `[secrets] safeStorage ready${backend ? ` (${backend})` : ''}`);

  const fileOf = (name: string): string => {
    if (!NAME_RE.test(name)) throw new Error(`invalid secret name: ${JSON.stringify(name)}`);
    return path.join(opts.dir, `${name}.secret`);
  };

  const retryDelays = opts.retryDelaysMs ?? [250, 1000, 3000];

  async function decryptWithRetry(name: string, data: Buffer): Promise<{ result: string; shouldReEncrypt: boolean } | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await safeStorage.decryptStringAsync(data);
      } catch (err) {
        const wait = retryDelays[attempt];
        if (wait === undefined) {
          // Typically a keyring that was reset. The file stays: if the keyring comes back, a
          // later read still works; otherwise the user signs in again, which overwrites it.
          opts.log.warn('desktop', `[secrets] ${name}: cannot decrypt after ${attempt + 1} tries (${String(err)}); treated as absent`);
          return null;
        }
        opts.log.warn('desktop', `[secrets] ${name}: decrypt failed (${String(err)}); trying again in ${wait} ms`);
        await sleep(wait);
      }
    }
  }

  const store: SecretStore = {
    kind: 'safeStorage',
    warning,
    async get(name) {
      let text: string;
      try {
        text = await fs.readFile(fileOf(name), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      const file = parseSecretFile(text);
      if (!file) {
        opts.log.warn('desktop', `[secrets] ${name}: unreadable file ignored`);
        return null;
      }
      if (file.enc === 'plain') {
        const value = Buffer.from(file.data, 'base64').toString('utf8');
        if (available) await reEncrypt(name, value);
        return value;
      }
      const decrypted = await decryptWithRetry(name, Buffer.from(file.data, 'base64'));
      if (!decrypted) return null;
      // The OS rotated the key: store it again so the old key can go.
      if (decrypted.shouldReEncrypt) await reEncrypt(name, decrypted.result);
      return decrypted.result;
    },
    async set(name, value) {
      const file = fileOf(name);
      await fs.mkdir(opts.dir, { recursive: true, mode: 0o700 });
      const body: SecretFile = available
        ? { v: 1, enc: 'safeStorage', data: (await safeStorage.encryptStringAsync(value)).toString('base64') }
        : { v: 1, enc: 'plain', data: Buffer.from(value, 'utf8').toString('base64') };
      await writeFileAtomic(file, JSON.stringify(body), 0o600);
    },
    async delete(name) {
      await fs.rm(fileOf(name), { force: true });
    },
  };

  /** Best effort: a failure leaves the readable old file in place. */
  async function reEncrypt(name: string, value: string): Promise<boolean> {
    try {
      await store.set(name, value);
      return true;
    } catch (err) {
      opts.log.warn('desktop', `[secrets] ${name}: cannot re-encrypt (${String(err)}); left as it was`);
      return false;
    }
  }

  // Secrets written while encryption was unavailable (no keyring at that login) are
  // encrypted now that it is, instead of staying plain on disk for good.
  if (available) {
    let names: string[] = [];
    try {
      names = (await fs.readdir(opts.dir)).filter((f) => f.endsWith('.secret')).map((f) => f.slice(0, -'.secret'.length)).filter((n) => NAME_RE.test(n));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') opts.log.warn('desktop', `[secrets] cannot list ${opts.dir}: ${String(err)}`);
    }
    let count = 0;
    for (const name of names) {
      let file: SecretFile | null = null;
      try {
        file = parseSecretFile(await fs.readFile(fileOf(name), 'utf8'));
      } catch {
        file = null;
      }
      if (file?.enc !== 'plain') continue;
      if (await reEncrypt(name, Buffer.from(file.data, 'base64').toString('utf8'))) count++;
    }
    if (count > 0) opts.log.info('desktop', `[secrets] encrypted ${count} secret${count === 1 ? '' : 's'} stored unencrypted before`);
  }
  return store;
}
