import { describeError } from '../shared/describe-error';

/**
 * A spool that does not verify: a checksum, the hash chain or the committed header disagrees with
 * the bytes on disk. Nothing from a corrupt spool is replayed.
 */
export class SpoolCorruptError extends Error {
  constructor(
    readonly path: string,
    /** Byte offset where the disagreement was found. */
    readonly offset: number,
    /** The record concerned, when the problem is in a record. */
    readonly recordIndex: number | undefined,
    readonly reason: string,
  ) {
    super(
      `spool ${path} is corrupt at byte ${offset}${recordIndex === undefined ? '' : ` (record ${recordIndex})`}: ${reason}; nothing in it is replayed`,
    );
    this.name = 'SpoolCorruptError';
  }
}

/** An event that does not fit in what is left of the spool's size bound. */
export class SpoolFullError extends Error {
  constructor(
    readonly path: string,
    readonly maxBytes: number,
    readonly usedBytes: number,
    readonly neededBytes: number,
  ) {
    super(
      `spool ${path} is full: ${usedBytes} of ${maxBytes} bytes used, a record of ${neededBytes} bytes does not fit`,
    );
    this.name = 'SpoolFullError';
  }
}

/** A write or fsync of the spool failed; what the failed call appended is not committed. */
export class SpoolWriteError extends Error {
  constructor(
    readonly path: string,
    readonly operation: string,
    override readonly cause: unknown,
  ) {
    super(`spool ${path}: ${operation} failed (${describeError(cause)})`);
    this.name = 'SpoolWriteError';
  }
}

/** The spool was used after close(). */
export class SpoolClosedError extends Error {
  constructor(readonly path: string) {
    super(`spool ${path} is closed`);
    this.name = 'SpoolClosedError';
  }
}
