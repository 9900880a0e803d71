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
}

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
      if (file.enc === 'plain') return Buffer.from(file.data, 'base64').toString('utf8');
      try {
        const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(Buffer.from(file.data, 'base64'));
        // The OS rotated the key: store it again so the old key can go.
        if (shouldReEncrypt) await store.set(name, result);
        return result;
      } catch (err) {
        // Typically a keyring that was reset: the secret is lost, the user signs in again.
        opts.log.warn('desktop', `[secrets] ${name}: cannot decrypt (${String(err)}); treated as absent`);
        return null;
      }
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
  return store;
}
