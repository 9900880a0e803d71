import type { MessageLogEntry } from '../../shared/state';

/**
 * What a Messages row says without being opened (issue 14 item 9): a cycle's status, an
 * alert's severity and text, a list's size. Read from the stored preview, which is cut for
 * large messages, so a cut preview still yields the status through a pattern.
 */
export interface MessageSummary {
  /** processing_status: started | completed | failed; system_alert: its severity. */
  status: string | null;
  tone: 'ok' | 'warn' | 'error' | null;
  /** Matches in a match list, when the preview is whole. */
  matches: number | null;
  /** An alert's or a failed cycle's own words (the processor's language). */
  text: string | null;
}

const TEXT_CAP = 120;

function obj(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const cut = (s: string | null): string | null => (s && s.length > TEXT_CAP ? `${s.slice(0, TEXT_CAP - 1)}…` : s);

function toneOf(status: string | null): MessageSummary['tone'] {
  if (status === 'failed' || status === 'error' || status === 'critical') return 'error';
  if (status === 'warning') return 'warn';
  if (status === 'completed') return 'ok';
  return null;
}

export function summarizeMessage(m: Pick<MessageLogEntry, 'type' | 'preview'>): MessageSummary {
  let payload: Record<string, unknown> | null = null;
  try {
    const parsed = obj(JSON.parse(m.preview));
    payload = obj(parsed?.payload) ?? parsed;
  } catch {
    payload = null;
  }
  if (m.type === 'processing_status') {
    const status = str(payload?.status) ?? /"status"\s*:\s*"(\w+)"/.exec(m.preview)?.[1] ?? null;
    const details = obj(payload?.details);
    const text = status === 'failed' ? str(details?.error_message) ?? str(details?.error) ?? str(payload?.error) : null;
    return { status, tone: toneOf(status), matches: null, text: cut(text) };
  }
  if (m.type === 'system_alert') {
    const severity = str(payload?.severity) ?? /"severity"\s*:\s*"(\w+)"/.exec(m.preview)?.[1] ?? null;
    return { status: severity, tone: toneOf(severity), matches: null, text: cut(str(payload?.message)) };
  }
  if (m.type === 'match_updates') {
    const list = payload?.matches;
    return { status: null, tone: null, matches: Array.isArray(list) ? list.length : null, text: null };
  }
  return { status: null, tone: null, matches: null, text: null };
}
