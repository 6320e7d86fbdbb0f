import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { canonicalJson } from '../../src/json/canonical';
import { deriveFacts } from '../../src/normalize';
import { encodeRecord } from '../../src/pipeline/record';
import { createRedactor, redactionPolicyFromSettings } from '../../src/redact';
import { parseEvent } from '../../src/schema/parse';
import { simulateTraffic } from '../../src/simulate';
import { ColumnarFormatError } from '../../src/store/columnar-bytes';
import { ColumnKind, type ColumnPlan } from '../../src/store/columnar-columns';
import { decodeColumnar, describeColumnar, encodeColumnar } from '../../src/store/columnar-frame';
import { encodeFrame } from '../../src/store/segment-format';

const DATA = join(__dirname, '..', 'data', 'columnar');

function roundTrip(records: readonly Uint8Array[]): Buffer[] {
  const total = records.reduce((sum, record) => sum + record.length, 0);
  return decodeColumnar(encodeColumnar(records), records.length, total);
}

function expectExactRoundTrip(records: readonly Uint8Array[]): void {
  const back = roundTrip(records);
  expect(back.map((b) => b.toString('hex'))).toEqual(
    records.map((r) => Buffer.from(r).toString('hex')),
  );
}

function kindNames(columns: readonly ColumnPlan[]): string[] {
  return columns.map(
    (plan) =>
      ColumnKind[plan.kind] +
      (plan.dictionary ? '+dictionary' : '') +
      (plan.kind === ColumnKind.HexFixed ? `(${plan.hexBytes})` : ''),
  );
}

/** Archive records as the ingest path builds them, from simulated traffic, with a fixed HMAC key. */
function simulatedRecords(count: number): Buffer[] {
  const redact = createRedactor(redactionPolicyFromSettings({}), Buffer.alloc(32, 7));
  const records: Buffer[] = [];
  let index = 0;
  for (const { body } of simulateTraffic({
    seed: 11,
    count,
    tenants: 1,
    start: new Date('2026-11-26T10:00:00Z'),
  })) {
    const parsed = parseEvent(Buffer.from(body));
    if (!parsed.ok) throw new Error(`simulated event ${index} did not parse`);
    const redaction = redact(parsed.event);
    records.push(
      encodeRecord({
        v: 1,
        event: redaction.event,
        derived: deriveFacts(parsed.event),
        ...(redaction.redacted.length > 0 ? { redacted: redaction.redacted } : {}),
        log: {
          partition: '0',
          index,
          sequenceNumber: index,
          enqueuedTime: new Date(Date.parse('2026-11-26T10:00:00Z') + index * 10).toISOString(),
        },
      }),
    );
    index++;
  }
  return records;
}

