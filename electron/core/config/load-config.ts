import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import type { FieldError } from '../../../shared/api';
import { configPatchSchema, configSchema, ENV_SETTINGS, genericIssue, issueCode, maskRedisUrl, plainIssueMessage, type AppConfig, type ConfigPatch, type EnvFixed, type EnvSetting } from '../../../shared/config';
import { resolveMaskedUrl } from '../../../shared/redis-url';
import type { FieldErrorCode } from '../../../shared/field-error-codes';
import { writeFileAtomic } from '../store/atomic-file';

/**
 * Configuration sources, lowest to highest: schema defaults < config.json in the data
 * directory < environment variables. A change made at run time (dashboard, IPC, HTTP) is
 * written into the config.json layer and the effective config is computed again exactly as
 * at start, so what runs is always what the next start loads. A field fixed by an
 * environment variable cannot be changed at run time: the change is refused with an error
 * naming the variable (issue 14 item 4: nothing "loses silently" at the next start).
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
      errors.push({ path: dotted, message: `${setting.env}: ${parsed.message}`, value: setting.secret ? maskRedisUrl(raw) : raw, variable: setting.env });
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
    const message = plainIssueMessage(issue);
    // An unknown key is named in the message; the value would be the whole group.
    const value = issue.code === 'unrecognized_keys' ? undefined : showValue(dotted, valueAt(input, issue.path));
    const generic = genericIssue(issue);
    const code = issueCode(issue) ?? generic?.code;
    return {
      path: dotted,
      message: env ? `${env}: ${message}` : message,
      ...(value !== undefined ? { value: clip(value) } : {}),
      ...(code ? { code } : {}),
      ...(generic?.params ? { params: generic.params } : {}),
      ...(env ? { variable: env } : {}),
    };
  });
}

/** A value shown back in an error stays short (a hostile body may send megabytes). */
function clip(v: string): string {
  return v.length > 200 ? `${v.slice(0, 200)}…` : v;
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

/** Which fields the environment fixes, for the API and the Settings page. */
export function envFixedOf(loaded: Pick<LoadedConfig, 'envSources'>): EnvFixed {
  return Object.fromEntries(loaded.envSources);
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

/** Parses a request body as a partial change; errors in plain words. */
export function parsePatch(body: unknown): { ok: true; patch: ConfigPatch } | { ok: false; errors: FieldError[] } {
  const r = configPatchSchema.safeParse(body);
  if (r.success) return { ok: true, patch: r.data };
  return { ok: false, errors: fieldErrors(r.error, body).map((e) => (e.path === '(root)' ? { ...e, path: '(body)' } : e)) };
}

export type PatchResult = { ok: true; config: AppConfig; fileLayer: Layer; changed: string[] } | { ok: false; errors: FieldError[] };

function deletePath(target: Layer, p: readonly string[]): void {
  const parents: Layer[] = [];
  let node: Layer = target;
  for (const key of p.slice(0, -1)) {
    const next = node[key];
    if (!isPlainObject(next)) return;
    parents.push(node);
    node = next;
  }
  delete node[p[p.length - 1]!];
  // Drop groups the removal left empty, so the file does not collect `{}`s.
  for (let i = p.length - 2; i >= 0; i--) {
    const parent = parents[i]!;
    const child = parent[p[i]!];
    if (isPlainObject(child) && Object.keys(child).length === 0) delete parent[p[i]!];
  }
}

/**
 * Plans a runtime change without side effects: the whole candidate is validated (the same
 * schema as at start), a masked password is resolved only for the same server, a field the
 * environment fixes is refused unless unchanged, and the result is the new config.json layer
 * and the config a start would load from it. Nothing is applied when any part is invalid.
 */
export function applyPatch(current: LoadedConfig, patch: ConfigPatch): PatchResult {
  const p = structuredClone(patch) as ConfigPatch & Layer;
  const errors: FieldError[] = [];
  if (p.redis?.url !== undefined) {
    const r = resolveMaskedUrl(p.redis.url, current.config.redis.url);
    if (r.ok) p.redis.url = r.url;
    else errors.push({ path: 'redis.url', message: r.message, value: maskRedisUrl(clip(p.redis.url)), code: r.id });
  }
  for (const setting of ENV_SETTINGS) {
    const wanted = valueAt(p, setting.path);
    if (wanted === undefined) continue;
    const dotted = setting.path.join('.');
    const variable = current.envSources.get(dotted);
    if (!variable) continue;
    if (errors.some((e) => e.path === dotted)) continue;
    if (JSON.stringify(wanted) !== JSON.stringify(valueAt(current.config, setting.path))) {
      errors.push({ path: dotted, message: `is set by the environment variable ${variable}; change it there (the dashboard cannot override it)`, code: 'envFixed' satisfies FieldErrorCode, variable });
    }
    // Unchanged: nothing to write (the file keeps its own value for when the variable is gone).
    deletePath(p, setting.path);
  }
  const fileLayer = deepMerge(current.fileLayer, p);
  const merged = deepMerge(fileLayer, current.envLayer);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    for (const e of fieldErrors(result.error, merged, current.envSources)) if (!errors.some((x) => x.path === e.path)) errors.push(e);
  }
  if (errors.length > 0 || !result.success) return { ok: false, errors };
  return { ok: true, config: result.data, fileLayer, changed: diffPaths(current.config, result.data) };
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
