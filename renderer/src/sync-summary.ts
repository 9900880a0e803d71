import type { SyncReport } from '../../shared/api';
import type { T } from './i18n';

/**
 * The result line in the user's language: "3 updated, 1 deleted, 0 failed"; a failure says why
 * (`failure`: the report's code said in the page language, see say.ts), never the server's English.
 */
export function syncSummary(r: SyncReport, { t, tn, failure }: Pick<T, 't' | 'tn'> & { failure?: (r: SyncReport) => string }): string {
  const parts: string[] = [];
  if (r.inserted > 0) parts.push(tn('sync.inserted', r.inserted));
  parts.push(tn('sync.updated', r.updated), tn('sync.deleted', r.deleted), tn('sync.failed', r.failed));
  if (r.held > 0) parts.push(tn('sync.held', r.held));
  if (r.unchanged > 0) parts.push(tn('sync.unchanged', r.unchanged));
  if (r.cancelled) parts.push(tn('sync.cancelled', r.cancelled));
  if (r.past) parts.push(tn('sync.past', r.past));
  const line = parts.join(', ');
  if (r.success) return line;
  const why = failure ? failure(r) : t('app.failed');
  const didSomething = r.inserted + r.updated + r.deleted + r.failed > 0;
  return `${t('sync.failedTitle')}: ${why}${didSomething ? ` (${line})` : ''}`;
}
