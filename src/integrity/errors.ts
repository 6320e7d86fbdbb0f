import { toHex } from './encoding';

/**
 * Every way a Merkle proof can fail. Each subclass carries the values involved, so a caller
 * (the verify route, the CLI) can say exactly what did not match without parsing messages.
 */
export abstract class ProofError extends Error {}

/** The proof is well-formed but leads to a different root: the data or the proof was altered. */
export class RootMismatchError extends ProofError {
  override readonly name = 'RootMismatchError';
  constructor(
    /** Which root: 'root' for inclusion, 'root1' or 'root2' for consistency. */
    readonly which: 'root' | 'root1' | 'root2',
    readonly expected: Uint8Array,
    readonly calculated: Uint8Array,
  ) {
    super(`${which} mismatch: expected ${toHex(expected)}, calculated ${toHex(calculated)}`);
  }
}

/** The proof has the wrong number of hashes for the index and sizes it claims to prove. */
export class ProofLengthError extends ProofError {
  override readonly name = 'ProofLengthError';
  constructor(
    readonly expectedLength: number,
    readonly actualLength: number,
  ) {
    super(`proof has ${actualLength} hashes, expected ${expectedLength}`);
  }
}

/** A hash (leaf, root or proof element) is not 32 bytes long. */
export class HashLengthError extends ProofError {
  override readonly name = 'HashLengthError';
  constructor(
    readonly what: string,
    readonly length: number,
  ) {
    super(`${what} is ${length} bytes, expected 32`);
  }
}

/** The leaf index is not inside the tree it is said to be included in. */
export class IndexOutOfRangeError extends ProofError {
  override readonly name = 'IndexOutOfRangeError';
  constructor(
    readonly index: number,
    readonly size: number,
  ) {
    super(`leaf index ${index} is outside a tree of size ${size}`);
  }
}

/** A consistency proof was asked for a tree that shrank. */
export class SizeOrderError extends ProofError {
  override readonly name = 'SizeOrderError';
  constructor(
    readonly size1: number,
    readonly size2: number,
  ) {
    super(`size1 ${size1} is larger than size2 ${size2}`);
  }
}

/** An index or size is not a non-negative safe integer. */
export class InvalidTreeNumberError extends ProofError {
  override readonly name = 'InvalidTreeNumberError';
  constructor(
    readonly what: string,
    readonly value: number,
  ) {
    super(`${what} ${value} is not a non-negative safe integer`);
  }
}
