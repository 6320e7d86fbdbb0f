import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { firstInvalidUtf8Offset } from '../../src/schema/utf8';

describe('firstInvalidUtf8Offset', () => {
  it.each([
    ['ASCII', [0x61, 0x62], -1],
    [
      'two-, three- and four-byte characters',
      [0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80],
      -1,
    ],
    ['a stray continuation byte', [0x61, 0x80], 1],
    ['an overlong two-byte form', [0xc0, 0xaf], 0],
    ['an overlong three-byte form', [0xe0, 0x80, 0xaf], 0],
    ['an encoded surrogate', [0x61, 0xed, 0xa0, 0x80], 1],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a truncated sequence', [0x61, 0x62, 0xe2, 0x82], 2],
    ['a bad second continuation byte', [0xe2, 0x82, 0x41], 0],
    ['0xFF', [0xff], 0],
  ])('%s gives %p', (_name, bytes, expected) => {
    expect(firstInvalidUtf8Offset(Uint8Array.from(bytes))).toBe(expected);
  });

  it('agrees with the built-in validator, and everything before the offset is valid', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        const offset = firstInvalidUtf8Offset(bytes);
        expect(offset === -1).toBe(isUtf8(bytes));
        if (offset !== -1) {
          expect(isUtf8(bytes.subarray(0, offset))).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(firstInvalidUtf8Offset(Buffer.from(text, 'utf8'))).toBe(-1);
      }),
      { numRuns: 500 },
    );
  });
});
