import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import type { FieldError } from '../../../shared/api';
import { configSchema, ENV_SETTINGS, maskRedisUrl, type AppConfig, type ConfigPatch, type EnvSetting } from '../../../shared/config';
import { writeFileAtomic } from '../store/atomic-file';

/**
 * Configuration sources, lowest to highest: schema defaults < config.json in the data
 * directory < environment variables < changes made at run time through the API (which are
 * also saved to config.json, so they survive a restart unless an env var overrides them).
 */

export type Layer = Record<string, unknown>;

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly errors: FieldError[],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.FOGIS_MONITOR_DATA_DIR) return path.resolve(env.FOGIS_MONITOR_DATA_DIR);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'fogis-monitor');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'fogis-monitor');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'fogis-monitor');
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepMerge(base: Layer, over: Layer): Layer {
  const out: Layer = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function setPath(target: Layer, p: readonly string[], value: unknown): void {
  let node = target;
  p.forEach((key, i) => {
    if (i === p.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (!isPlainObject(next)) node[key] = {};
    node = node[key] as Layer;
  });
}

const BOOL_TRUE = new Set(['true', '1', 'yes', 'on']);
const BOOL_FALSE = new Set(['false', '0', 'no', 'off']);

function parseEnvValue(setting: EnvSetting, raw: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const v = raw.trim();
  switch (setting.kind) {
    case 'string':
      return { ok: true, value: v };
    case 'boolean': {
      // spec §1.3: the Python service treats "1"/"yes" as false; we accept them as true.
      const l = v.toLowerCase();
      if (BOOL_TRUE.has(l)) return { ok: true, value: true };
      if (BOOL_FALSE.has(l)) return { ok: true, value: false };
      return { ok: false, message: 'expected true/false, 1/0 or yes/no' };
    }
    case 'int':
      return /^-?\d+$/.test(v) ? { ok: true, value: Number(v) } : { ok: false, message: 'expected a whole number' };
    case 'number':
      return v !== '' && Number.isFinite(Number(v)) ? { ok: true, value: Number(v) } : { ok: false, message: 'expected a number' };
    case 'sentinels': {
      if (v === '') return { ok: true, value: [] };
      const list: Array<{ host: string; port: number }> = [];
      for (const part of v.split(',')) {
        const m = /^\s*(\[[^\]]+\]|[^:\s]+):(\d{1,5})\s*$/.exec(part);
        if (!m || !m[1] || !m[2]) return { ok: false, message: 'expected host:port,host:port' };
        list.push({ host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) });
      }
      return { ok: true, value: list };
    }
  }
}

export function envLayer(env: NodeJS.ProcessEnv): { layer: Layer; errors: FieldError[]; sources: Map<string, string> } {
  const layer: Layer = {};
  const errors: FieldError[] = [];
  const sources = new Map<string, string>();
  for (const setting of ENV_SETTINGS) {
    const raw = env[setting.env];
    if (raw === undefined) continue;
    const parsed = parseEnvValue(setting, raw);
    const dotted = setting.path.join('.');
    if (!parsed.ok) {
      errors.push({ path: dotted, message: `${setting.env}: ${parsed.message}`, value: setting.secret ? maskRedisUrl(raw) : raw });
      continue;
    }
    setPath(layer, setting.path, parsed.value);
    sources.set(dotted, setting.env);
  }
  return { layer, errors, sources };
}

