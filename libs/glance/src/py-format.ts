/**
 * Python formatting rules that leak into Glance's wire format: `repr()` of JSON values (jsonschema's
 * messages), `urllib.parse.urlencode` (list links), `int()` parsing (query parameters), webob's HTML
 * escaping (error pages) and `len()` of a string (code points, not UTF-16 units).
 */

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function hex(codePoint: number, width: number): string {
  return codePoint.toString(16).padStart(width, '0');
}

/** Python's `repr()` of a str. */
export function pyStrRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of value) {
    const codePoint = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      if (codePoint < 0x100) out += `\\x${hex(codePoint, 2)}`;
      else if (codePoint < 0x10000) out += `\\u${hex(codePoint, 4)}`;
      else out += `\\U${hex(codePoint, 8)}`;
    } else out += ch;
  }
  return out + quote;
}

/** Python's `repr()` of a float (shortest round-trip digits, scientific below 1e-4 and from 1e16). */
function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = value < 0 ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const significand = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${significand}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent >= 0) {
    const integer = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    return `${sign}${integer}.${digits.slice(exponent + 1) || '0'}`;
  }
  return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
}

/** Python's `repr()` of a number that came out of JSON (integral values are Python ints). */
export function pyNumberRepr(value: number): string {
  return Number.isInteger(value) ? BigInt(value).toString() : pyFloatRepr(value);
}

/** Python's `repr()` of a decoded JSON value: `None`, `True`, `'text'`, `[1, 2]`, `{'k': 'v'}`. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pyNumberRepr(value);
  if (typeof value === 'string') return pyStrRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${pyStrRepr(key)}: ${pyRepr(item)}`).join(', ')}}`;
  }
  return pyStrRepr(String(value));
}

/** Python's `str()` of a decoded JSON value (what `'%s' % value` prints). */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/** Python's `len()` of a str: code points. */
export function pyLen(value: string): number {
  return Array.from(value).length;
}

const PY_INT = /^\s*([+-]?)(\d(?:_?\d)*)\s*$/;

/** Python's `int(text)` for the ASCII forms: surrounding whitespace, a sign, digits and single underscores. */
export function pyInt(text: string): number | null {
  const match = PY_INT.exec(text);
  if (!match) return null;
  const magnitude = Number((match[2] ?? '').replaceAll('_', ''));
  return match[1] === '-' ? -magnitude : magnitude;
}

const QUOTE_SAFE = /[A-Za-z0-9_.~-]/;
const UTF8 = new TextEncoder();

/** Python's `urllib.parse.quote_plus(text, safe='')`. */
export function pyQuotePlus(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === ' ') out += '+';
    else if (QUOTE_SAFE.test(ch)) out += ch;
    else for (const byte of UTF8.encode(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Python's `urllib.parse.urlencode(pairs)`. */
export function pyUrlencode(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([key, value]) => `${pyQuotePlus(key)}=${pyQuotePlus(value)}`).join('&');
}

/** webob's `html_escape`: `html.escape(text, quote=True)`, then non-ASCII as decimal character references. */
export function htmlEscape(text: string): string {
  let out = '';
  for (const ch of text) {
    const codePoint = ch.codePointAt(0) ?? 0;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (ch === "'") out += '&#x27;';
    else if (codePoint > 0x7f) out += `&#${codePoint};`;
    else out += ch;
  }
  return out;
}

/** Compares two strings by code point, as Python (and a binary SQL collation) orders them. */
export function compareCodePoints(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const difference = (x.value.codePointAt(0) ?? 0) - (y.value.codePointAt(0) ?? 0);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
}

/** A JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own enumerable property, even one named `__proto__` (plain assignment would not). */
export function setOwnProperty<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
