import type { FogisMatch } from '../../../shared/messages';
import { formatLocalShort, parseMatchTime, STOCKHOLM } from '../../../shared/fogis-time';

/** Kickoff instant in epoch ms (`/Date(ms)/` or ISO, spec §2.7), or null. */
export function kickoffMs(tid: string): number | null {
  return parseMatchTime(tid)?.getTime() ?? null;
}

/** "2026-11-30 15:00" in Swedish time, or null. */
export function localKickoff(match: Pick<FogisMatch, 'tid'>): string | null {
  const at = parseMatchTime(match.tid);
  return at ? formatLocalShort(at, STOCKHOLM) : null;
}
