import fc from 'fast-check';
import {
  SENTINEL_FIELD_LIMIT_BYTES,
  TRUNCATION_MARKER,
  truncateUtf8,
} from '../../src/sentinel/field-limit';

const MARKER_BYTES = Buffer.byteLength(TRUNCATION_MARKER, 'utf8');

describe('truncateUtf8', () => {
  it('returns text that fits unchanged', () => {
    expect(truncateUtf8('SELECT 1', 8)).toBe('SELECT 1');
  });

  it('keeps text of exactly the limit', () => {
    const text = 'x'.repeat(SENTINEL_FIELD_LIMIT_BYTES);
    expect(truncateUtf8(text)).toBe(text);
  });

  it('cuts one byte over the limit to the limit, marker included', () => {
    const result = truncateUtf8('x'.repeat(SENTINEL_FIELD_LIMIT_BYTES + 1));
    expect(result).toBe('x'.repeat(SENTINEL_FIELD_LIMIT_BYTES - MARKER_BYTES) + TRUNCATION_MARKER);
    expect(Buffer.byteLength(result, 'utf8')).toBe(SENTINEL_FIELD_LIMIT_BYTES);
  });

  it('measures UTF-8 bytes, not characters: 30,000 euro signs are 90,000 bytes', () => {
    const result = truncateUtf8('€'.repeat(30_000));
    // 3 bytes each: (64,000 - marker) / 3 whole characters fit before the marker.
    expect(result).toBe(
      '€'.repeat(Math.floor((SENTINEL_FIELD_LIMIT_BYTES - MARKER_BYTES) / 3)) + TRUNCATION_MARKER,
    );
  });

  it('never splits a surrogate pair', () => {
    // U+1F600 is 4 UTF-8 bytes (80 in all): 10 bytes beside the marker hold 2 of them, not 2.5.
    const result = truncateUtf8('😀'.repeat(20), MARKER_BYTES + 10);
    expect(result).toBe('😀😀' + TRUNCATION_MARKER);
  });

  it('refuses a limit smaller than the marker', () => {
    expect(() => truncateUtf8('x'.repeat(100), 10)).toThrow(
      `field limit 10 is smaller than the truncation marker (${MARKER_BYTES} bytes)`,
    );
  });

  it('always fits the limit and keeps a prefix of the original', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.integer({ min: MARKER_BYTES, max: 300 }),
        (text, limit) => {
          const result = truncateUtf8(text, limit);
          if (result === text) {
            expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(limit);
          } else {
            expect(Buffer.byteLength(result, 'utf8')).toBeLessThanOrEqual(limit);
            expect(result.endsWith(TRUNCATION_MARKER)).toBe(true);
            expect(text.startsWith(result.slice(0, -TRUNCATION_MARKER.length))).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
