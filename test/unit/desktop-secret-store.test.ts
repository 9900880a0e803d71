import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../harness/fake-electron'));

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fake } from '../harness/fake-electron';
import { createMemoryLogger } from '../../electron/core/log';
import { createSafeStorageSecretStore, WARN_BASIC_TEXT, WARN_UNAVAILABLE } from '../../electron/desktop/secret-store';

describe('safeStorage secret store', () => {
  let dir: string;
  beforeEach(() => {
    fake.reset();
    dir = mkdtempSync(path.join(os.tmpdir(), 'fogis-secrets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores ciphertext in a 0600 file and reads it back', async () => {
    const log = createMemoryLogger();
    const store = await createSafeStorageSecretStore({ dir, log, platform: 'linux' });
    expect(store.kind).toBe('safeStorage');
    expect(store.warning).toBeNull();
    expect(log.lines.join('\n')).toContain('safeStorage ready (gnome_libsecret)');
    await store.set('google-refresh-token', '1//secret-token-value');
    const file = path.join(dir, 'google-refresh-token.secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const raw = readFileSync(file, 'utf8');
    expect(raw).not.toContain('secret-token-value');
    expect(JSON.parse(raw)).toMatchObject({ v: 1, enc: 'safeStorage' });
    expect(await store.get('google-refresh-token')).toBe('1//secret-token-value');
    await store.delete('google-refresh-token');
    expect(await store.get('google-refresh-token')).toBeNull();
    await store.delete('google-refresh-token');
  });

  it('warns when Linux has no keyring (basic_text backend)', async () => {
    fake.safeStorage.backend = 'basic_text';
    const log = createMemoryLogger();
    const store = await createSafeStorageSecretStore({ dir, log, platform: 'linux' });
    expect(store.warning).toBe(WARN_BASIC_TEXT);
    expect(log.lines.some((l) => l.startsWith('warn') && l.includes('No keyring found'))).toBe(true);
  });

  it('does not ask for a Linux backend elsewhere', async () => {
    fake.safeStorage.backend = 'basic_text';
    const store = await createSafeStorageSecretStore({ dir, log: createMemoryLogger(), platform: 'darwin' });
    expect(store.warning).toBeNull();
  });

  it('warns and falls back to a private plain file when encryption is unavailable', async () => {
    fake.safeStorage.available = false;
    const log = createMemoryLogger();
    const store = await createSafeStorageSecretStore({ dir, log, platform: 'win32' });
    expect(store.warning).toBe(WARN_UNAVAILABLE);
    await store.set('api-token', 'abc123');
    const file = path.join(dir, 'api-token.secret');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ enc: 'plain' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await store.get('api-token')).toBe('abc123');
  });

  it('treats an undecryptable or corrupt file as absent, with a warning', async () => {
    const log = createMemoryLogger();
    const store = await createSafeStorageSecretStore({ dir, log, platform: 'linux', retryDelaysMs: [1, 1] });
    writeFileSync(path.join(dir, 'a.secret'), JSON.stringify({ v: 1, enc: 'safeStorage', data: Buffer.from('garbage').toString('base64') }));
    writeFileSync(path.join(dir, 'b.secret'), 'not json');
    expect(await store.get('a')).toBeNull();
    expect(await store.get('b')).toBeNull();
    // a: two retries, then given up; b: unreadable at once (no keyring involved).
    expect(log.lines.filter((l) => l.startsWith('warn') && l.includes('a: decrypt failed'))).toHaveLength(2);
    expect(log.lines.filter((l) => l.startsWith('warn') && l.includes('a: cannot decrypt after 3 tries'))).toHaveLength(1);
    expect(log.lines.filter((l) => l.startsWith('warn') && l.includes('b: unreadable'))).toHaveLength(1);
    // The file stays, so a keyring that comes back later still yields the secret.
    expect(existsSync(path.join(dir, 'a.secret'))).toBe(true);
  });

  it('re-encrypts when the OS rotated the key', async () => {
    const store = await createSafeStorageSecretStore({ dir, log: createMemoryLogger(), platform: 'linux' });
    await store.set('t', 'v');
    const spy = vi.spyOn(fake.safeStorage, 'encryptStringAsync');
    fake.safeStorage.reEncrypt = true;
    expect(await store.get('t')).toBe('v');
    expect(spy).toHaveBeenCalledWith('v');
  });

  it('refuses names that could escape the directory', async () => {
    const store = await createSafeStorageSecretStore({ dir, log: createMemoryLogger(), platform: 'linux' });
    await expect(store.set('../evil', 'x')).rejects.toThrow(/invalid secret name/);
    await expect(store.get('a/b')).rejects.toThrow(/invalid secret name/);
  });

  it('retries a passing keyring error instead of losing the secret', async () => {
    const log = createMemoryLogger();
    const store = await createSafeStorageSecretStore({ dir, log, platform: 'linux', retryDelaysMs: [5, 5, 5] });
    await store.set('google-refresh-token', '1//token');
    fake.safeStorage.failDecrypts = 2;
    fake.safeStorage.decryptCalls = 0;
    const started = Date.now();
    expect(await store.get('google-refresh-token')).toBe('1//token');
    expect(fake.safeStorage.decryptCalls).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(9);
    expect(log.lines.filter((l) => l.includes('decrypt failed'))).toHaveLength(2);
    expect(log.lines.join('\n')).not.toContain('1//token');
  });

  it('gives up only after every retry failed, and reads it again once the keyring is back', async () => {
    const log = createMemoryLogger();
    const store = await createSafeStorageSecretStore({ dir, log, platform: 'linux', retryDelaysMs: [1, 1, 1] });
    await store.set('t', 'v');
    fake.safeStorage.failDecrypts = 10;
    fake.safeStorage.decryptCalls = 0;
    expect(await store.get('t')).toBeNull();
    expect(fake.safeStorage.decryptCalls).toBe(4);
    fake.safeStorage.failDecrypts = 0;
    expect(await store.get('t')).toBe('v');
  });

  it('encrypts secrets that were stored unencrypted once encryption is available at start', async () => {
    fake.safeStorage.available = false;
    const first = await createSafeStorageSecretStore({ dir, log: createMemoryLogger(), platform: 'linux' });
    await first.set('google-refresh-token', '1//plain-while-locked');
    await first.set('api-token', 'tok-123');
    const file = path.join(dir, 'google-refresh-token.secret');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ enc: 'plain' });

    // Next start: the keyring is there.
    fake.safeStorage.available = true;
    const log = createMemoryLogger();
    const second = await createSafeStorageSecretStore({ dir, log, platform: 'linux' });
    for (const name of ['google-refresh-token', 'api-token']) {
      const raw = readFileSync(path.join(dir, `${name}.secret`), 'utf8');
      expect(JSON.parse(raw)).toMatchObject({ enc: 'safeStorage' });
      expect(statSync(path.join(dir, `${name}.secret`)).mode & 0o777).toBe(0o600);
    }
    expect(readFileSync(file, 'utf8')).not.toContain(Buffer.from('1//plain-while-locked').toString('base64'));
    expect(log.lines.join('\n')).toContain('encrypted 2 secrets stored unencrypted before');
    expect(await second.get('google-refresh-token')).toBe('1//plain-while-locked');
    expect(await second.get('api-token')).toBe('tok-123');
  });

  it('leaves a plain secret readable when re-encryption fails', async () => {
    fake.safeStorage.available = false;
    const first = await createSafeStorageSecretStore({ dir, log: createMemoryLogger(), platform: 'linux' });
    await first.set('t', 'v');
    fake.safeStorage.available = true;
    const spy = vi.spyOn(fake.safeStorage, 'encryptStringAsync').mockRejectedValue(new Error('keyring busy'));
    const log = createMemoryLogger();
    const second = await createSafeStorageSecretStore({ dir, log, platform: 'linux' });
    expect(log.lines.join('\n')).toContain('cannot re-encrypt');
    spy.mockRestore();
    expect(await second.get('t')).toBe('v');
    // …and the read retried the encryption, now that it works.
    expect(JSON.parse(readFileSync(path.join(dir, 't.secret'), 'utf8'))).toMatchObject({ enc: 'safeStorage' });
  });
});
