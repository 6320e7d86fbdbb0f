import { hashLeaf } from '../../src/integrity/rfc6962';
import {
  referenceConsistencyProof,
  referenceInclusionProof,
  referenceRoot,
} from '../../src/integrity/reference';
import { hex, unhex, vectors } from './support/vectors';

const leafHashes = vectors.leaves.map((leaf) => hashLeaf(unhex(leaf)));

describe('reference implementation (RFC 6962 §2.1 verbatim)', () => {
  it.each(vectors.roots.map((root, size) => [size, root]))(
    'computes the known root of size %i',
    (size, root) => {
      expect(hex(referenceRoot(leafHashes.slice(0, size as number)))).toBe(root);
    },
  );

  it.each(vectors.inclusion.map((v) => [v.index, v.size, v.proof]))(
    'computes the known inclusion proof of leaf %i in size %i',
    (index, size, proof) => {
      const actual = referenceInclusionProof(leafHashes.slice(0, size as number), index as number);
      expect(actual.map(hex)).toEqual(proof);
    },
  );

  it.each(vectors.consistency.map((v) => [v.size1, v.size2, v.proof]))(
    'computes the known consistency proof from size %i to %i',
    (size1, size2, proof) => {
      const actual = referenceConsistencyProof(
        leafHashes.slice(0, size2 as number),
        size1 as number,
      );
      expect(actual.map(hex)).toEqual(proof);
    },
  );
});
