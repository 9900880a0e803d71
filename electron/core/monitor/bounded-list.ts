/**
 * A newest-last list that keeps at most `cap` items and counts every item ever added
 * (DESIGN rule 6: each cap has a separate total). Backed by a ring so pushes stay O(1)
 * at 1M messages.
 */
export class BoundedList<T> {
  private ring: (T | undefined)[];
  private start = 0;
  private size = 0;
  total = 0;

  constructor(
    private capacity: number,
    initial: readonly T[] = [],
    initialTotal = 0,
  ) {
    this.ring = new Array<T | undefined>(capacity);
    for (const item of initial.slice(-capacity)) this.push(item);
    this.total = Math.max(initialTotal, this.size);
  }

  get cap(): number {
    return this.capacity;
  }

  get length(): number {
    return this.size;
  }

  /** Adds `item`; returns the oldest item when it had to make room for it. */
  push(item: T): T | undefined {
    this.total++;
    if (this.size < this.capacity) {
      this.ring[(this.start + this.size) % this.capacity] = item;
      this.size++;
      return undefined;
    }
    const evicted = this.ring[this.start];
    this.ring[this.start] = item;
    this.start = (this.start + 1) % this.capacity;
    return evicted;
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = new Array<T>(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.ring[(this.start + i) % this.capacity] as T;
    return out;
  }

  /** The newest `n` items, newest first. */
  newest(n = this.size): T[] {
    const count = Math.min(n, this.size);
    const out: T[] = new Array<T>(count);
    for (let i = 0; i < count; i++) out[i] = this.ring[(this.start + this.size - 1 - i) % this.capacity] as T;
    return out;
  }

  /** Applies `fn` to every kept item in place (acknowledging alerts). */
  update(fn: (item: T) => T): void {
    for (let i = 0; i < this.size; i++) {
      const idx = (this.start + i) % this.capacity;
      this.ring[idx] = fn(this.ring[idx] as T);
    }
  }

  clear(): void {
    this.ring = new Array<T | undefined>(this.capacity);
    this.start = 0;
    this.size = 0;
  }

  resize(capacity: number): void {
    if (capacity === this.capacity) return;
    const items = this.toArray().slice(-capacity);
    const total = this.total;
    this.capacity = capacity;
    this.clear();
    for (const item of items) this.push(item);
    this.total = total;
  }
}

/** Remembers the last `cap` ids to spot re-delivered messages. */
export class RecentIds {
  private readonly set = new Set<string>();
  private readonly order: string[] = [];
  private head = 0;

  constructor(private readonly cap: number) {}

  /** True when `id` was seen among the last `cap` ids; otherwise records it. */
  seen(id: string): boolean {
    if (this.set.has(id)) return true;
    if (this.order.length < this.cap) this.order.push(id);
    else {
      const evicted = this.order[this.head] as string;
      this.set.delete(evicted);
      this.order[this.head] = id;
      this.head = (this.head + 1) % this.cap;
    }
    this.set.add(id);
    return false;
  }

  /** The ids remembered, oldest first. */
  ids(): string[] {
    return this.order.length < this.cap ? [...this.order] : [...this.order.slice(this.head), ...this.order.slice(0, this.head)];
  }

  /** Forgets everything and remembers `ids` (oldest first), as if they had been seen in that order. */
  reset(ids: readonly string[]): void {
    this.set.clear();
    this.order.length = 0;
    this.head = 0;
    for (const id of ids) this.seen(id);
  }
}