function valueAt(input: unknown, p: readonly PropertyKey[]): unknown {
  let node: unknown = input;
  for (const key of p) {
    if (!isPlainObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function showValue(dotted: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return dotted === 'redis.url' && typeof text === 'string' ? maskRedisUrl(text) : text;
}

/** Turns zod issues into field errors: path, what was wrong, the value (masked). */
export function fieldErrors(error: z.ZodError, input: unknown, sources?: Map<string, string>): FieldError[] {
  return error.issues.map((issue) => {
    const dotted = issue.path.map(String).join('.') || '(root)';
    const env = sources?.get(dotted);
    const message = issue.code === 'unrecognized_keys' ? `unknown setting(s): ${issue.keys.join(', ')}` : issue.message;
    const value = showValue(dotted, valueAt(input, issue.path));
    return { path: dotted, message: env ? `${env}: ${message}` : message, ...(value !== undefined ? { value } : {}) };
  });
}

export function describeErrors(errors: FieldError[]): string {
  return errors.map((e) => `  - ${e.path}${e.value !== undefined ? ` = ${JSON.stringify(e.value)}` : ''}: ${e.message}`).join('\n');
}

export interface LoadedConfig {
  config: AppConfig;
  dataDir: string;
  file: string;
  fileLayer: Layer;
  envLayer: Layer;
  envSources: Map<string, string>;
}

/** Loads and validates; throws ConfigError naming every bad field (the headless app exits 2). */
export async function loadConfig(env: NodeJS.ProcessEnv = process.env, dataDirOverride?: string): Promise<LoadedConfig> {
  const dataDir = dataDirOverride ?? defaultDataDir(env);
  const file = path.join(dataDir, 'config.json');
  let fileLayer: Layer = {};
  const errors: FieldError[] = [];
  try {
    const text = await fs.readFile(file, 'utf8');
    const parsed: unknown = JSON.parse(text);
    if (!isPlainObject(parsed)) errors.push({ path: '(file)', message: `${file} must contain a JSON object` });
    else fileLayer = parsed;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') errors.push({ path: '(file)', message: `${file} is not readable JSON: ${(err as Error).message}` });
  }
  const envPart = envLayer(env);
  errors.push(...envPart.errors);
  const merged = deepMerge(fileLayer, envPart.layer);
  const result = configSchema.safeParse(merged);
  if (!result.success) errors.push(...fieldErrors(result.error, merged, envPart.sources));
  if (errors.length > 0 || !result.success) {
    throw new ConfigError(`Invalid configuration:\n${describeErrors(errors)}`, errors);
  }
  return { config: result.data, dataDir, file, fileLayer, envLayer: envPart.layer, envSources: envPart.sources };
}

/**
 * The settings form shows `redis://:****@host`; sending that back means "keep the password"
 * rather than "set the password to ****".
 */
export function restoreMaskedPassword(nextUrl: string, currentUrl: string): string {
  if (!nextUrl.includes(':****@') && !/^rediss?:\/\/\*\*\*\*@/i.test(nextUrl)) return nextUrl;
  try {
    const cur = new URL(currentUrl);
    const next = new URL(nextUrl);
    if (next.password === '****') next.password = cur.password;
    if (next.username === '****') next.username = cur.username;
    return next.toString().replace(/\/$/, '');
  } catch {
    return nextUrl;
  }
}

export type PatchResult = { ok: true; config: AppConfig; fileLayer: Layer; changed: string[] } | { ok: false; errors: FieldError[] };

/** Validates a runtime change; nothing is applied when any field is invalid. */
export function applyPatch(current: LoadedConfig, runtime: Layer, patch: ConfigPatch): PatchResult {
  const p = structuredClone(patch) as ConfigPatch;
  if (p.redis?.url) p.redis.url = restoreMaskedPassword(p.redis.url, current.config.redis.url);
  const nextRuntime = deepMerge(runtime, p as Layer);
  const merged = deepMerge(deepMerge(current.fileLayer, current.envLayer), nextRuntime);
  const result = configSchema.safeParse(merged);
  if (!result.success) return { ok: false, errors: fieldErrors(result.error, merged) };
  return { ok: true, config: result.data, fileLayer: deepMerge(current.fileLayer, p as Layer), changed: diffPaths(current.config, result.data) };
}

export function diffPaths(a: unknown, b: unknown, prefix = ''): string[] {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => diffPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

export async function saveConfigFile(file: string, layer: Layer): Promise<void> {
  // 0600: the file may hold a Redis password.
  await writeFileAtomic(file, JSON.stringify(layer, null, 2) + '\n', 0o600);
}
