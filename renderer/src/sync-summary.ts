import type { SyncReport } from '../../shared/api';
import type { T } from './i18n';

/** The result line in the user's language: "3 updated, 1 deleted, 0 failed". */
export function syncSummary(r: SyncReport, { t, tn }: Pick<T, 't' | 'tn'>): string {
  const parts: string[] = [];
  if (r.inserted > 0) parts.push(tn('sync.inserted', r.inserted));
  parts.push(tn('sync.updated', r.updated), tn('sync.deleted', r.deleted), tn('sync.failed', r.failed));
  if (r.held > 0) parts.push(tn('sync.held', r.held));
  if (r.unchanged > 0) parts.push(tn('sync.unchanged', r.unchanged));
  if (r.cancelled) parts.push(tn('sync.cancelled', r.cancelled));
  if (r.past) parts.push(tn('sync.past', r.past));
  const line = parts.join(', ');
  return r.success ? line : `${t('sync.failedTitle')}: ${r.error ?? r.summary}`;
}
