/**
 * Swedish phone numbers to E.164, the way the Python service compares them (spec §5.7):
 * separators stripped, a leading 0 becomes +46, a leading 46 gets a +. We also read `00`
 * as the international prefix. Anything that is not 8–15 digits afterwards is not a number
 * we can dial or match on: null.
 */
export function toE164(raw: string | null | undefined): string | null {
  if (typeof raw !== 'string') return null;
  const s = raw.trim();
  if (!s) return null;
  const plus = s.startsWith('+');
  // Letters (an extension note, "saknas") mean this is not a plain number.
  if (/[A-Za-z]/.test(s)) return null;
  const digits = s.replace(/\D/g, '');
  if (!digits) return null;
  let e164: string;
  if (plus) e164 = `+${digits}`;
  else if (digits.startsWith('00')) e164 = `+${digits.slice(2)}`;
  else if (digits.startsWith('0')) e164 = `+46${digits.slice(1)}`;
  else if (digits.startsWith('46') && digits.length >= 10) e164 = `+${digits}`;
  else e164 = `+46${digits}`;
  return /^\+[1-9]\d{7,14}$/.test(e164) ? e164 : null;
}

/** E-mail as matched: trimmed, lowercase; null when it has no `@` between two parts. */
export function normaliseEmail(raw: string | null | undefined): string | null {
  if (typeof raw !== 'string') return null;
  const s = raw.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+$/.test(s) ? s : null;
}
