import type { FogisMatch, Referee } from '../../../shared/messages';
import type { ChangeKind, FieldChange, MatchChange } from '../../../shared/state';
import { kickoffMs, localKickoff } from './match-time';

/**
 * Our own change detection (DESIGN rule 4): every production match_updates carries the full
 * list, so we compare it with the list we stored. MLP's `detailed_changes` are empty for
 * updates (Q1) and blind to referee changes (Q3), so they are never consulted.
 */

export const matchKey = (m: Pick<FogisMatch, 'matchid'>): string => String(m.matchid);
export const matchTitle = (m: Pick<FogisMatch, 'lag1namn' | 'lag2namn'>): string => `${m.lag1namn} - ${m.lag2namn}`;

const PLAIN_FIELDS = ['anlaggningnamn', 'lag1namn', 'lag2namn', 'tavlingnamn', 'matchnr'] as const;

function refereeRole(r: Referee, index: number): string {
  return r.domarrollkortnamn || r.domarrollnamn || `#${index + 1}`;
}
function refereeName(r: Referee): string {
  return r.personnamn || r.namn || '';
}
const CONTACT_KEYS = ['mobiltelefon', 'telefon', 'epostadress', 'adress', 'postnr', 'postort'] as const;

/** Referee slots by role: a replaced AD1 shows as `referee:AD1` old → new name. */
function refereeChanges(prev: Referee[], next: Referee[]): FieldChange[] {
  const slots = (list: Referee[]): Map<string, Referee> => {
    const map = new Map<string, Referee>();
    list.forEach((r, i) => {
      let role = refereeRole(r, i);
      while (map.has(role)) role += "'";
      map.set(role, r);
    });
    return map;
  };
  const a = slots(prev);
  const b = slots(next);
  const out: FieldChange[] = [];
  for (const role of new Set([...a.keys(), ...b.keys()])) {
    const before = a.get(role);
    const after = b.get(role);
    const oldName = before ? refereeName(before) : null;
    const newName = after ? refereeName(after) : null;
    if (oldName !== newName) out.push({ field: `referee:${role}`, old: oldName, new: newName });
    else if (before && after && CONTACT_KEYS.some((k) => (before[k] ?? '') !== (after[k] ?? ''))) {
      out.push({ field: `referee:${role}:contact`, old: null, new: null });
    }
  }
  return out;
}

function fieldChanges(prev: FogisMatch, next: FogisMatch): FieldChange[] {
  const out: FieldChange[] = [];
  if (kickoffMs(prev.tid) !== kickoffMs(next.tid)) {
    out.push({ field: 'kickoff', old: localKickoff(prev), new: localKickoff(next) });
  } else {
    for (const k of ['speldatum', 'avsparkstid'] as const) {
      if ((prev[k] ?? null) !== (next[k] ?? null)) out.push({ field: k, old: prev[k] ?? null, new: next[k] ?? null });
    }
  }
  for (const k of PLAIN_FIELDS) {
    if ((prev[k] ?? null) !== (next[k] ?? null)) out.push({ field: k, old: prev[k] ?? null, new: next[k] ?? null });
  }
  out.push(...refereeChanges(prev.domaruppdraglista ?? [], next.domaruppdraglista ?? []));
  if (JSON.stringify(prev.kontaktpersoner ?? []) !== JSON.stringify(next.kontaktpersoner ?? [])) {
    out.push({ field: 'kontaktpersoner', old: null, new: null });
  }
  return out;
}

const FLAG_KIND: ReadonlyArray<[flag: 'installd' | 'uppskjuten' | 'avbruten', kind: ChangeKind]> = [
  ['installd', 'cancelled'],
  ['uppskjuten', 'postponed'],
  ['avbruten', 'abandoned'],
];

/** One change per affected match; the kind is the most important thing that happened to it. */
export function diffMatches(prev: readonly FogisMatch[], next: readonly FogisMatch[], at: string, messageId: string): MatchChange[] {
  const before = new Map(prev.map((m) => [matchKey(m), m]));
  const changes: MatchChange[] = [];
  const seen = new Set<string>();
  for (const m of next) {
    const id = matchKey(m);
    if (seen.has(id)) continue;
    seen.add(id);
    const old = before.get(id);
    if (!old) {
      changes.push({ matchId: id, kind: m.installd ? 'cancelled' : 'new', title: matchTitle(m), fields: [], at, messageId });
      continue;
    }
    const fields = fieldChanges(old, m);
    let kind: ChangeKind | null = null;
    for (const [flag, flagKind] of FLAG_KIND) {
      const was = old[flag] === true;
      const is = m[flag] === true;
      if (was === is) continue;
      fields.unshift({ field: flag, old: was, new: is });
      if (is && kind === null) kind = flagKind;
      if (!is && flag === 'installd' && kind === null) kind = 'uncancelled';
    }
    if (kind === null && fields.length > 0) kind = 'changed';
    if (kind !== null) changes.push({ matchId: id, kind, title: matchTitle(m), fields, at, messageId });
  }
  for (const [id, m] of before) {
    if (!seen.has(id)) changes.push({ matchId: id, kind: 'removed', title: matchTitle(m), fields: [], at, messageId });
  }
  return changes;
}
