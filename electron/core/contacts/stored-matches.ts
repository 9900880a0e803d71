import type { FogisMatch } from '../../../shared/messages';
import { matchKey, sameJson } from '../monitor/match-diff';
import type { ListBasis, MatchListInput } from '../sync/calendar-sink';

/** Keeps only what the phonebook reads of a match (the rest of the raw object is not ours to store). */
export function trimMatch(m: FogisMatch): FogisMatch {
  return {
    matchid: m.matchid,
    lag1namn: m.lag1namn,
    lag2namn: m.lag2namn,
    tid: m.tid,
    ...(m.speldatum !== undefined ? { speldatum: m.speldatum } : {}),
    ...(m.avsparkstid !== undefined ? { avsparkstid: m.avsparkstid } : {}),
    ...(m.installd !== undefined ? { installd: m.installd } : {}),
    ...(m.domaruppdraglista ? { domaruppdraglista: m.domaruppdraglista } : {}),
    ...(m.kontaktpersoner ? { kontaktpersoner: m.kontaktpersoner } : {}),
  };
}

/**
 * The phonebook's trimmed copies of the last list's matches, by id, so that a match the
 * phonebook reads the same as before keeps its object: the phonebook then knows from object
 * identity alone whether anything it reads changed (issue 12), and per-match work (the
 * derivation's reading, the saved text) is done once per version of a match.
 *
 * With the monitor's change model (match-diff.ts `diffMatchList`: a match in neither
 * `changes` nor `quiet` is the same JSON as in the list before), an unnamed match is taken
 * over unlooked-at; a named one (a new venue, say) is compared on what the phonebook keeps.
 * Without a model it can trust (the first list after a start, a list diffed against another
 * list than the one taken last, duplicate ids), every match is compared.
 */
export class StoredMatches {
  private byId = new Map<string, FogisMatch>();
  /** The list `byId` holds, when it holds exactly that list (no id twice). */
  private basis: ListBasis | null = null;

  /** The matches of the saved phonebook: compared, never trusted to be the last list. */
  seed(matches: readonly FogisMatch[]): void {
    this.byId = new Map(matches.map((m) => [matchKey(m), m]));
    this.basis = null;
  }

  /** The list's matches trimmed; each one the phonebook reads as before is its earlier object. */
  take(input: MatchListInput): FogisMatch[] {
    const changed = this.changeModel(input);
    const out: FogisMatch[] = [];
    const byId = new Map<string, FogisMatch>();
    for (const m of input.matches) {
      const id = matchKey(m);
      const prev = this.byId.get(id);
      // The change model speaks of the first match of an id only (diffMatchList skips repeats).
      const trusted = changed !== null && !changed.has(id) && !byId.has(id);
      let kept: FogisMatch;
      if (prev && trusted) kept = prev;
      else {
        const fresh = trimMatch(m);
        kept = prev && sameJson(prev, fresh) ? prev : fresh;
      }
      out.push(kept);
      byId.set(id, kept);
    }
    this.byId = byId;
    this.basis = byId.size === input.matches.length ? { messageId: input.messageId, receivedAt: input.receivedAt } : null;
    return out;
  }

  /** The ids the list's change model names, or null when it does not hold against `byId`. */
  private changeModel(input: MatchListInput): Set<string> | null {
    const b = input.basis;
    if (!input.quiet || !b || !this.basis || b.messageId !== this.basis.messageId || b.receivedAt !== this.basis.receivedAt) return null;
    const ids = new Set(input.quiet);
    for (const c of input.changes) ids.add(c.matchId);
    return ids;
  }
}
