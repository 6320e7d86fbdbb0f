import {
  allocatePrefixedLeaf,
  emptyRoot,
  hashChildren,
  hashLeaf,
  hashPrefixedLeaf,
} from '../../src/integrity/rfc6962';
import { hex, unhex, vectors } from './support/vectors';

describe('RFC 6962 hashing', () => {
  it('hashes the empty tree to SHA-256 of nothing', () => {
    expect(hex(emptyRoot())).toBe(vectors.emptyRoot);
  });

  it.each(vectors.leaves.map((leaf, i) => [i, leaf]))(
    'hashes test leaf %i with the 0x00 prefix',
    (i, leaf) => {
      expect(hex(hashLeaf(unhex(leaf as string)))).toBe(vectors.nodes[0]?.[i as number]);
    },
  );

  it.each([1, 2, 3])('hashes level %i nodes from their children with the 0x01 prefix', (level) => {
    const below = vectors.nodes[level - 1] as string[];
    const expected = (vectors.nodes[level] as string[]).map((_, i) =>
      hex(hashChildren(unhex(below[2 * i] as string), unhex(below[2 * i + 1] as string))),
    );
    expect(expected).toEqual(vectors.nodes[level]);
  });

  it('keeps leaves and nodes apart: a leaf holding two hashes is not their parent', () => {
    const left = unhex(vectors.nodes[0]?.[0] as string);
    const right = unhex(vectors.nodes[0]?.[1] as string);
    expect(hex(hashLeaf(Buffer.concat([left, right])))).not.toBe(hex(hashChildren(left, right)));
  });
});

describe('leaf hashing in place', () => {
  it('hashes a leaf written after the prefix exactly as hashLeaf hashes the leaf', () => {
    for (const text of ['', 'L', '{"a":"é"}', 'x'.repeat(5000)]) {
      const bytes = Buffer.from(text, 'utf8');
      const { prefixed, leaf } = allocatePrefixedLeaf(bytes.length);
      bytes.copy(leaf);
      expect(leaf.equals(bytes)).toBe(true);
      expect(hashPrefixedLeaf(prefixed).toString('hex')).toBe(hashLeaf(bytes).toString('hex'));
    }
  });
});
