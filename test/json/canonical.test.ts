import { canonicalJson } from '../../src/json/canonical';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts object keys by UTF-16 code units at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: true, c: null }, A: [] })).toBe(
      '{"A":[],"a":{"c":null,"d":true},"b":1}',
    );
  });

  it('orders keys by code unit, not by code point or locale', () => {
    // U+20AC (euro) is a single unit 0x20AC; U+1F600 is the surrogate pair 0xD83D 0xDE00, so it sorts after.
    expect(canonicalJson({ '\u{1F600}': 1, '\u20ac': 2, z: 3 })).toBe(
      '{"z":3,"\u20ac":2,"\u{1F600}":1}',
    );
  });

  it('formats numbers as ECMAScript does', () => {
    expect(canonicalJson([1e21, 0.1, -0, 100, 1.5e-7])).toBe('[1e+21,0.1,0,100,1.5e-7]');
  });

  it('omits undefined properties', () => {
    expect(canonicalJson({ a: undefined, b: 'x' })).toBe('{"b":"x"}');
  });

  it('escapes strings minimally', () => {
    expect(canonicalJson('a"b\\c\n\u0001')).toBe('"a\\"b\\\\c\\n\\u0001"');
  });

  it('refuses non-finite numbers', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(
      'cannot canonicalize non-finite number NaN',
    );
  });
});
