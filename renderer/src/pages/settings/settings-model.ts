import type { z } from 'zod';
import { configPatchSchema, type ConfigPatch } from '../../../../shared/api';
import { configSchema, type AppConfig, type EnvFixed } from '../../../../shared/config';
import { resolveMaskedUrl } from '../../../../shared/redis-url';

/**
 * The settings form as data: every field of configSchema, how it is edited, and the
 * conversions between the form's strings and the config's values. Validation is the shared
 * schema itself, run on the whole candidate config so cross-field rules apply too.
 */

export type FieldKind = 'text' | 'int' | 'number' | 'bool' | 'select' | 'sentinels';

export interface FieldDef {
  path: string;
  kind: FieldKind;
  options?: readonly string[];
  /** Shown inside the section's "Advanced" disclosure. */
  advanced?: boolean;
  /** Only meaningful in the desktop app (IPC). */
  desktopOnly?: boolean;
  /** Shown only when another field has this value. */
  when?: { path: string; value: string };
  step?: string;
}

export interface SectionDef {
  id: 'redis' | 'calendar' | 'contacts' | 'notifications' | 'ui' | 'http' | 'limits';
  fields: FieldDef[];
}

export const SECTIONS: SectionDef[] = [
  {
    id: 'redis',
    fields: [
      { path: 'redis.url', kind: 'text' },
      { path: 'redis.enabled', kind: 'bool' },
      { path: 'redis.channels.matchUpdates', kind: 'text' },
      { path: 'redis.channels.processorStatus', kind: 'text' },
      { path: 'redis.channels.systemAlerts', kind: 'text' },
      { path: 'redis.backoffInitialMs', kind: 'int', advanced: true },
      { path: 'redis.backoffMaxMs', kind: 'int', advanced: true },
      { path: 'redis.pingIntervalMs', kind: 'int', advanced: true },
      { path: 'redis.pingTimeoutMs', kind: 'int', advanced: true },
      { path: 'redis.connectTimeoutMs', kind: 'int', advanced: true },
      { path: 'redis.maxMessageBytes', kind: 'int', advanced: true },
      { path: 'redis.tlsCaFile', kind: 'text', advanced: true },
      { path: 'redis.sentinels', kind: 'sentinels', advanced: true },
      { path: 'redis.sentinelMasterName', kind: 'text', advanced: true },
    ],
  },
  {
    id: 'calendar',
    fields: [
      { path: 'calendar.backend', kind: 'select', options: ['ics', 'google'] },
      { path: 'calendar.calendarId', kind: 'text', when: { path: 'calendar.backend', value: 'google' } },
      { path: 'calendar.keepCancelled', kind: 'bool' },
      { path: 'calendar.matchDurationMinutes', kind: 'int' },
      { path: 'calendar.maxDeleteFraction', kind: 'number', step: '0.05', advanced: true },
      { path: 'calendar.timeZone', kind: 'text', advanced: true },
      { path: 'calendar.syncTag', kind: 'text', advanced: true },
    ],
  },
  {
    id: 'contacts',
    fields: [
      { path: 'contacts.ownRefereeNumber', kind: 'text' },
      { path: 'contacts.googleSync', kind: 'bool' },
    ],
  },
  { id: 'notifications', fields: [{ path: 'ui.notifyMinSeverity', kind: 'select', options: ['info', 'warning', 'error'] }] },
  {
    id: 'ui',
    fields: [
      { path: 'ui.language', kind: 'select', options: ['auto', 'sv', 'en'] },
      { path: 'ui.startAtLogin', kind: 'bool', desktopOnly: true },
    ],
  },
  {
    id: 'http',
    fields: [
      { path: 'http.host', kind: 'text', advanced: true },
      { path: 'http.port', kind: 'int', advanced: true },
      { path: 'http.maxBodyBytes', kind: 'int', advanced: true },
      { path: 'http.openManualSync', kind: 'bool', advanced: true },
    ],
  },
  {
    id: 'limits',
    fields: [
      { path: 'limits.messageLog', kind: 'int', advanced: true },
      { path: 'limits.rejectedLog', kind: 'int', advanced: true },
      { path: 'limits.alertLog', kind: 'int', advanced: true },
      { path: 'limits.duplicateWindow', kind: 'int', advanced: true },
      { path: 'limits.changeHistory', kind: 'int', advanced: true },
    ],
  },
];

