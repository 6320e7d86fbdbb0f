import fc from 'fast-check';
import { canonicalJson } from '../../src/json/canonical';

/**
 * The plain RFC 8785 algorithm, as src/json/canonical.ts implemented it before it learned to remember
 * object shapes: the reference the fast serializer must match for every input, errors included.
 */
function referenceCanonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value))
        throw new TypeError(`cannot canonicalize non-finite number ${value}`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += referenceCanonicalJson(value[i]);
        }
        return out + ']';
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        if (out.length > 1) out += ',';
        out += JSON.stringify(key) + ':' + referenceCanonicalJson(item);
      }
      return out + '}';
    }
    default:
      throw new TypeError(`cannot canonicalize a value of type ${typeof value}`);
  }
}

type Outcome = { text: string } | { error: string };

function outcomeOf(serialize: (value: unknown) => string, value: unknown): Outcome {
  try {
    return { text: serialize(value) };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** Any UTF-16 code unit, lone surrogates and controls included. */
const codeUnitString = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
  maxLength: 12,
});

/** Keys that stress ordering: integer-like ones (enumerated first by V8), case, non-ASCII, __proto__. */
const key = fc.oneof(
  codeUnitString,
  fc.nat({ max: 5000 }).map(String),
  fc.constantFrom(
    'a',
    'b',
    'B',
    'ab',
    '01',
    '1',
    '10',
    '-1',
    '\u20ac',
    '\ud83d\ude00',
    '__proto__',
  ),
);

const leaf = fc.oneof(
  codeUnitString,
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(-0, 0, 1e21, 1e-7, 5e-324, Number.MAX_VALUE),
  fc.boolean(),
  fc.constant(null),
);

/** Builds the object with own properties even for __proto__, as JSON.parse does. */
function objectFrom(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [name, item] of entries) {
    Object.defineProperty(object, name, {
      value: item,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
}

const { json } = fc.letrec<{ json: unknown; member: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('json'), { maxLength: 5 }),
    fc.array(fc.tuple(key, tie('member')), { maxLength: 6 }).map(objectFrom),
  ),
  // Object members may also be undefined, which both serializers omit.
  member: fc.oneof(tie('json'), fc.constant(undefined)),
}));

/** Values the serializer refuses, placed somewhere inside otherwise valid JSON. */
const refused = fc.constantFrom<unknown>(
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -Infinity,
  undefined,
  10n,
  () => 1,
  Symbol('s'),
);

describe('canonicalJson against the reference algorithm', () => {
  it('writes the same text for arbitrary JSON values', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalJson(value)).toBe(referenceCanonicalJson(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes the same text when objects of one shape repeat with different values', () => {
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 8 }), fc.array(leaf), (keys, values) => {
        const objects = [0, 1, 2].map((round) =>
          objectFrom(keys.map((name, i) => [name, values[(i + round) % (values.length || 1)]])),
        );
        expect(canonicalJson(objects)).toBe(referenceCanonicalJson(objects));
      }),
      { numRuns: 500 },
    );
  });

  it('throws the same error, or writes the same text, when a value it cannot write is nested', () => {
    fc.assert(
      fc.property(json, refused, fc.nat(), (value, bad, position) => {
        const mixed = [value, objectFrom([[String(position % 7), bad]]), [bad]];
        expect(outcomeOf(canonicalJson, mixed)).toEqual(outcomeOf(referenceCanonicalJson, mixed));
        expect(outcomeOf(canonicalJson, bad)).toEqual(outcomeOf(referenceCanonicalJson, bad));
      }),
      { numRuns: 300 },
    );
  });

  it('writes the same text for a sparse array hole as for undefined: an error', () => {
    // eslint-disable-next-line no-sparse-arrays -- the hole is the point
    const sparse = [1, , 3];
    expect(outcomeOf(canonicalJson, sparse)).toEqual({
      error: 'TypeError: cannot canonicalize a value of type undefined',
    });
    expect(outcomeOf(referenceCanonicalJson, sparse)).toEqual(outcomeOf(canonicalJson, sparse));
  });

  it('stays correct after more object shapes than it remembers', () => {
    const shapes = Array.from({ length: 6000 }, (_, i) => ({
      [`k${i}`]: i,
      [`j${i}`]: [i],
      a: 'x',
    }));
    expect(shapes.map((shape) => canonicalJson(shape))).toEqual(
      shapes.map((shape) => referenceCanonicalJson(shape)),
    );
    expect(canonicalJson(shapes[0])).toBe('{"a":"x","j0":[0],"k0":0}');
  });

  it('orders integer-like keys as strings, not as V8 enumerates them', () => {
    expect(canonicalJson({ b: 1, 10: 2, 9: 3, a: 4, '01': 5 })).toBe(
      '{"01":5,"10":2,"9":3,"a":4,"b":1}',
    );
  });

  it('writes a plain object of class instance fields and a Date as the reference does', () => {
    const values = [
      new Date(0),
      new (class Point {
        y = 2;
        x = 1;
      })(),
      Object.create(null),
    ];
    expect(values.map((value) => canonicalJson(value))).toEqual(['{}', '{"x":1,"y":2}', '{}']);
  });

  it('keeps an own __proto__ member as a member', () => {
    const value = JSON.parse('{"__proto__":{"b":1,"a":2},"z":0}') as unknown;
    expect(canonicalJson(value)).toBe('{"__proto__":{"a":2,"b":1},"z":0}');
  });
});
