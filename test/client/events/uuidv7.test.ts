import { createUuidV7Generator, UUID_V7_PATTERN } from '../../../client/events/uuidv7';

function fixedRandom(byte: number) {
  return (size: number) => new Uint8Array(size).fill(byte);
}

describe('createUuidV7Generator', () => {
  it('puts the milliseconds in the first 48 bits, version 7 and the RFC 9562 variant', () => {
    const next = createUuidV7Generator(() => 0x0190_1234_5678, fixedRandom(0));
    expect(next()).toBe('01901234-5678-7000-8000-000000000000');
  });

  it('fills the random part from the random source, keeping the variant bits', () => {
    const next = createUuidV7Generator(() => 1, fixedRandom(0xff));
    // rand_a starts at (0xff << 3) & 0x7ff = 0x7f8; the variant byte keeps 10xxxxxx.
    expect(next()).toBe('00000000-0001-77f8-bfff-ffffffffffff');
  });

  it('counts up within one millisecond', () => {
    const next = createUuidV7Generator(() => 5, fixedRandom(0));
    expect([next(), next(), next()].map((id) => id.slice(14, 18))).toEqual([
      '7000',
      '7001',
      '7002',
    ]);
  });

  it('borrows the next millisecond when the counter is exhausted', () => {
    const next = createUuidV7Generator(() => 5, fixedRandom(0));
    const ids = Array.from({ length: 4097 }, () => next());
    expect(ids[4095]).toBe('00000000-0005-7fff-8000-000000000000');
    expect(ids[4096]).toBe('00000000-0006-7000-8000-000000000000');
  });

  it('keeps increasing when the clock steps back', () => {
    const times = [1000, 999, 998];
    const next = createUuidV7Generator(() => times.shift() ?? 0, fixedRandom(0));
    const ids = [next(), next(), next()];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(3);
  });

  it('makes ids that sort in creation order with the system clock and random source', () => {
    const next = createUuidV7Generator();
    const ids = Array.from({ length: 2000 }, () => next());
    expect(ids.every((id) => UUID_V7_PATTERN.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
  });

  it('refuses a time outside 48 bits', () => {
    const next = createUuidV7Generator(() => 2 ** 48, fixedRandom(0));
    expect(() => next()).toThrow(
      'UUIDv7 time must be whole milliseconds in [0, 2^48), got 281474976710656',
    );
  });
});