export const ALL_FIELDS: FieldDef[] = SECTIONS.flatMap((s) => s.fields);

export type FormValue = string | boolean;
export type FormValues = Record<string, FormValue>;

function getPath(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (!next || typeof next !== 'object') cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]!] = value;
}

export function toFormValue(def: FieldDef, config: AppConfig): FormValue {
  const v = getPath(config, def.path);
  if (def.kind === 'bool') return v === true;
  if (def.kind === 'sentinels') {
    return (Array.isArray(v) ? v : []).map((s: { host: string; port: number }) => `${s.host}:${s.port}`).join('\n');
  }
  return v === undefined || v === null ? '' : String(v);
}

/** Form string → the value the schema expects; bad input is passed through for zod to name. */
export function fromFormValue(def: FieldDef, raw: FormValue): unknown {
  if (def.kind === 'bool') return raw === true;
  const s = String(raw);
  if (def.kind === 'int' || def.kind === 'number') {
    const trimmed = s.trim().replace(',', '.');
    return trimmed === '' || Number.isNaN(Number(trimmed)) ? trimmed : Number(trimmed);
  }
  if (def.kind === 'sentinels') {
    return s
      .split(/[\n,]/)
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const i = l.lastIndexOf(':');
        const host = i > 0 ? l.slice(0, i) : l;
        const port = i > 0 ? Number(l.slice(i + 1)) : Number.NaN;
        return { host, port };
      });
  }
  return s;
}

export function fieldFor(path: string): FieldDef | undefined {
  return ALL_FIELDS.find((f) => path === f.path || path.startsWith(`${f.path}.`));
}

export interface Validation {
  /** First issue per field path. */
  errors: Record<string, z.core.$ZodIssue>;
  /** Issues that belong to no field. */
  other: z.core.$ZodIssue[];
  patch: ConfigPatch;
  dirty: string[];
}

/**
 * `envFixed` names the fields an environment variable sets: they are read-only in the form
 * and never part of a change (the core would refuse them, naming the variable).
 */
export function validateForm(config: AppConfig, values: FormValues, envFixed: EnvFixed = {}): Validation {
  const candidate = structuredClone(config) as unknown as Record<string, unknown>;
  const patch: Record<string, unknown> = {};
  const dirty: string[] = [];
  for (const def of ALL_FIELDS) {
    const raw = values[def.path];
    if (raw === undefined || envFixed[def.path]) continue;
    if (raw === toFormValue(def, config)) continue;
    const value = fromFormValue(def, raw);
    dirty.push(def.path);
    setPath(candidate, def.path, value);
    setPath(patch, def.path, value);
  }
  const errors: Record<string, z.core.$ZodIssue> = {};
  const other: z.core.$ZodIssue[] = [];
  const take = (issues: z.core.$ZodIssue[]): void => {
    for (const issue of issues) {
      const f = fieldFor(issue.path.map(String).join('.'));
      if (f) errors[f.path] ??= issue;
      else other.push(issue);
    }
  };
  const full = configSchema.safeParse(candidate);
  if (!full.success) take(full.error.issues);
  // The form holds the masked address; the core keeps the password only for the same server.
  const url = patch.redis && typeof (patch.redis as Record<string, unknown>).url === 'string' ? ((patch.redis as Record<string, unknown>).url as string) : null;
  if (url !== null && !errors['redis.url']) {
    const r = resolveMaskedUrl(url, config.redis.url);
    if (!r.ok) errors['redis.url'] = { code: 'custom', path: ['redis', 'url'], message: r.message, params: { text: r.id }, input: url };
  }
  const p = configPatchSchema.safeParse(patch);
  if (!p.success && full.success) take(p.error.issues);
  return { errors, other, patch: p.success ? p.data : (patch as ConfigPatch), dirty };
}
