import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskRedisUrl, type ConfigPatch } from '../../shared/config';
import { ConfigUpdater, type ConfigStep } from '../../electron/core/config/config-updater';
import { applyPatch, ConfigError, defaultDataDir, envFixedOf, loadConfig, saveConfigFile } from '../../electron/core/config/load-config';
import { createMemoryLogger } from '../../electron/core/log';
import { resolveMaskedUrl } from '../../shared/redis-url';
import { tempDir } from '../harness/app';

/** Every printable ASCII character, including @ : / % # ? and space. */
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));

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
    const bad = applyPatch(loaded, { redis: { url: 'nonsense' }, http: { port: 70000 } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.map((e) => e.path).sort()).toEqual(['http.port', 'redis.url']);
    const good = applyPatch(loaded, { redis: { channels: { matchUpdates: 'x:y' } } });
    expect(good.ok && good.changed).toEqual(['redis.channels.matchUpdates']);
  });

  it('sending back the masked URL keeps the stored password only for the same server', () => {
    expect(resolveMaskedUrl('redis://:****@oldhost:6379/2', 'redis://:old-secret@oldhost:6379')).toEqual({ ok: true, url: 'redis://:old-secret@oldhost:6379/2' });
    expect(resolveMaskedUrl('redis://:typed-new@h:1', 'redis://:old@h:1')).toEqual({ ok: true, url: 'redis://:typed-new@h:1' });
    // Issue 9 finding 4: the stored password must never be spliced into an address for another host.
    expect(resolveMaskedUrl('redis://:****@newhost:6379', 'redis://:old-secret@oldhost:6379').ok).toBe(false);
  });

  it('creates nothing on disk just by loading', async () => {
    const dir = path.join(tempDir(), 'nested');
    mkdirSync(dir);
    const { file } = await loadConfig({}, dir);
    expect(file).toBe(path.join(dir, 'config.json'));
  });
});

