/**
 * RFC 8785 (JSON Canonicalization Scheme) serialization: object keys sorted by UTF-16 code units, no
 * whitespace, ECMAScript number and string formatting. The leaf hash covers these bytes, so any verifier
 * that re-serializes a record the same way recomputes the same hash.
 *
 * Precondition: the value is plain JSON data (no undefined inside arrays, no functions, finite numbers);
 * object properties whose value is undefined are omitted, as JSON.stringify does.
 *
 * It sits on the ingest hot path, so it avoids work where it can: strings that need no escaping are quoted
 * directly, quoted keys are cached, and keys already in order are not sorted.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value))
        throw new TypeError(`cannot canonicalize non-finite number ${value}`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += canonicalJson(value[i]);
        }
        return out + ']';
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      if (!isSorted(keys)) keys.sort();
      let out = '{';
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        if (out.length > 1) out += ',';
        out += quotedKey(key) + ':' + canonicalJson(item);
      }
      return out + '}';
    }
    default:
      throw new TypeError(`cannot canonicalize a value of type ${typeof value}`);
  }
}

/** Characters JSON.stringify escapes: quote, backslash, C0 controls, and (possibly lone) surrogates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : '"' + text + '"';
}

const keyCache = new Map<string, string>();
const KEY_CACHE_LIMIT = 4096;

function quotedKey(key: string): string {
  let quoted = keyCache.get(key);
  if (quoted === undefined) {
    quoted = quote(key);
    if (keyCache.size < KEY_CACHE_LIMIT) keyCache.set(key, quoted);
  }
  return quoted;
}

function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++)
    if ((keys[i - 1] as string) > (keys[i] as string)) return false;
  return true;
}
