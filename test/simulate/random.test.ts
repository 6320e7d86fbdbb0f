import { Random } from '../../src/simulate';

describe('Random', () => {
  it('produces the golden xoshiro128** stream for seed 1', () => {
    const random = new Random(1);
    expect([random.uint32(), random.uint32(), random.uint32(), random.uint32()]).toEqual([
      2442144158, 3238099751, 3819917871, 2104621829,
    ]);
  });

  it('uses the high bits of a seed beyond 32 bits', () => {
    const random = new Random(2 ** 40 + 1);
    expect([random.uint32(), random.uint32()]).toEqual([1157729794, 2835286368]);
  });

  it('rejects a seed that is not a safe integer', () => {
    expect(() => new Random(1.5)).toThrow(new RangeError('seed must be a safe integer, got 1.5'));
  });

  it('keeps int() within its inclusive bounds and reaches both ends', () => {
    const random = new Random(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(random.int(3, 6));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('gives a log-normal median close to the one asked for', () => {
    const random = new Random(11);
    const values = Array.from({ length: 4001 }, () => random.logNormal(100, 1.2)).sort(
      (a, b) => a - b,
    );
    const median = values[2000] as number;
    expect(median > 90 && median < 110).toBe(true);
  });

  it('samples distinct items', () => {
    const random = new Random(3);
    const sample = random.sample(['a', 'b', 'c', 'd', 'e'], 4);
    expect(new Set(sample).size).toBe(4);
  });

  it('never picks an item of zero weight', () => {
    const random = new Random(5);
    const picks = new Set(
      Array.from({ length: 500 }, () =>
        random.weighted(['x', 'y', 'z'], (item) => (item === 'y' ? 0 : 1)),
      ),
    );
    expect([...picks].sort()).toEqual(['x', 'z']);
  });

  it('refuses a weighted pick with no positive weight', () => {
    expect(() => new Random(5).weighted(['x'], () => 0)).toThrow(
      new RangeError('weighted pick with no positive weight'),
    );
  });
});
