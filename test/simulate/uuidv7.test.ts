import { Random, uuidv7 } from '../../src/simulate';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv7', () => {
  it('produces the golden identifier for seed 1 at 2025-06-02T06:00:00Z', () => {
    expect(uuidv7(Date.parse('2025-06-02T06:00:00.000Z'), new Random(1))).toBe(
      '01972f39-b300-7919-be3a-f522f7d71fb0',
    );
  });

  it('has version 7 and the RFC 9562 variant', () => {
    const random = new Random(9);
    const ids = Array.from({ length: 200 }, (_, i) => uuidv7(1_700_000_000_000 + i, random));
    expect(ids.filter((id) => !UUID_V7.test(id))).toEqual([]);
  });

  it('starts with the 48-bit Unix millisecond time, so identifiers sort by time', () => {
    const id = uuidv7(0x0123_4567_89ab, new Random(1));
    expect(id.slice(0, 13)).toBe('01234567-89ab');
  });

  it('rejects a time outside [0, 2^48)', () => {
    expect(() => uuidv7(-1, new Random(1))).toThrow(
      new RangeError('UUIDv7 time must be whole milliseconds in [0, 2^48), got -1'),
    );
  });
});
