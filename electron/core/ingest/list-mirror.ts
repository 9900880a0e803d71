import type { FogisMatch } from '../../../shared/messages';
import { matchKey } from '../monitor/match-diff';
import type { ListDelta } from './ingest-protocol';

/**
 * The main thread's copy of the list in force, rebuilt from each delta the ingest worker
 * sends: unchanged matches keep their objects, only new and changed ones arrive. Its cost
 * grows with the change (plus one pass over the ids when the order moved).
 */
export class ListMirror {
  private current: FogisMatch[] = [];
  private byId = new Map<string, FogisMatch>();
  private order: string[] = [];

  get list(): FogisMatch[] {
    return this.current;
  }

  set(matches: FogisMatch[]): void {
    this.current = matches;
    this.order = matches.map(matchKey);
    this.byId = new Map(matches.map((m, i) => [this.order[i]!, m]));
  }

  /** The new list; the same array when nothing changed. Throws (and changes nothing) on a delta that does not fit. */
  apply(d: ListDelta): FogisMatch[] {
    if (d.order === null && d.upserts.length === 0) return this.current;
    const fresh = new Map<string, FogisMatch>();
    for (const m of d.upserts) fresh.set(matchKey(m), m);
    const ids = d.order ?? this.order;
    const list: FogisMatch[] = [];
    for (const id of ids) {
      const m = fresh.get(id) ?? this.byId.get(id);
      if (m === undefined) throw new Error(`ingest: match ${id} is neither in the list in force nor in the changes`);
      list.push(m);
    }
    if (d.order === null) {
      for (const [id, m] of fresh) this.byId.set(id, m);
      this.current = list;
    } else this.set(list);
    return list;
  }
}
