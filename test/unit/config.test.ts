import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { maskRedisUrl } from '../../shared/config';
import { applyPatch, ConfigError, defaultDataDir, loadConfig, restoreMaskedPassword } from '../../electron/core/config/load-config';
import { tempDir } from '../harness/app';

describe('configuration', () => {
  it('has the documented defaults', async () => {
    const { config } = await loadConfig({}, tempDir());
    expect(config.redis.url).toBe('redis://localhost:6379');
    expect(config.redis.enabled).toBe(true);
    expect(config.redis.channels).toEqual({ matchUpdates: 'fogis:matches:updates', processorStatus: 'fogis:processor:status', systemAlerts: 'fogis:system:alerts' });
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 5003 });
    expect(config.redis.backoffInitialMs).toBe(500);
    expect(config.redis.backoffMaxMs).toBe(30_000);
    expect(config.redis.maxMessageBytes).toBe(16 * 1024 * 1024);
    expect(config.calendar.syncTag).toBe('FOGIS_CALENDAR_SYNC');
  });

  it('layers defaults < config file < environment', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ redis: { url: 'redis://file-host:6379', channels: { systemAlerts: 'from:file' } }, http: { port: 6000 } }));
    const { config } = await loadConfig({ REDIS_URL: 'redis://env-host:6380/2', MONITOR_HTTP_HOST: '127.0.0.2' }, dir);
    expect(config.redis.url).toBe('redis://env-host:6380/2');
    expect(config.redis.channels.systemAlerts).toBe('from:file');
    expect(config.http.port).toBe(6000);
    expect(config.http.host).toBe('127.0.0.2');
  });

  it.each([
    ['true', true], ['TRUE', true], ['1', true], ['yes', true], ['Yes', true],
    ['false', false], ['0', false], ['no', false], ['NO', false],
  ])('REDIS_PUBSUB_ENABLED=%s means %s (the Python service reads "1" as false)', async (raw, want) => {
    const { config } = await loadConfig({ REDIS_PUBSUB_ENABLED: raw }, tempDir());
    expect(config.redis.enabled).toBe(want);
  });

  it.each(['redis://localhost:6379', 'rediss://secure.example:6380', 'redis://user:pa%40ss@h:1/3', 'redis://:only-pass@h:6379/0', 'redis://[::1]:6379'])('accepts %s', async (url) => {
    const { config } = await loadConfig({ REDIS_URL: url }, tempDir());
    expect(config.redis.url).toBe(url);
  });

  it('names every bad field, its value (password masked) and what is expected', async () => {
    const err = await loadConfig({ REDIS_URL: 'http://user:hunter22@h', REDIS_PUBSUB_ENABLED: 'maybe', MONITOR_HTTP_PORT: 'eighty' }, tempDir()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.errors.map((x) => x.path).sort()).toEqual(['http.port', 'redis.enabled', 'redis.url']);
    expect(e.message).toContain('REDIS_URL');
    expect(e.message).toContain('redis://');
    expect(e.message).toContain('REDIS_PUBSUB_ENABLED: expected true/false, 1/0 or yes/no');
    expect(e.message).toContain('"eighty"');
    expect(e.message).not.toContain('hunter22');
  });

  it('a config file that is not JSON is a configuration error, not a crash', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'config.json'), '{ nope');
    await expect(loadConfig({}, dir)).rejects.toThrow(/config\.json is not readable JSON/);
  });

  it('parses REDIS_SENTINELS', async () => {
    const { config } = await loadConfig({ REDIS_SENTINELS: '127.0.0.1:26379, [::1]:26380', REDIS_SENTINEL_MASTER: 'fogis' }, tempDir());
    expect(config.redis.sentinels).toEqual([{ host: '127.0.0.1', port: 26379 }, { host: '::1', port: 26380 }]);
    expect(config.redis.sentinelMasterName).toBe('fogis');
    await expect(loadConfig({ REDIS_SENTINELS: 'nope' }, tempDir())).rejects.toThrow(ConfigError);
  });

  it('uses the per-OS data directory unless FOGIS_MONITOR_DATA_DIR is set', () => {
    expect(defaultDataDir({ FOGIS_MONITOR_DATA_DIR: '/x/y' }, 'linux')).toBe('/x/y');
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux')).toBe('/cfg/fogis-monitor');
    expect(defaultDataDir({}, 'darwin')).toMatch(/Library\/Application Support\/fogis-monitor$/);
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32')).toContain('fogis-monitor');
  });

  it('masks passwords', () => {
    expect(maskRedisUrl('redis://:secret@h:6379/0')).toBe('redis://:****@h:6379/0');
    expect(maskRedisUrl('rediss://user:secret@h')).toBe('rediss://user:****@h');
    expect(maskRedisUrl('redis://h:6379')).toBe('redis://h:6379');
  });

  it('a runtime patch is validated first and changes nothing when invalid', async () => {
    const loaded = await loadConfig({}, tempDir());
    const bad = applyPatch(loaded, {}, { redis: { url: 'nonsense' }, http: { port: 70000 } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.map((e) => e.path).sort()).toEqual(['http.port', 'redis.url']);
    const good = applyPatch(loaded, {}, { redis: { channels: { matchUpdates: 'x:y' } } });
    expect(good.ok && good.changed).toEqual(['redis.channels.matchUpdates']);
  });

  it('sending back the masked URL keeps the stored password', () => {
    expect(restoreMaskedPassword('redis://:****@newhost:6379', 'redis://:old-secret@oldhost:6379')).toBe('redis://:old-secret@newhost:6379');
    expect(restoreMaskedPassword('redis://:typed-new@h:1', 'redis://:old@h:1')).toBe('redis://:typed-new@h:1');
  });

  it('creates nothing on disk just by loading', async () => {
    const dir = path.join(tempDir(), 'nested');
    mkdirSync(dir);
    const { file } = await loadConfig({}, dir);
    expect(file).toBe(path.join(dir, 'config.json'));
  });
});
