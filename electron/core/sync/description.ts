/**
 * The app owns one clearly delimited part of an event's description (DESIGN rule 10: never
 * text the coordinator wrote). Inside the markers: the Python service's text exactly as
 * spec §5.2 writes it (so an unchanged match reads the same whichever app wrote it) and our
 * "Last changed" line. Outside them: the coordinator's notes, kept on every update.
 *
 * An event without the markers (written by the Python service, or before the markers
 * existed) is all ours: its first update puts the markers in. A note typed into such an
 * event before the takeover cannot be told apart from the service's text.
 */
export const APP_TEXT_START = '--- FOGIS Monitor ---';
export const APP_TEXT_END = '--- FOGIS Monitor: your own notes go below this line and are kept ---';

/** Our part, between the markers, ending in a newline. */
export function wrapAppText(text: string): string {
  return `${APP_TEXT_START}\n${text}${text.endsWith('\n') ? '' : '\n'}${APP_TEXT_END}\n`;
}

/** The coordinator's text around our part of `existing`, with `app` (already wrapped) in its place. */
export function mergeDescription(existing: string | null | undefined, app: string): string {
  if (!existing) return app;
  const start = existing.indexOf(APP_TEXT_START);
  const end = start < 0 ? -1 : existing.indexOf(APP_TEXT_END, start);
  if (start < 0 || end < 0) return app;
  const before = existing.slice(0, start);
  const after = existing.slice(end + APP_TEXT_END.length).replace(/^\r?\n/, '');
  return before + app + after;
}

/** The coordinator's own text (outside our part), '' when there is none. */
export function ownNotes(existing: string | null | undefined): string {
  if (!existing) return '';
  return mergeDescription(existing, '');
}