/** One gate for configuration (issue 9): the same semantic checks for config.json, the environment and runtime changes. */
describe('configuration gate', () => {
  const write = (dir: string, cfg: unknown): void => writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg));
  const loadError = async (cfg: unknown, env: Record<string, string> = {}): Promise<ConfigError> => {
    const dir = tempDir();
    write(dir, cfg);
    const err = await loadConfig(env, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  };
  const RAW_ZOD = /Invalid (input|option)|expected one of|Unrecognized key|Too (big|small)/;

  it('a misspelt time zone in config.json is a clear error naming the field (finding 1), never accepted', async () => {
    const e = await loadError({ calendar: { timeZone: 'Europe/Stokholm' } });
    expect(e.errors).toEqual([expect.objectContaining({ path: 'calendar.timeZone', value: 'Europe/Stokholm', code: 'timeZone' })]);
    expect(e.message).toContain('calendar.timeZone');
    expect(e.message).toMatch(/not a known time zone/);
    const loaded = await loadConfig({}, tempDir());
    const r = applyPatch(loaded, { calendar: { timeZone: 'Europe/Stokholm' } });
    expect(r.ok).toBe(false);
    for (const zone of ['europe/stockholm', '+01:00', 'Mars/Olympus', '']) expect(applyPatch(loaded, { calendar: { timeZone: zone } }).ok, zone).toBe(false);
    for (const zone of ['Europe/Stockholm', 'UTC', 'America/Argentina/Buenos_Aires', 'Etc/GMT+1']) expect(applyPatch(loaded, { calendar: { timeZone: zone } }).ok, zone).toBe(true);
  });

  it('the time zone from the environment (CALENDAR_TIME_ZONE) goes through the same check, and the error names the variable', async () => {
    const e = await loadError({}, { CALENDAR_TIME_ZONE: 'Europe/Stokholm' });
    expect(e.errors).toEqual([expect.objectContaining({ path: 'calendar.timeZone', code: 'timeZone' })]);
    expect(e.message).toContain('CALENDAR_TIME_ZONE');
    const ok = await loadConfig({ CALENDAR_TIME_ZONE: 'Europe/Helsinki' }, tempDir());
    expect(ok.config.calendar.timeZone).toBe('Europe/Helsinki');
  });

  it('errors are plain words, never zod wording (issue 14.9)', async () => {
    const e = await loadError({ calendar: { backend: 'outlook' }, ui: { language: 'de' }, redis: { enabled: 'yes', urll: 'x' }, limits: 7 });
    const byPath = Object.fromEntries(e.errors.map((x) => [x.path, x.message]));
    expect(byPath['calendar.backend']).toBe('must be one of ics, google');
    expect(byPath['ui.language']).toBe('must be one of auto, sv, en');
    expect(byPath['redis.enabled']).toBe('must be true or false');
    expect(byPath['redis']).toBe('unknown setting(s): urll');
    expect(byPath['limits']).toBe('must be a group of settings ({ … })');
    expect(e.message).not.toMatch(RAW_ZOD);
  });

  it('every number has a range, every string refuses control characters', async () => {
    const loaded = await loadConfig({}, tempDir());
    const numbers: Array<[string, string, number, number]> = [
      ['redis', 'backoffInitialMs', 49, 60_001], ['redis', 'backoffMaxMs', 499, 600_001], ['redis', 'pingIntervalMs', 199, 120_001],
      ['redis', 'pingTimeoutMs', 199, 120_001], ['redis', 'connectTimeoutMs', 199, 120_001], ['redis', 'maxMessageBytes', 1023, 512 * 1024 * 1024 + 1],
      ['http', 'port', -1, 65_536], ['http', 'maxBodyBytes', 1023, 256 * 1024 * 1024 + 1], ['calendar', 'matchDurationMinutes', 14, 601],
      ['calendar', 'maxDeleteFraction', -0.01, 1.01], ['limits', 'messageLog', 9, 100_001], ['limits', 'rejectedLog', 9, 10_001],
      ['limits', 'alertLog', 9, 10_001], ['limits', 'duplicateWindow', 9, 1_000_001], ['limits', 'changeHistory', 9, 100_001],
    ];
    for (const [group, key, low, high] of numbers) {
      for (const v of [low, high, Number.MAX_SAFE_INTEGER * 4]) {
        const r = applyPatch(loaded, { [group]: { [key]: v } } as ConfigPatch);
        expect(r.ok, `${group}.${key}=${v}`).toBe(false);
        if (!r.ok) expect(r.errors[0]?.message).toMatch(/^must be (at least|at most|a whole number)/);
      }
    }
    const strings: Array<[string, string]> = [
      ['redis', 'tlsCaFile'], ['redis', 'sentinelMasterName'], ['http', 'host'], ['calendar', 'calendarId'], ['calendar', 'syncTag'], ['calendar', 'timeZone'],
    ];
    const channels = ['matchUpdates', 'processorStatus', 'systemAlerts'];
    for (const bad of ['\u0000', '\u0007', '\u000b', '\u000c', '\u001b', '\u007f', '\u0085', '\u202e', '\u2028']) {
      for (const [group, key] of strings) {
        const r = applyPatch(loaded, { [group]: { [key]: `a${bad}b` } } as ConfigPatch);
        expect(r.ok, `${group}.${key} with U+${bad.charCodeAt(0).toString(16)}`).toBe(false);
      }
      for (const ch of channels) expect(applyPatch(loaded, { redis: { channels: { [ch]: `fogis${bad}x` } } }).ok, `${ch} with U+${bad.charCodeAt(0).toString(16)}`).toBe(false);
      expect(applyPatch(loaded, { redis: { url: `redis://:pa${bad}ss@h:6379` } }).ok).toBe(false);
    }
  });

  it('Redis addresses: host, port 1–65535, database 0–15, no query or fragment, valid percent-encoding', async () => {
    const loaded = await loadConfig({}, tempDir());
    const bad = ['redis://h:0', 'redis://h:65536', 'redis://h:6379/16', 'redis://h:6379/x', 'redis://h:6379/0?password=x', 'redis://h#x', 'redis://:p%zz@h', 'redis://ho%00st:1', 'redis://:6379', 'redis://h_ost!:1', 'http://h:6379', 'redis://[zz]:1'];
    for (const url of bad) {
      const r = applyPatch(loaded, { redis: { url } });
      expect(r.ok, url).toBe(false);
      if (!r.ok) expect(r.errors[0]?.message, url).not.toMatch(RAW_ZOD);
    }
    for (const url of ['redis://h', 'redis://h:1/15', 'rediss://u:p%40ss@host.example:6380/0', 'redis://:Part1@Part2@host:6379', 'redis://[::1]:6379/2']) expect(applyPatch(loaded, { redis: { url } }).ok, url).toBe(true);
    expect(applyPatch(loaded, { redis: { sentinels: [{ host: 'bad host', port: 26379 }] } }).ok).toBe(false);
    expect(applyPatch(loaded, { redis: { sentinels: [{ host: 's1', port: 0 }] } }).ok).toBe(false);
    expect(applyPatch(loaded, { http: { host: 'local host' } }).ok).toBe(false);
    expect(applyPatch(loaded, { http: { host: '::1' } }).ok).toBe(true);
    expect(applyPatch(loaded, { calendar: { syncTag: 'a b' } }).ok).toBe(false);
    expect(applyPatch(loaded, { calendar: { calendarId: 'x y@group.calendar.google.com' } }).ok).toBe(false);
    // Cross-field: two kinds of message on one channel, and a first delay above the cap.
    expect(applyPatch(loaded, { redis: { channels: { systemAlerts: 'fogis:matches:updates' } } }).ok).toBe(false);
    expect(applyPatch(loaded, { redis: { backoffInitialMs: 40_000, backoffMaxMs: 30_000 } }).ok).toBe(false);
  });

  it('masking parses the address: a password with @ is hidden whole (finding 6)', () => {
    expect(maskRedisUrl('redis://:Part1@Part2@host:6379')).toBe('redis://:****@host:6379');
    expect(maskRedisUrl('redis://user:a:b@c@host/2')).toBe('redis://user:****@host/2');
    expect(maskRedisUrl('redis://legacy-pass@host')).toBe('redis://****@host');
    expect(maskRedisUrl('not a url with pw@host')).toBe('****@host');
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...PRINTABLE), minLength: 1, maxLength: 40 }), (pw) => {
        const url = `redis://:${encodeURIComponent(pw)}@127.0.0.1:6379/0`;
        const masked = maskRedisUrl(url);
        expect(masked).toBe('redis://:****@127.0.0.1:6379/0');
        // The URL parser (as ioredis reads it) agrees on what the password is.
        expect(decodeURIComponent(new URL(url).password)).toBe(pw);
        // Not even a user who forgot to encode leaks the part after an '@'.
        const careless = maskRedisUrl(`redis://:${pw}@127.0.0.1:6379`);
        if (pw.length >= 4) expect(careless.includes(pw)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('a masked password is kept only for the same scheme, host, port and user (finding 4), and never stored as **** (finding 5)', async () => {
    const dir = tempDir();
    write(dir, { redis: { url: 'redis://alice:s3cret@db.example:6379/0' } });
    const loaded = await loadConfig({}, dir);
    const same = applyPatch(loaded, { redis: { url: 'redis://alice:****@DB.example:6379/3' } });
    expect(same.ok && same.config.redis.url).toBe('redis://alice:s3cret@DB.example:6379/3');
    expect(same.ok && JSON.stringify(same.fileLayer)).not.toContain('****');
    for (const other of ['redis://alice:****@evil.example:6379/0', 'redis://alice:****@db.example:6380/0', 'rediss://alice:****@db.example:6379/0', 'redis://bob:****@db.example:6379/0', 'redis://:****@db.example:6379/0']) {
      const r = applyPatch(loaded, { redis: { url: other } });
      expect(r.ok, other).toBe(false);
      if (!r.ok) {
        expect(r.errors).toEqual([expect.objectContaining({ path: 'redis.url', code: 'retypePassword' })]);
        expect(r.errors[0]?.message).toMatch(/type the password again/);
        expect(JSON.stringify(r.errors)).not.toContain('s3cret');
      }
    }
    const none = applyPatch(await loadConfig({}, tempDir()), { redis: { url: 'redis://:****@localhost:6379' } });
    expect(!none.ok && none.errors[0]?.code).toBe('noStoredPassword');
  });

  it('a field fixed by an environment variable is refused naming the variable; the same value is a no-op (issue 14 item 4)', async () => {
    const dir = tempDir();
    write(dir, { redis: { channels: { systemAlerts: 'from:file' } } });
    const loaded = await loadConfig({ REDIS_SYSTEM_ALERTS_CHANNEL: 'from:env', REDIS_URL: 'redis://:pw-env@envhost:6379' }, dir);
    expect(envFixedOf(loaded)).toEqual({ 'redis.channels.systemAlerts': 'REDIS_SYSTEM_ALERTS_CHANNEL', 'redis.url': 'REDIS_URL' });
    const r = applyPatch(loaded, { redis: { channels: { systemAlerts: 'from:dashboard' } } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([expect.objectContaining({ path: 'redis.channels.systemAlerts', code: 'envFixed', variable: 'REDIS_SYSTEM_ALERTS_CHANNEL' })]);
    const same = applyPatch(loaded, { redis: { url: 'redis://:****@envhost:6379', channels: { systemAlerts: 'from:env' } }, ui: { language: 'sv' } });
    expect(same.ok).toBe(true);
    // The file keeps its own values; only the free field is written.
    if (same.ok) expect(same.fileLayer).toEqual({ redis: { channels: { systemAlerts: 'from:file' } }, ui: { language: 'sv' } });
  });
});

describe('a configuration change is a transaction', () => {
  const setup = async (steps: ConfigStep[], env: Record<string, string> = {}) => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ui: { language: 'en' } }));
    const loaded = await loadConfig(env, dir);
    const log = createMemoryLogger();
    const updater = new ConfigUpdater(loaded, { log, save: saveConfigFile, steps });
    return { dir, updater, log, file: path.join(dir, 'config.json') };
  };

  it('a part that fails to apply is undone: nothing changed in memory or on disk, and no throw (finding 1: no 500 after a half-applied change)', async () => {
    const seen: string[] = [];
    const { updater, file } = await setup([
      { name: 'first', apply: (next) => void seen.push(`first:${next.ui.language}`) },
      {
        name: 'second',
        apply: (next) => {
          seen.push(`second:${next.ui.language}`);
          if (next.ui.language === 'sv') throw new RangeError('Invalid time zone specified');
        },
      },
    ]);
    const before = readFileSync(file, 'utf8');
    const r = await updater.update({ ui: { language: 'sv' } });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error).toMatch(/could not be applied .*nothing was changed/);
    expect(updater.config.ui.language).toBe('en');
    expect(readFileSync(file, 'utf8')).toBe(before);
    // Applied, failed, then both parts put back to the old value (newest first).
    expect(seen).toEqual(['first:sv', 'second:sv', 'second:en', 'first:en']);
    // The next change works and is saved.
    const ok = await updater.update({ ui: { notifyMinSeverity: 'error' } });
    expect(ok.success).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ ui: { language: 'en', notifyMinSeverity: 'error' } });
  });

  it('a change that cannot be saved changes nothing', async () => {
    const applied: string[] = [];
    const dir = tempDir();
    const loaded = await loadConfig({}, dir);
    const updater = new ConfigUpdater(loaded, {
      log: createMemoryLogger(),
      save: async () => {
        throw new Error('ENOSPC: no space left on device');
      },
      steps: [{ name: 'monitor', apply: (next) => void applied.push(next.ui.language) }],
    });
    const r = await updater.update({ ui: { language: 'sv' } });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error).toMatch(/could not be saved.*ENOSPC.*nothing was changed/);
    expect(applied).toEqual([]);
    expect(updater.config.ui.language).toBe('auto');
  });

  it('a refused change is one log line naming fields and reasons, without values, controls or floods', async () => {
    const { updater, log } = await setup([]);
    const hostileKey = `k\n2026-01-01 ERROR [redis] forged${'x'.repeat(10_000)}`;
    const r = await updater.update({ calendar: { timeZone: 'Europe/Stokholm' }, ui: Object.fromEntries([[hostileKey, 1], ...Array.from({ length: 30 }, (_, i) => [`k${i}`, 1])]) } as unknown as ConfigPatch);
    expect(r.success).toBe(false);
    const lines = log.lines.filter((l) => l.includes('change refused'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warn \[config\] change refused: /);
    expect(lines[0]).toContain('calendar.timeZone: is not a known time zone');
    expect(lines[0]).not.toContain('Europe/Stokholm');
    expect(lines[0]).not.toContain('\n');
    expect(lines[0]!.length).toBeLessThan(600);
    // The response names the unknown keys too, capped at 10 keys of 64 characters.
    if (!r.success) {
      const unknown = r.errors.find((e) => e.path === 'ui')?.message ?? '';
      expect(unknown).toMatch(/^unknown setting\(s\): k\?2026-01-01/);
      expect(unknown).toMatch(/and 21 more$/);
      expect(unknown.length).toBeLessThan(1000);
    }
  });

  it('changes are serialised: each is checked against what the previous one left', async () => {
    const { updater } = await setup([{ name: 'slow', apply: () => new Promise((r) => setTimeout(r, 20)) }]);
    const [a, b] = await Promise.all([updater.update({ redis: { backoffMaxMs: 1000 } }), updater.update({ redis: { backoffInitialMs: 5000 } })]);
    expect(a.success).toBe(true);
    // 5000 > the 1000 cap set just before: refused, not raced past the cross-field rule.
    expect(b.success).toBe(false);
    expect(updater.config.redis.backoffInitialMs).toBe(500);
  });
});

describe('field problems from zod itself carry an id and their values', () => {
  it('a number below its minimum or above its maximum, a wrong type, an unknown choice', async () => {
    const { parsePatch } = await import('../../electron/core/config/load-config');
    const codes = (body: unknown) => {
      const r = parsePatch(body);
      return r.ok ? [] : r.errors.map((e) => ({ path: e.path, code: e.code, params: e.params }));
    };
    expect(codes({ redis: { backoffMaxMs: -5 } })).toEqual([{ path: 'redis.backoffMaxMs', code: 'min', params: { min: '500' } }]);
    expect(codes({ http: { port: 70000 } })).toEqual([{ path: 'http.port', code: 'max', params: { max: '65535' } }]);
    expect(codes({ http: { port: 'eighty' } })).toEqual([{ path: 'http.port', code: 'number', params: undefined }]);
    expect(codes({ calendar: { backend: 'outlook' } })).toEqual([{ path: 'calendar.backend', code: 'choose', params: undefined }]);
  });
});
