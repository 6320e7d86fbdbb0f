import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  blockIdFor,
  Codec,
  decodeSegment,
  encodeFrame,
  rangeOfBlockId,
  SegmentFormatError,
} from '../../src/store/segment-format';

const record = (logIndex: number, text: string) => ({ logIndex, bytes: Buffer.from(text) });

describe('archive segment frames', () => {
  it('round-trips the exact record bytes of several frames in order', () => {
    const a = encodeFrame([record(0, '{"a":1}'), record(2, '{"b":"\u00e9"}')]);
    const b = encodeFrame([record(5, '{}')], Codec.None);
    const frames = decodeSegment(Buffer.concat([a, b]));
    expect(frames.map((f) => [f.firstLogIndex, f.lastLogIndex])).toEqual([
      [0, 2],
      [5, 5],
    ]);
    expect(frames.flatMap((f) => f.records.map((r) => r.toString()))).toEqual([
      '{"a":1}',
      '{"b":"\u00e9"}',
      '{}',
    ]);
  });

  it('decodes frames of every codec', () => {
    for (const codec of [Codec.None, Codec.DeflateDictV1, Codec.Brotli5, Codec.ColumnarBrotli]) {
      const frames = decodeSegment(encodeFrame([record(3, '{"x":"y"}')], codec));
      expect(frames[0]?.records.map((r) => r.toString())).toEqual(['{"x":"y"}']);
    }
  });

  it('decodes a segment written before the columnar codec existed', () => {
    const stored = JSON.parse(
      readFileSync(
        join(__dirname, '..', 'data', 'columnar', 'segment-before-columnar.json'),
        'utf8',
      ),
    ) as { records: string[]; frames: number[][]; segmentHex: string };
    const frames = decodeSegment(Buffer.from(stored.segmentHex, 'hex'));
    expect({
      frames: frames.map((f) => [f.firstLogIndex, f.lastLogIndex]),
      records: frames.flatMap((f) => f.records.map((r) => r.toString('utf8'))),
    }).toEqual({ frames: stored.frames, records: stored.records });
  });

  it('writes new frames with the columnar codec', () => {
    expect(encodeFrame([record(0, '{"a":1}')]).readUInt8(4)).toBe(Codec.ColumnarBrotli);
  });

  it('decodes a segment whose frames use different codecs, old and new', () => {
    const texts = ['{"a":1}', '{"a":2}', 'not json', '{"a":"x"}'];
    const segment = Buffer.concat([
      encodeFrame([record(0, texts[0] as string)], Codec.Brotli5),
      encodeFrame([record(1, texts[1] as string), record(2, texts[2] as string)]),
      encodeFrame([record(3, texts[3] as string)], Codec.DeflateDictV1),
    ]);
    expect(decodeSegment(segment).flatMap((f) => f.records.map((r) => r.toString()))).toEqual(
      texts,
    );
  });

  it('gives the columnar codec the plain layout size as raw length', () => {
    const frame = encodeFrame([record(0, '{"a":1}'), record(1, '{"a":22}')]);
    expect(frame.readUInt32BE(25)).toBe(4 + 7 + 4 + 8);
  });

  it('names the frame whose columnar records disagree with its raw length', () => {
    const a = encodeFrame([record(0, '{"a":1}')]);
    const b = Buffer.from(encodeFrame([record(1, '{"a":2}'), record(2, '{"a":3}')]));
    b.writeUInt32BE(b.readUInt32BE(25) + 1, 25);
    expect(() => decodeSegment(Buffer.concat([a, b]))).toThrow(
      new SegmentFormatError(
        a.length,
        'columnar payload: records hold 14 bytes, the frame header announces 15',
      ),
    );
  });

  it('refuses a columnar frame whose raw length cannot hold its records', () => {
    const frame = Buffer.from(encodeFrame([record(0, '{}'), record(1, '{}')]));
    frame.writeUInt32BE(7, 25);
    expect(() => decodeSegment(frame)).toThrow(
      new SegmentFormatError(0, 'raw length 7 is less than 4 bytes per record'),
    );
  });

  it('never returns a wrong record from a damaged columnar payload', () => {
    const records = Array.from({ length: 20 }, (_, i) =>
      record(i, `{"id":"01a2174c-3500-7d76-a28f-b76b29350b5${i % 10}","n":${i},"s":"row ${i}"}`),
    );
    const frame = encodeFrame(records);
    const expected = records.map((r) => Buffer.from(r.bytes).toString());
    for (let at = 33; at < frame.length; at++) {
      const damaged = Buffer.from(frame);
      damaged[at] = (damaged[at] as number) ^ 0x01;
      let decoded: string[] | undefined;
      try {
        decoded = decodeSegment(damaged)[0]?.records.map((r) => r.toString());
      } catch (error) {
        expect(error).toBeInstanceOf(SegmentFormatError);
      }
      if (decoded !== undefined) expect(decoded).toEqual(expected);
    }
  });

  it('names the byte offset of a corrupted frame', () => {
    const a = encodeFrame([record(0, 'x')]);
    const b = Buffer.from(encodeFrame([record(1, 'y')]));
    b[0] = 0x00;
    expect(() => decodeSegment(Buffer.concat([a, b]))).toThrow(
      new SegmentFormatError(a.length, 'bad magic'),
    );
  });

  it('detects a truncated payload', () => {
    const a = encodeFrame([record(0, 'hello world')]);
    expect(() => decodeSegment(a.subarray(0, a.length - 1))).toThrow(
      'segment frame at byte 0: truncated payload',
    );
  });

  it('refuses an empty frame', () => {
    expect(() => encodeFrame([])).toThrow('a frame needs at least one record');
  });

  it('encodes block ids of fixed length that name their range', () => {
    const small = blockIdFor(1, 2);
    const large = blockIdFor(123456789, 987654321);
    expect(small.length).toBe(large.length);
    expect(rangeOfBlockId(large)).toEqual({ first: 123456789, last: 987654321 });
    expect(rangeOfBlockId(Buffer.from('other').toString('base64'))).toBeUndefined();
  });
});
