import type { TextParams } from '../../../shared/text-ref';
import type { HeldDeletion } from './types';

/** Matches named in one alert; the rest are counted ("and 12 more"), the dashboard lists all. */
const NAMED = 8;

function names(list: ReadonlyArray<HeldDeletion & { kickoff?: string | null }>): string {
  const shown = list.slice(0, NAMED).map((h) => (h.kickoff ? `${h.title} (${h.kickoff})` : h.title));
  if (list.length > NAMED) shown.push(`and ${list.length - NAMED} more`);
  return shown.join(', ');
}

/**
 * The deletion guard explains itself (issue 10 §5): which matches, why, and that played
 * matches are never touched, so a coordinator can confirm (or wait) knowing what happens.
 */
export function heldDeletionsMessage(held: ReadonlyArray<HeldDeletion & { kickoff?: string | null }>, upcoming: number): string {
  const cancelled = held.filter((h) => h.reason === 'cancelled');
  const removed = held.filter((h) => h.reason === 'removed');
  const parts = [`${held.length} deletions held back: the new match list would remove ${held.length} of ${upcoming} upcoming matches from the calendar.`];
  if (cancelled.length > 0) parts.push(`Cancelled in FOGIS: ${names(cancelled)}.`);
  if (removed.length > 0) parts.push(`No longer in the match list: ${names(removed)}.`);
  parts.push('Events of matches already played are never deleted or changed.');
  parts.push('Confirm to delete these events; if the next list brings the matches back, nothing is deleted.');
  return parts.join(' ');
}

/** The same explanation as catalogue values (appAlert.deletionsHeld, said in the user's language). */
export function heldDeletionsParams(held: ReadonlyArray<HeldDeletion & { kickoff?: string | null }>, upcoming: number): TextParams {
  const cancelled = held.filter((h) => h.reason === 'cancelled');
  const removed = held.filter((h) => h.reason === 'removed');
  return { n: held.length, known: upcoming, cancelled: cancelled.length > 0 ? names(cancelled) : '–', removed: removed.length > 0 ? names(removed) : '–' };
}