describe('columnar frame payload', () => {
  describe('real records', () => {
    const records = simulatedRecords(400);

    it('gives back every simulated archive record byte for byte', () => {
      expectExactRoundTrip(records);
    });

    it('types the id, trace, hash, time and counter columns of simulated records', () => {
      const kinds = new Set(
        kindNames(describeColumnar(encodeColumnar(records), records.length).columns).map((name) =>
          name.replace(/\+dictionary|\(\d+\)/g, ''),
        ),
      );
      expect([...kinds].sort()).toEqual(
        [
          'HexFixed',
          'HmacSha256',
          'IntDelta',
          'IntPlain',
          'SharedText',
          'Text',
          'TimeDelta',
          'Traceparent',
          'UuidDelta',
        ].sort(),
      );
    });

    it('archives simulated records in under 84 bytes each, frame header included', () => {
      const frame = encodeFrame(records.map((bytes, logIndex) => ({ logIndex, bytes })));
      expect(frame.length / records.length).toBeLessThan(84);
    });

    it('stores no simulated record verbatim', () => {
      expect(describeColumnar(encodeColumnar(records), records.length).verbatimRecords).toBe(0);
    });

    it('reads records that are views into larger buffers', () => {
      const views = records.slice(0, 20).map((record) => {
        const larger = Buffer.concat([Buffer.from('{{{'), record, Buffer.from(']]]')]);
        return larger.subarray(3, 3 + record.length);
      });
      expectExactRoundTrip(views);
    });
  });

  describe('column choice', () => {
    const kindsOf = (values: readonly unknown[]): string[] => {
      const records = values.map((value) => Buffer.from(canonicalJson({ v: value })));
      return kindNames(describeColumnar(encodeColumnar(records), records.length).columns);
    };
    // UUIDv7s whose millisecond clocks are 250 ms apart.
    const uuids = Array.from({ length: 8 }, (_, i) => {
      const clock = (0x01a2174c3500 + 250 * i).toString(16).padStart(12, '0');
      return `${clock.slice(0, 8)}-${clock.slice(8)}-7d76-a28f-b76b29350b5${i}`;
    });

    it('stores lowercase UUIDs with close clocks as clock deltas', () => {
      expect(kindsOf(uuids)).toEqual(['UuidDelta']);
    });

    it('keeps a UUID column as text when one value is uppercase', () => {
      expect(kindsOf([...uuids, uuids[0]?.toUpperCase()])).toEqual(['SharedText+dictionary']);
    });

    it('keeps a hex column as text when a number joins it', () => {
      expect(kindsOf(['abcdef', 1_000_000_000])).toEqual(['SharedText+dictionary']);
    });

    it('stores counters as deltas', () => {
      expect(kindsOf([100, 101, 102, 103])).toEqual(['IntDelta']);
    });

    it('keeps integers as text when one has more than 15 digits', () => {
      expect(kindsOf([1, 1_000_000_000_000_000])).toEqual(['Text']);
    });

    it('keeps timestamps as text when one has another precision', () => {
      expect(kindsOf(['2026-11-26T10:00:00.000Z', '2026-11-26T10:00:01Z'])).toEqual([
        'SharedText+dictionary',
      ]);
    });

    it('stores repeated hashes behind a dictionary', () => {
      const hmac = `hmac-sha256:${'0f'.repeat(32)}`;
      expect(kindsOf([hmac, hmac, hmac])).toEqual(['HmacSha256+dictionary']);
    });
  });

  describe('golden vector', () => {
    const golden = JSON.parse(readFileSync(join(DATA, 'golden-every-kind.json'), 'utf8')) as {
      recordsHex: string[];
      columns: string[];
      shapes: number;
      verbatimRecords: number;
      payloadHex: string;
    };
    const records = golden.recordsHex.map((hex) => Buffer.from(hex, 'hex'));
    const payload = Buffer.from(golden.payloadHex, 'hex');
    const total = records.reduce((sum, record) => sum + record.length, 0);

    it('decodes the stored payload to the stored records', () => {
      expect(decodeColumnar(payload, records.length, total).map((r) => r.toString('hex'))).toEqual(
        golden.recordsHex,
      );
    });

    it('encodes the stored records to the stored payload', () => {
      expect(encodeColumnar(records).toString('hex')).toBe(golden.payloadHex);
    });

    it('uses every column kind', () => {
      const summary = describeColumnar(payload, records.length);
      expect(kindNames(summary.columns)).toEqual(golden.columns);
      expect(new Set(summary.columns.map((plan) => plan.kind)).size).toBe(
        Object.keys(ColumnKind).length / 2,
      );
      expect([summary.shapes, summary.verbatimRecords]).toEqual([
        golden.shapes,
        golden.verbatimRecords,
      ]);
    });
  });

  describe('negative vectors', () => {
    const files = readdirSync(join(DATA, 'negative')).filter((name) => name.endsWith('.json'));

    it('has the negative vectors', () => {
      expect(files.length).toBe(10);
    });

    it.each(files)('rejects %s with the error it names', (file) => {
      const vector = JSON.parse(readFileSync(join(DATA, 'negative', file), 'utf8')) as {
        payloadHex: string;
        count: number;
        recordBytes: number;
        error: string;
      };
      let thrown: unknown;
      try {
        decodeColumnar(Buffer.from(vector.payloadHex, 'hex'), vector.count, vector.recordBytes);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ColumnarFormatError);
      expect((thrown as Error).message).toBe(vector.error);
    });
  });

  describe('exactness', () => {
    // Strings that almost match a typed pattern, and some that do: columns mix them.
    const nearMisses = fc.constantFrom(
      '01a2174c-3500-7d76-a28f-b76b29350b5b',
      '01A2174C-3500-7D76-A28F-B76B29350B5B',
      '01a2174c35007d76a28fb76b29350b5b',
      '01a2174c-3500-7d76-a28f-b76b29350b5',
      '00-fb39f90e1343a1c6c9bceb3b5fe536f4-eb5897890e7bcf5a-01',
      '00-fb39f90e1343a1c6c9bceb3b5fe536f4-eb5897890e7bcf5a-1',
      `hmac-sha256:${'ab'.repeat(32)}`,
      `hmac-sha256:${'ab'.repeat(31)}a`,
      `hmac-sha256:${'ab'.repeat(32)}a`,
      `hmac-sha256:${'AB'.repeat(32)}`,
      `HMAC-SHA256:${'ab'.repeat(32)}`,
      'cc554a39b05afead',
      'CC554A39B05AFEAD',
      'abc',
      '',
      '2026-11-26T10:00:00.000Z',
      '2026-11-26T10:00:00Z',
      '2026-11-26T10:00:00.0000Z',
      '2026-11-26T10:00:00.000+01:00',
      '2026-11-26t10:00:00.000z',
      '2026-02-29T10:00:00.000Z',
      '2024-02-29T23:59:59.999Z',
      '2024-02-29T23:59:60.000Z',
      '2024-13-01T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '0099-12-31T23:59:59.999Z',
      '9999-12-31T23:59:59.999Z',
      '+002026-11-26T10:00:00.000Z',
      '\u0001starts with the verbatim mark',
      '\u0001',
      'quote " and backslash \\',
      'é ü 漢字 😀',
      '\ud800',
      '007',
      '-0',
    );
    const numbers = fc.constantFrom(
      0,
      -1,
      7,
      999_999_999_999_999,
      -999_999_999_999_999,
      1_000_000_000_000_000,
      Number.MAX_SAFE_INTEGER + 2,
      1e21,
      0.1,
      -0.5,
      1e-7,
      -0,
    );
    const scalar = fc.oneof(
      nearMisses,
      numbers,
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 70 }),
      fc
        .date({ min: new Date(-62_167_219_200_000), max: new Date(253_402_300_799_999) })
        .map((d) => (Number.isNaN(d.getTime()) ? 'invalid' : d.toISOString())),
      fc.uuid(),
      fc.boolean(),
      fc.constant(null),
    );
    // Records that share keys, so the same path collects values of different kinds.
    const record = fc.record(
      {
        a: scalar,
        b: scalar,
        '1': scalar,
        '-1.5': scalar,
        list: fc.array(scalar, { maxLength: 3 }),
        nested: fc.record({ x: scalar, y: fc.constant({}), z: fc.constant([]) }),
      },
      { requiredKeys: ['a', 'b'] },
    );

    it('round-trips frames of records whose columns mix near-misses and typed values', () => {
      fc.assert(
        fc.property(fc.array(record, { minLength: 1, maxLength: 40 }), (values) => {
          expectExactRoundTrip(values.map((value) => Buffer.from(canonicalJson(value), 'utf8')));
        }),
        { numRuns: 400 },
      );
    });

    it('round-trips arbitrary canonical JSON values', () => {
      fc.assert(
        fc.property(
          fc.array(fc.jsonValue({ stringUnit: 'binary', maxDepth: 6 }), {
            minLength: 1,
            maxLength: 12,
          }),
          (values) => {
            expectExactRoundTrip(values.map((value) => Buffer.from(canonicalJson(value), 'utf8')));
          },
        ),
        { numRuns: 400 },
      );
    });

    it('round-trips arbitrary bytes, JSON or not', () => {
      fc.assert(
        fc.property(
          fc.array(fc.uint8Array({ maxLength: 48 }), { minLength: 1, maxLength: 12 }),
          (records) => {
            expectExactRoundTrip(records.map((bytes) => Buffer.from(bytes)));
          },
        ),
        { numRuns: 400 },
      );
    });

    it('round-trips texts that are JSON only in part, or not canonical', () => {
      expectExactRoundTrip(
        [
          '{"n":-0}',
          '{"n":01}',
          '{"n":1.0,"m":1E5,"k":-}',
          ' { "a" : 1 ,\n\t"b" : [ true , null ] } ',
          '[1,2,[3,[]],{}]',
          '"just a string"',
          '5',
          '{"a":1}x',
          '{"a":"\\"}',
          '{"a":tru}',
          '{"a":1,}',
          '{"a"}',
          '',
          '{}',
          '[]',
          '{"a":{"b":{"c":[[[["d"]]]]}}}',
          '{"a":"raw \u0001 control"}',
        ].map((text) => Buffer.from(text, 'utf8')),
      );
    });

    it('keeps bytes that are not UTF-8, and records holding 0x00, exactly', () => {
      expectExactRoundTrip([
        Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
        Buffer.from('{"a":"\u0000"}', 'latin1'),
        Buffer.from([0x00]),
      ]);
    });

    it('round-trips deep nesting', () => {
      const deep = '['.repeat(5000) + '"x"' + ']'.repeat(5000);
      expectExactRoundTrip([Buffer.from(deep), Buffer.from(deep)]);
    });

    it('round-trips a record far larger than the others', () => {
      const big = Buffer.from(canonicalJson({ text: 'x'.repeat(300_000), n: 1 }));
      expectExactRoundTrip([Buffer.from('{"n":2,"text":"y"}'), big]);
    });
  });

  describe('damage', () => {
    const records = simulatedRecords(12);
    const total = records.reduce((sum, record) => sum + record.length, 0);
    const payload = encodeColumnar(records);

    it('rejects every truncation', () => {
      for (let length = 0; length < payload.length; length++) {
        expect(() => decodeColumnar(payload.subarray(0, length), records.length, total)).toThrow(
          ColumnarFormatError,
        );
      }
    });

    it('rejects every single flipped byte', () => {
      for (let at = 0; at < payload.length; at++) {
        const damaged = Buffer.from(payload);
        damaged[at] = (damaged[at] as number) ^ 0x10;
        expect(() => decodeColumnar(damaged, records.length, total)).toThrow(ColumnarFormatError);
      }
    });

    it('raises only ColumnarFormatError for damage behind a valid crc32', () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(fc.nat({ max: payload.length - 5 }), fc.integer({ min: 1, max: 255 })),
            {
              minLength: 1,
              maxLength: 3,
            },
          ),
          (flips) => {
            const damaged = Buffer.from(payload);
            for (const [at, mask] of flips) damaged[4 + at] = (damaged[4 + at] as number) ^ mask;
            damaged.writeUInt32BE(crc32(damaged.subarray(4)), 0);
            try {
              decodeColumnar(damaged, records.length, total);
            } catch (error) {
              expect(error).toBeInstanceOf(ColumnarFormatError);
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});
