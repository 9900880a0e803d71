/**
 * `JSON.stringify(items)` for a list whose elements keep their objects from one save to the
 * next (the ingest mirror hands unchanged matches on as the same objects): each element's
 * text is kept beside the object, so a save costs the changed elements plus one join, not
 * the whole list (issue 12: stringifying a 1000-match list took ~28 ms of the main thread).
 *
 * The text is the same as `JSON.stringify(items)` byte for byte, as long as nobody changes an
 * element object after it was saved once (nothing does: a changed match arrives as a new
 * object). Elements are held weakly: a match that left every list is not kept alive.
 */
export class JsonArrayText {
  /**
   * One cache for every user: the calendar's last list, state.json and the phonebook save the
   * same match objects, and each would otherwise stringify (and keep) its own copy of each text.
   */
  private static readonly shared = new WeakMap<object, string>();
  private readonly cache = JsonArrayText.shared;

  text(items: readonly object[]): string {
    return `[${this.elements(items).join(',')}]`;
  }

  /**
   * The same text as pieces (`[`, each element's text with `,` between them, `]`) for
   * `writeFileAtomic`, which writes them one by one: a 2 MB list is then never joined into one
   * string (nor that string copied again to encode it) on the main thread.
   */
  parts(items: readonly object[]): string[] {
    const texts = this.elements(items);
    if (texts.length === 0) return ['[]'];
    const out = new Array<string>(texts.length * 2 + 1);
    out[0] = '[';
    for (let i = 0; i < texts.length; i++) {
      out[i * 2 + 1] = texts[i]!;
      out[i * 2 + 2] = ',';
    }
    out[out.length - 1] = ']';
    return out;
  }

  /**
   * Stringifies ahead the elements not yet kept, until `performance.now()` reaches `until`;
   * true when none is left. A caller spreads a list of many new elements over turns of the
   * event loop before `parts` (the same text, taken from the cache).
   */
  prepare(items: readonly object[], until: number): boolean {
    for (const item of items) {
      if (this.cache.has(item)) continue;
      if (performance.now() >= until) return false;
      this.cache.set(item, JSON.stringify(item));
    }
    return true;
  }

  private elements(items: readonly object[]): string[] {
    const texts = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      let t = this.cache.get(item);
      if (t === undefined) {
        t = JSON.stringify(item);
        this.cache.set(item, t);
      }
      texts[i] = t;
    }
    return texts;
  }
}

/**
 * Whether two texts in pieces are the same pieces. Unchanged elements keep their cached string
 * objects, so this is mostly pointer comparisons: what a `===` of the joined texts decided
 * before, without joining them (the same text cut differently counts as changed: one extra write).
 */
export function sameParts(a: readonly string[] | null, b: readonly string[]): boolean {
  if (a === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
