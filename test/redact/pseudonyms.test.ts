import {
  hmacValue,
  MEMO_GENERATION_ENTRIES,
  MEMO_MAX_TEXT,
  Pseudonyms,
} from '../../src/redact/pseudonyms';

const KEY = Buffer.alloc(32, 0x5a);
const OTHER_KEY = Buffer.alloc(32, 0x01);

describe('Pseudonyms', () => {
  it('gives hmacValue of each value, remembered or not', () => {
    const pseudonyms = new Pseudonyms(KEY);
    const values = ['10.0.0.1', {}, { b: 1, a: [true, null] }, 42, 'x'.repeat(MEMO_MAX_TEXT + 1)];
    const twice = [...values, ...values].map((value) => pseudonyms.of(value));
    expect(twice).toEqual([...values, ...values].map((value) => hmacValue(KEY, value)));
  });

  it('keeps the string "{}" and the object {} apart', () => {
    const pseudonyms = new Pseudonyms(KEY);
    expect([pseudonyms.of('{}'), pseudonyms.of({}), pseudonyms.of('{}')]).toEqual([
      hmacValue(KEY, '{}'),
      hmacValue(KEY, {}),
      hmacValue(KEY, '{}'),
    ]);
  });

  it('keeps the string "1" and the number 1 apart', () => {
    const pseudonyms = new Pseudonyms(KEY);
    expect([pseudonyms.of(1), pseudonyms.of('1')]).toEqual([
      hmacValue(KEY, 1),
      hmacValue(KEY, '1'),
    ]);
  });

  it('never serves one key the pseudonym remembered under another', () => {
    const mine = new Pseudonyms(KEY);
    const theirs = new Pseudonyms(OTHER_KEY);
    const results = [mine.of('10.0.0.1'), theirs.of('10.0.0.1'), mine.of({}), theirs.of({})];
    expect(results).toEqual([
      hmacValue(KEY, '10.0.0.1'),
      hmacValue(OTHER_KEY, '10.0.0.1'),
      hmacValue(KEY, {}),
      hmacValue(OTHER_KEY, {}),
    ]);
  });

  it('stays correct after more distinct values than two generations hold', () => {
    const pseudonyms = new Pseudonyms(KEY);
    const count = 2 * MEMO_GENERATION_ENTRIES + 10;
    const values = Array.from({ length: count }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    const first = values.map((value) => pseudonyms.of(value));
    const again = [values[0], values[count - 1], values[MEMO_GENERATION_ENTRIES]].map((value) =>
      pseudonyms.of(value),
    );
    expect(first[count - 1]).toBe(hmacValue(KEY, values[count - 1]));
    expect(again).toEqual([first[0], first[count - 1], first[MEMO_GENERATION_ENTRIES]]);
  });

  it('keeps a value that keeps recurring while others come and go', () => {
    const pseudonyms = new Pseudonyms(KEY);
    const expected = hmacValue(KEY, 'recurring');
    const seen = new Set<string>();
    for (let i = 0; i < 3 * MEMO_GENERATION_ENTRIES; i++) {
      pseudonyms.of(`other-${i}`);
      if (i % 1000 === 0) seen.add(pseudonyms.of('recurring'));
    }
    expect([...seen]).toEqual([expected]);
  });
});
