/**
 * Python-compatible number rounding and JSON text, so the predictions file is byte-identical to what the original's
 * `json.dump` writes (separators ", " and ": ", floats as `repr`, integral floats with ".0", non-ASCII escaped).
 */

/** Python's `round(x, digits)` on a double: the exact binary value rounded to `digits` decimals, ties to even. */
export function pyRound(x: number, digits: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return x;
  const long = Math.abs(x).toFixed(Math.min(100, digits + 40)); // exact decimal expansion
  const dot = long.indexOf('.');
  const tail = long.slice(dot + 1 + digits);
  if (/^50*$/.test(tail)) {
    // an exact tie (x a short dyadic fraction such as 0.25): round half to even, as Python does
    const kept = long.slice(0, dot + 1 + digits).replace(/\.$/, '');
    const last = Number(kept[kept.length - 1]);
    const m = 10 ** digits;
    const down = Number(kept);
    const r = last % 2 === 0 ? down : Number(((Math.round(down * m) + 1) / m).toFixed(digits));
    return x < 0 ? -r : r;
  }
  return Number(x.toFixed(digits)); // toFixed picks the nearest decimal of the exact value
}

/** A float as Python's `repr` (shortest round-trip digits; integral values keep ".0"). */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // shortest round-trip digits (as repr), then Python's layout: fixed for 1e-4 ≤ |x| < 1e16, else d.ddde±XX
  const [mant, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const digits = mant.replace('.', '');
  const sign = x < 0 ? '-' : '';
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    return `${sign}${int}.${frac || '0'}`;
  }
  return `${sign}${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** A string as `json.dumps` writes it with `ensure_ascii=True`. */
export function pyString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** A JSON value whose numbers are floats (written with {@link pyFloat}) unless wrapped by {@link PyInt}. */
export type PyJson = null | boolean | number | string | PyInt | PyJson[] | { [key: string]: PyJson };

/** Marks an integer (written without ".0"). */
export class PyInt {
  constructor(readonly value: number) {}
}

/** `json.dumps(value)` with the default separators. */
export function pyJsonDumps(value: PyJson): string {
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') return pyFloat(value);
  if (typeof value === 'string') return pyString(value);
  if (value instanceof PyInt) return String(value.value);
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`;
  return `{${Object.entries(value).map(([k, v]) => `${pyString(k)}: ${pyJsonDumps(v)}`).join(', ')}}`;
}
