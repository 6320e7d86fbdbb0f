import { RecentSightings } from '../../src/normalize/recent-sightings';

describe('RecentSightings', () => {
  it('has not seen a text the first time and has the second time', () => {
    const sightings = new RecentSightings(1 << 12, 64);
    expect([sightings.sawBefore('SELECT 1'), sightings.sawBefore('SELECT 1')]).toEqual([
      false,
      true,
    ]);
  });

  it('tells texts apart', () => {
    const sightings = new RecentSightings(1 << 16, 1024);
    const texts = Array.from({ length: 500 }, (_, i) => `SELECT * FROM t WHERE id = ${i}`);
    const first = texts.map((text) => sightings.sawBefore(text));
    const second = texts.map((text) => sightings.sawBefore(text));
    // At most 1,000 of 65,536 bits are set, so a false positive is rare; the hash is deterministic,
    // and these 500 texts have none.
    expect(first.filter((seen) => seen).length).toBe(0);
    expect(second.every((seen) => seen)).toBe(true);
  });

  it('forgets everything after resetAfter texts were added', () => {
    const sightings = new RecentSightings(1 << 12, 3);
    sightings.sawBefore('a');
    sightings.sawBefore('b');
    sightings.sawBefore('c');
    sightings.sawBefore('d'); // the fourth addition starts afresh
    expect([sightings.sawBefore('a'), sightings.sawBefore('d')]).toEqual([false, true]);
  });

  it('treats the empty text and texts beyond the basic plane like any other', () => {
    const sightings = new RecentSightings(1 << 12, 64);
    expect([
      sightings.sawBefore(''),
      sightings.sawBefore('\u{1F600}'),
      sightings.sawBefore(''),
      sightings.sawBefore('\u{1F600}'),
    ]).toEqual([false, false, true, true]);
  });
});
