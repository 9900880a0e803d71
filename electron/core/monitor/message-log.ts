import { MESSAGES_PAGE_DEFAULT, type MessagesQuery, type MessagesResponse } from '../../../shared/api';
import type { RejectReason } from '../../../shared/messages';
import type { MessageLogEntry, RejectedEntry } from '../../../shared/state';
import { BoundedList } from './bounded-list';
import { PreviewSlab, textOf, type KeptText } from './preview-slab';

const PREVIEW_CHARS = 4096;
/** Previews per page of `/api/messages`, roughly (a page has at least one entry). */
const PAGE_PREVIEW_BYTES = 256 * 1024;
/** The dashboard's rate chart window. */
const RATE_WINDOW_MS = 10 * 60_000;

/** A log entry as kept: its preview outside the JS heap when it can be (preview-slab.ts). */
type KeptEntry = Omit<MessageLogEntry, 'preview' | 'cut'> & { preview: KeptText };

/**
 * The inspector's message log (every message but duplicates, with a preview) and the list of
 * rejected messages with their reason, each capped with a total (DESIGN rule 6).
 */
export class MessageLog {
  private entries: BoundedList<KeptEntry>;
  readonly rejected: BoundedList<RejectedEntry>;
  private readonly previews = new PreviewSlab();
  private seq = 0;

  constructor(caps: { messageLog: number; rejectedLog: number }) {
    this.entries = new BoundedList<KeptEntry>(caps.messageLog);
    this.rejected = new BoundedList<RejectedEntry>(caps.rejectedLog);
  }

  /** Preview slabs allocated so far (preview-slab.ts). */
  get previewSlabs(): number {
    return this.previews.slabsMade;
  }

  get total(): number {
    return this.entries.total;
  }

  resize(caps: { messageLog: number; rejectedLog: number }): void {
    this.entries.resize(caps.messageLog);
    this.rejected.resize(caps.rejectedLog);
  }

  /**
   * The messages are not kept across a restart, but their count is: the inspector's total
   * agrees with the Overview's (every message received but duplicates is logged) instead of
   * starting again at 0 (issue 14.9).
   */
  restoreTotal(total: number): void {
    this.entries = new BoundedList<KeptEntry>(this.entries.cap, [], Math.max(0, total));
  }

  /**
   * `text`: the payload when it is a string already; else a preview is decoded from `raw`.
   * Returns the entry as the live stream pushes it (the log keeps its own form of it).
   */
  log(channel: string, at: string, type: string, messageId: string | null, bytes: number, text: string | null, raw?: Buffer | string): MessageLogEntry {
    let preview = text;
    if (preview === null) preview = raw === undefined ? '' : typeof raw === 'string' ? raw : raw.subarray(0, PREVIEW_CHARS * 2).toString('utf8');
    if (preview.length > PREVIEW_CHARS) preview = preview.slice(0, PREVIEW_CHARS);
    const seq = this.add(channel, at, type, messageId, bytes, preview);
    return { seq, at, channel, type, messageId, bytes, preview };
  }

  /**
   * `log` without building the entry the live stream pushes (nobody may be listening: on a
   * stream of small messages that object was one more allocation per message, issue 12).
   * Returns the entry's number; `preview` is kept cut to PREVIEW_CHARS.
   */
  add(channel: string, at: string, type: string, messageId: string | null, bytes: number, preview: string): number {
    const seq = ++this.seq;
    const text = preview.length > PREVIEW_CHARS ? preview.slice(0, PREVIEW_CHARS) : preview;
    const evicted = this.entries.push({ seq, at, channel, type, messageId, bytes, preview: this.previews.keep(text) });
    if (evicted) this.previews.release(evicted.preview);
    return seq;
  }

  reject(entry: { at: string; channel: string; reason: RejectReason; error: string; head: string; bytes: number }): void {
    this.rejected.push(entry);
  }

  /**
   * One page of the log (oldest first within the page), at most `limit` entries and about
   * PAGE_PREVIEW_BYTES of previews, so opening a dashboard stays small (issue 12).
   */
  page(query: MessagesQuery, nowMs: number): MessagesResponse {
    const limit = query.limit ?? MESSAGES_PAGE_DEFAULT;
    const all = this.entries.toArray();
    let end = all.length;
    if (query.before !== undefined) {
      const before = query.before;
      while (end > 0 && all[end - 1]!.seq >= before) end--;
    }
    let start = end;
    let bytes = 0;
    while (start > 0 && end - start < limit) {
      const size = all[start - 1]!.preview.length;
      if (end - start > 0 && bytes + size > PAGE_PREVIEW_BYTES) break;
      bytes += size;
      start--;
    }
    const entries = all.slice(start, end).map(entryOf);
    const page: MessagesResponse = { entries, total: this.entries.total, cap: this.entries.cap, next: start > 0 ? (entries[0]?.seq ?? null) : null };
    if (query.before === undefined) {
      const from = nowMs - RATE_WINDOW_MS;
      page.arrivals = all.map((e) => Date.parse(e.at)).filter((t) => t >= from);
    }
    return page;
  }
}

function entryOf(e: KeptEntry): MessageLogEntry {
  return { seq: e.seq, at: e.at, channel: e.channel, type: e.type, messageId: e.messageId, bytes: e.bytes, preview: textOf(e.preview) };
}
