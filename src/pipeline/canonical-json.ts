/**
 * RFC 8785 (JSON Canonicalization Scheme) serialization: object keys sorted by UTF-16 code units, no
 * whitespace, ECMAScript number and string formatting. The leaf hash covers these bytes, so any verifier
 * that re-serializes a record the same way recomputes the same hash.
 *
 * Precondition: the value is plain JSON data (no undefined inside arrays, no functions, finite numbers);
 * object properties whose value is undefined are omitted, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot canonicalize non-finite number ${value}`);
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
      const keys = Object.keys(value).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += JSON.stringify(key) + ':' + canonicalJson(item);
      }
      return out + '}';
    }
    default:
      throw new TypeError(`cannot canonicalize a value of type ${typeof value}`);
  }
}
