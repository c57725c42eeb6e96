import { isJsonObject, pyNumberRepr } from './py-format.js';

/** Characters JSON must escape; a string without any (nearly all) is written as it is. */
// eslint-disable-next-line no-control-regex -- the control characters are exactly what JSON escapes
const NEEDS_ESCAPING = /["\\\u0000-\u001f]/;

function encodeString(value: string): string {
  if (!NEEDS_ESCAPING.test(value)) return `"${value}"`;
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * JSON exactly as glance writes its bodies (`json.dumps(value, ensure_ascii=False)`): `", "` between
 * items and `": "` after keys, non-ASCII left as is, so lengths match glance's byte for byte.
 * Properties whose value is `undefined` are left out, as `JSON.stringify` does.
 */
export function glanceJson(value: unknown): string {
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not JSON: ${value}`);
    return pyNumberRepr(value);
  }
  if (typeof value === 'string') return encodeString(value);
  if (Array.isArray(value)) return `[${value.map((item) => glanceJson(item === undefined ? null : item)).join(', ')}]`;
  if (isJsonObject(value)) {
    const members = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${members.map(([key, item]) => `${encodeString(key)}: ${glanceJson(item)}`).join(', ')}}`;
  }
  throw new TypeError(`not JSON: ${typeof value}`);
}
