import type { FogisMatch, Generation } from '../../../shared/messages';
import type { MatchChange, MatchesState } from '../../../shared/state';
import { BoundedList } from './bounded-list';
import type { PersistedState } from './persisted-state';

/** Where the current list came from. */
export interface MatchListMeta {
  receivedAt: string;
  messageId: string;
  generation: Generation;
}

type StoredMeta = { [K in keyof MatchListMeta]: MatchListMeta[K] | null };

/**
 * The current full match list (what the next list is diffed against) and the history of
 * the changes found so far, newest last, capped at `limits.changeHistory` with a total.
 */
export class MatchListState {
  private current: FogisMatch[] = [];
  private meta: StoredMeta = { receivedAt: null, messageId: null, generation: null };
  private history: BoundedList<MatchChange>;

  constructor(historyCap: number) {
    this.history = new BoundedList<MatchChange>(historyCap);
  }

  /** The list in force; the next one is diffed against it. */
  get list(): FogisMatch[] {
    return this.current;
  }

  get receivedAt(): string | null {
    return this.meta.receivedAt;
  }

  /** Which list is in force (what the next list's changes are derived against); null before the first. */
  get basis(): { messageId: string; receivedAt: string } | null {
    const { messageId, receivedAt } = this.meta;
    return messageId !== null && receivedAt !== null ? { messageId, receivedAt } : null;
  }

  get historyTotal(): number {
    return this.history.total;
  }

  /** True once any list was received (this run or a restored one). */
  get hasList(): boolean {
    return this.current.length > 0 || this.meta.receivedAt !== null;
  }

  /** A new full list and its changes against the one it replaces. */
  replace(list: FogisMatch[], changes: readonly MatchChange[], meta: MatchListMeta): void {
    this.current = list;
    this.meta = { receivedAt: meta.receivedAt, messageId: meta.messageId, generation: meta.generation };
    this.record(changes);
  }

  /** Changes found outside a full list (`/manual-sync`). */
  record(changes: readonly MatchChange[]): void {
    for (const ch of changes) this.history.push(ch);
  }

  /** The stored matches with these ids (what a manual list is diffed against). */
  known(ids: ReadonlySet<string>): FogisMatch[] {
    return this.current.filter((m) => ids.has(String(m.matchid)));
  }

  resize(historyCap: number): void {
    this.history.resize(historyCap);
  }

  restore(saved: Pick<PersistedState, 'matches' | 'history' | 'historyTotal'>): void {
    const { list, ...meta } = saved.matches;
    this.current = list;
    this.meta = meta;
    // Saved newest first (the snapshot's order); kept newest last.
    this.history = new BoundedList(this.history.cap, [...saved.history].reverse(), saved.historyTotal);
  }

  /** The snapshot part (history newest first). */
  state(): MatchesState {
    return { list: this.current, ...this.meta, history: this.history.newest(), historyTotal: this.history.total };
  }

  persisted(): Pick<PersistedState, 'matches' | 'history' | 'historyTotal'> {
    return { matches: { list: this.current, ...this.meta }, history: this.history.newest(), historyTotal: this.history.total };
  }
}
