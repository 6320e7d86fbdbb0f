import fc from 'fast-check';
import { ByteWriter } from '../../src/store/columnar-bytes';
import {
  HMAC_SHA256,
  MAX_TIME,
  MIN_TIME,
  packHex,
  parseInt15,
  parseTime,
  printedIntLength,
  printInt,
  printTime,
  TRACEPARENT,
  UUID,
} from '../../src/store/columnar-patterns';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

function printedTime(ms: number): string {
  const out = Buffer.alloc(24);
  printTime(ms, out, 0);
  return out.toString('latin1');
}

function printedInt(value: number): string {
  const out = Buffer.alloc(printedIntLength(value));
  printInt(value, out, 0);
  return out.toString('latin1');
}

function intOf(text: string): number | undefined {
  return parseInt15(bytes(text), 0, text.length);
}

describe('columnar value patterns', () => {
  describe('Time', () => {
    it('prints every instant of years 0000-9999 as toISOString does', () => {
      fc.assert(
        fc.property(fc.integer({ min: MIN_TIME, max: MAX_TIME }), (ms) => {
          expect(printedTime(ms)).toBe(new Date(ms).toISOString());
        }),
        { numRuns: 5000 },
      );
    });

    it('parses what it prints back to the same instant', () => {
      fc.assert(
        fc.property(fc.integer({ min: MIN_TIME, max: MAX_TIME }), (ms) => {
          expect(parseTime(bytes(printedTime(ms)), 0)).toBe(ms);
        }),
        { numRuns: 5000 },
      );
    });

    it.each([
      ['0000-01-01T00:00:00.000Z', MIN_TIME],
      ['9999-12-31T23:59:59.999Z', MAX_TIME],
      ['1970-01-01T00:00:00.000Z', 0],
      ['1969-12-31T23:59:59.999Z', -1],
      ['2024-02-29T12:00:00.000Z', Date.UTC(2024, 1, 29, 12)],
      ['2000-02-29T00:00:00.000Z', Date.UTC(2000, 1, 29)],
      ['0099-03-01T00:00:00.000Z', -59_037_897_600_000],
    ])('parses %s as %d', (text, ms) => {
      expect(parseTime(bytes(text), 0)).toBe(ms);
    });

    it.each([
      '2026-11-26T10:00:00Z.00',
      '2026-11-26T10:00:00.000z',
      '2026-11-26 10:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-00-01T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2023-02-29T00:00:00.000Z',
      '1900-02-29T00:00:00.000Z',
      '2026-11-26T24:00:00.000Z',
      '2026-11-26T10:60:00.000Z',
      '2026-11-26T10:00:60.000Z',
      '2026-11-26T10:00:00.000+',
      '2026-1a-26T10:00:00.000Z',
    ])('refuses %s', (text) => {
      expect(parseTime(bytes(text), 0)).toBeUndefined();
    });
  });

  describe('Int', () => {
    it('prints every integer of up to 15 digits as String does', () => {
      fc.assert(
        fc.property(fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }), (n) => {
          expect(printedInt(n)).toBe(String(n));
        }),
        { numRuns: 5000 },
      );
    });

    it.each([
      ['0', 0],
      ['-1', -1],
      ['999999999999999', 999_999_999_999_999],
      ['-999999999999999', -999_999_999_999_999],
    ])('parses %s as %d', (text, value) => {
      expect(intOf(text)).toBe(value);
    });

    it.each(['-0', '01', '-01', '1000000000000000', '1.0', '1e5', '+1', '-', '', ' 1'])(
      'refuses %s',
      (text) => {
        expect(intOf(text)).toBeUndefined();
      },
    );
  });

  describe('hex templates', () => {
    const packs = (template: typeof UUID, text: string): string | undefined => {
      const out = new ByteWriter();
      return template.matchAndPack(bytes(text), 0, text.length, out)
        ? out.finish().toString('hex')
        : undefined;
    };

    it('packs a lowercase UUID to its 16 bytes', () => {
      expect(packs(UUID, '01a2174c-3500-7d76-a28f-b76b29350b5b')).toBe(
        '01a2174c35007d76a28fb76b29350b5b',
      );
    });

    it.each([
      '01A2174C-3500-7D76-A28F-B76B29350B5B',
      '01a2174c35007d76a28fb76b29350b5b',
      '01a2174c-3500-7d76-a28f-b76b29350b5',
      '01a2174c-3500-7d76-a28f-b76b29350b5bb',
      '01a2174c_3500-7d76-a28f-b76b29350b5b',
      '01a2174g-3500-7d76-a28f-b76b29350b5b',
    ])('refuses %s as a UUID', (text) => {
      expect(packs(UUID, text)).toBeUndefined();
    });

    it('packs a traceparent to its 26 bytes', () => {
      expect(packs(TRACEPARENT, '00-8d8f75f1e24926f22955a7a2df269b1d-e471effbadf66b24-01')).toBe(
        '008d8f75f1e24926f22955a7a2df269b1de471effbadf66b2401',
      );
    });

    it('packs an hmac-sha256 value to its 32 bytes, leaving out the prefix', () => {
      expect(packs(HMAC_SHA256, `hmac-sha256:${'0f'.repeat(32)}`)).toBe('0f'.repeat(32));
    });

    it.each([
      `hmac-sha256:${'0f'.repeat(31)}0`,
      `hmac-sha256:${'0F'.repeat(32)}`,
      `hmac-sha257:${'0f'.repeat(32)}`,
    ])('refuses %s as hmac-sha256', (text) => {
      expect(packs(HMAC_SHA256, text)).toBeUndefined();
    });

    it('prints back what it packs', () => {
      fc.assert(
        fc.property(fc.uuid(), (uuid) => {
          const out = new ByteWriter();
          if (!UUID.matchAndPack(bytes(uuid), 0, uuid.length, out)) return;
          const printed = Buffer.alloc(UUID.token.length);
          UUID.print(out.finish(), 0, printed, 0);
          expect(printed.toString('latin1')).toBe(`"${uuid}"`);
        }),
      );
    });
  });

  describe('hex', () => {
    const packed = (text: string): boolean =>
      packHex(bytes(text), 0, text.length, new ByteWriter());

    it('packs an even number of lowercase hex digits', () => {
      expect(packed('00ff9a')).toBe(true);
    });

    it.each(['', 'abc', '00FF', '0g'])('refuses %s', (text) => {
      expect(packed(text)).toBe(false);
    });
  });
});
