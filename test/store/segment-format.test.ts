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
    for (const codec of [Codec.None, Codec.DeflateDictV1, Codec.Brotli5]) {
      const frames = decodeSegment(encodeFrame([record(3, '{"x":"y"}')], codec));
      expect(frames[0]?.records.map((r) => r.toString())).toEqual(['{"x":"y"}']);
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
