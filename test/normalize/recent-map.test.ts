import { detachedCopy, RecentMap } from '../../src/normalize/recent-map';

describe('RecentMap', () => {
  it('returns what was set', () => {
    const map = new RecentMap<string, number>(4);
    map.set('a', 1);
    map.set('b', 2);
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([1, 2, undefined]);
  });

  it('keeps the previous generation when the current one is full', () => {
    const map = new RecentMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3); // a and b become the previous generation
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([1, 2, 3]);
  });

  it('forgets entries two generations old', () => {
    const map = new RecentMap<string, number>(2);
    for (const [key, value] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
      ['e', 5],
    ] as const) {
      map.set(key, value);
    }
    // Generations: [a b] dropped, [c d] previous, [e] current.
    expect([map.get('a'), map.get('b'), map.get('c'), map.get('e')]).toEqual([
      undefined,
      undefined,
      3,
      5,
    ]);
  });

  it('keeps an entry that is read while others come and go', () => {
    const map = new RecentMap<string, number>(2);
    map.set('kept', 0);
    for (let i = 0; i < 20; i++) {
      map.set(`other${i}`, i);
      expect(map.get('kept')).toBe(0);
    }
  });

  it('starts a new generation when the weight budget would be exceeded', () => {
    const map = new RecentMap<string, string>(100, 10, (key, value) => key.length + value.length);
    map.set('aaaa', 'bbbb'); // weight 8
    map.set('cc', 'dd'); // 8 + 4 > 10: new generation
    map.set('ee', 'ff'); // 4 + 4 <= 10
    map.set('gggg', 'hhhh'); // 8 + 8 > 10: new generation, [aaaa] dropped
    // Read the dropped entry and then the current one: neither read moves anything.
    expect([map.get('aaaa'), map.get('gggg')]).toEqual([undefined, 'hhhh']);
  });
});

describe('detachedCopy', () => {
  it('equals the text it copies, code unit for code unit', () => {
    const long = `SELECT customer_identifier FROM dbo.orders \ud800 WHERE id = 1`;
    const texts = ['', 'a', long.slice(7, 26), long.slice(40, 60), '\u{1F600}\udc00'];
    expect(texts.map((text) => detachedCopy(text))).toEqual(texts);
  });
});
