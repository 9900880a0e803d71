import { createHash } from 'node:crypto';
import type { FogisMatch } from '../../../shared/messages';

/**
 * Python `json.dumps(value, sort_keys=True)` with its defaults (ensure_ascii=True, separators
 * ", " and ": "). The Python service hashes this text (spec §5.3), and we must produce the
 * same hash to the character so events it created are recognised as unchanged.
 */
export function pythonJsonDumps(value: unknown): string {
  const out: string[] = [];
  encode(value, out);
  return out.join('');
}

function encode(value: unknown, out: string[]): void {
  if (value === null || value === undefined) {
    out.push('null');
  } else if (typeof value === 'string') {
    out.push(encodeString(value));
  } else if (typeof value === 'number') {
    out.push(pythonNumber(value));
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (typeof value === 'bigint') {
    out.push(value.toString());
  } else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(', ');
      encode(item, out);
    });
    out.push(']');
  } else if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    // JSON.stringify drops undefined members; a Python dict from parsed JSON never has them.
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort(compareCodePoints);
    out.push('{');
    keys.forEach((k, i) => {
      if (i > 0) out.push(', ');
      out.push(encodeString(k), ': ');
      encode(obj[k], out);
    });
    out.push('}');
  } else {
    throw new TypeError(`cannot encode a ${typeof value} as JSON`);
  }
}

/** Python sorts str keys by code point; JS's default sort compares UTF-16 units. */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0) ?? 0;
    const cy = y.value.codePointAt(0) ?? 0;
    if (cx !== cy) return cx - cy;
  }
}

const SHORT_ESCAPES: Record<number, string> = {
  0x22: '\\"',
  0x5c: '\\\\',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x08: '\\b',
  0x0c: '\\f',
};

/**
 * ensure_ascii: everything outside printable ASCII (space..~) becomes lowercase \uXXXX.
 * Iterating UTF-16 code units yields the surrogate pairs Python writes for astral chars.
 */
function encodeString(s: string): string {
  let out = '"';
  let plainFrom = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(plainFrom, i);
    out += SHORT_ESCAPES[c] ?? '\\u' + c.toString(16).padStart(4, '0');
    plainFrom = i + 1;
  }
  return out + s.slice(plainFrom) + '"';
}

/**
 * Integral JS numbers are taken as Python ints (JSON.parse cannot tell 1 from 1.0); other
 * values follow Python's float repr: shortest round-trip digits, exponent form when the
 * decimal exponent is < -4 or >= 16, "e-05"-style two-digit exponents.
 */
export function pythonNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Number.isInteger(n)) return BigInt(n).toString();
  const [mantissa = '', expText = '0'] = n.toExponential().split('e');
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  if (digits.length <= intLen) return `${sign}${digits.padEnd(intLen, '0')}.0`;
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The object §5.3 hashes: exactly these keys, list defaults `[]`, referees complete and unsorted. */
export function calendarHashInput(match: FogisMatch): Record<string, unknown> {
  return {
    lag1namn: match.lag1namn,
    lag2namn: match.lag2namn,
    anlaggningnamn: match.anlaggningnamn ?? null,
    tid: match.tid,
    tavlingnamn: match.tavlingnamn ?? null,
    kontaktpersoner: match.kontaktpersoner ?? [],
    domaruppdraglista: match.domaruppdraglista ?? [],
  };
}

/** `calendarHash` (§5.3): over FOGIS fields only, so our own description extras never change it. */
export function calendarHash(match: FogisMatch): string {
  return sha256Hex(pythonJsonDumps(calendarHashInput(match)));
}
