import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { HmacSha256 } from '../../src/redact/hmac-sha256';

interface Rfc4231Case {
  name: string;
  keyHex: string;
  data: string;
  hmacHex: string;
}

const vectors = JSON.parse(
  readFileSync(join(__dirname, '../data/redact/hmac-sha256-rfc4231.json'), 'utf8'),
) as { cases: Rfc4231Case[] };

function nodeHmacHex(key: Uint8Array, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

/** Any UTF-16 code unit, lone surrogates included (both sides write them to UTF-8 as U+FFFD). */
const codeUnitString = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
    maxLength,
  });

describe('HmacSha256', () => {
  it.each(vectors.cases)('matches RFC 4231 $name', ({ keyHex, data, hmacHex }) => {
    expect(new HmacSha256(Buffer.from(keyHex, 'hex')).hex(data)).toBe(hmacHex);
  });

  it('matches createHmac for arbitrary keys and texts', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.array(codeUnitString(80), { minLength: 1, maxLength: 4 }),
        (key, texts) => {
          const hmac = new HmacSha256(key);
          expect(texts.map((text) => hmac.hex(text))).toEqual(
            texts.map((text) => nodeHmacHex(key, text)),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('matches createHmac for texts at and beyond the scratch block', () => {
    const key = Buffer.alloc(32, 0x5a);
    const hmac = new HmacSha256(key);
    // 1365 units of 3 UTF-8 bytes fit the 4096-byte scratch block; 1366 do not.
    const texts = ['\u20ac'.repeat(1365), '\u20ac'.repeat(1366), 'x'.repeat(5000), ''];
    expect(texts.map((text) => hmac.hex(text))).toEqual(
      texts.map((text) => nodeHmacHex(key, text)),
    );
  });

  it('gives the same result for a short text after a longer one', () => {
    const key = Buffer.alloc(32, 0x5a);
    const hmac = new HmacSha256(key);
    hmac.hex('a much longer text that leaves bytes behind in the scratch block');
    expect(hmac.hex('ab')).toBe(nodeHmacHex(key, 'ab'));
  });

  it('copies the key, so later changes to the caller key do not matter', () => {
    const key = Buffer.alloc(32, 0x5a);
    const hmac = new HmacSha256(key);
    key.fill(0);
    expect(hmac.hex('10.20.30.40')).toBe(nodeHmacHex(Buffer.alloc(32, 0x5a), '10.20.30.40'));
  });
});
