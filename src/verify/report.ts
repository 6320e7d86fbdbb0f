/**
 * What verification finds, in a shape the CLI prints, the verify route returns and tests assert on.
 * A failure names its partition and the first log position it concerns: the record's log index, or
 * for a checkpoint the tree size it signs.
 */

export type FailureKind =
  /** The record at this index is not the one the log recorded (its leaf differs, and the signed root or the tiles agree with the original). */
  | 'record-modified'
  /** No record holds this index, though the log (a checkpoint or the log state) covers it. */
  | 'record-missing'
  /** An extra record sits at this position: it repeats an index, or precedes the genuine record of its index. */
  | 'record-inserted'
  /** The record for this index comes later in the archive: records were reordered. */
  | 'record-out-of-order'
  /** The bytes at this position are not a record of this partition. */
  | 'record-malformed'
  /** A segment or frame does not decode, or its blocks do not match their names. */
  | 'archive-unreadable'
  /** A hot-store row disagrees with the archived record of its index. */
  | 'hot-store-mismatch'
  /** The records up to a checkpoint do not hash to its signed root. */
  | 'root-mismatch'
  /** The stored tiles (proof material) disagree with the archived records under a signed root. */
  | 'tile-mismatch'
  /** The log state's frontier is not the tree the records build. */
  | 'state-mismatch'
  /** A checkpoint's signature does not verify. */
  | 'checkpoint-signature'
  /** A checkpoint is signed by, or names, a key that is not in the key set. */
  | 'checkpoint-unknown-key'
  /** A checkpoint note or body does not parse. */
  | 'checkpoint-malformed'
  /** A genuine checkpoint sits where it does not belong: under another size's name, or of another log. */
  | 'checkpoint-replayed'
  /** A checkpoint does not follow the one before it: one was removed, inserted or rewritten. */
  | 'checkpoint-chain'
  /** The consistency proof between two consecutive checkpoints fails. */
  | 'checkpoint-inconsistent'
  /** A checkpoint known to exist (the latest one, or one the verifier saw before) is gone. */
  | 'checkpoint-missing';

export interface VerificationFailure {
  kind: FailureKind;
  partition: string;
  /** Log index of the record concerned (for record, hot-store and tile failures; the first index a root failure may concern). */
  index?: number;
  /** The event at that index, when its record could be read. */
  eventId?: string;
  /** Tree size of the checkpoint concerned. */
  checkpointSize?: number;
  /** What differed, in words. */
  message: string;
  expected?: string;
  actual?: string;
}

export interface PartitionReport {
  partition: string;
  origin: string;
  ok: boolean;
  /** Records read and checked, in log order. */
  records: number;
  /** Checkpoints whose signature, chain and consistency verified. */
  checkpoints: number;
  latestCheckpointSize: number | undefined;
  /** Records past the latest checkpoint (not yet sealed; checked against the log state only). */
  unsealed: number;
  /** Ids of the keys that signed the verified checkpoints. */
  keyIds: string[];
  /** In order of position; at most MAX_FAILURES_PER_PARTITION. */
  failures: VerificationFailure[];
}

export interface VerificationReport {
  ok: boolean;
  /** 'log': everything in storage; 'export': an exported folder; 'tenant': one tenant's events. */
  scope: 'log' | 'export' | 'tenant';
  region: string;
  tenants?: string[];
  partitions: PartitionReport[];
  /** The failure at the lowest position of the first partition that has one. */
  firstFailure: VerificationFailure | undefined;
  totals: {
    records: number;
    checkpoints: number;
    /** Signature verifications (one per checkpoint: independent of the number of events). */
    signatureChecks: number;
    /** Bytes of record data hashed. */
    recordBytes: number;
  };
  startedAt: string;
  durationMs: number;
}

export interface VerifyProgress {
  partition: string;
  phase: 'hot-store' | 'checkpoints' | 'records';
  /** Items done in this phase (rows, checkpoints or records). */
  done: number;
  /** Items expected, when known. */
  total?: number;
}

export const MAX_FAILURES_PER_PARTITION = 20;

/** Failures in order of position (index, or checkpoint size), checkpoint failures before record ones at a tie. */
export function byPosition(a: VerificationFailure, b: VerificationFailure): number {
  return positionOf(a) - positionOf(b) || rank(a) - rank(b);
}

function positionOf(failure: VerificationFailure): number {
  return failure.index ?? failure.checkpointSize ?? 0;
}

function rank(failure: VerificationFailure): number {
  return failure.index === undefined ? 0 : 1;
}

export function summarize(
  scope: VerificationReport['scope'],
  region: string,
  partitions: PartitionReport[],
  totals: VerificationReport['totals'],
  startedAt: Date,
  now: Date,
  tenants?: string[],
): VerificationReport {
  const firstFailure = partitions.find((p) => p.failures.length > 0)?.failures[0];
  return {
    ok: partitions.every((p) => p.ok),
    scope,
    region,
    ...(tenants ? { tenants } : {}),
    partitions,
    firstFailure,
    totals,
    startedAt: startedAt.toISOString(),
    durationMs: now.getTime() - startedAt.getTime(),
  };
}

/** One line describing a failure, as the CLI prints it. */
export function describeFailure(failure: VerificationFailure): string {
  const where = [
    `partition ${failure.partition}`,
    failure.index === undefined ? undefined : `index ${failure.index}`,
    failure.eventId === undefined ? undefined : `event ${failure.eventId}`,
    failure.checkpointSize === undefined ? undefined : `checkpoint ${failure.checkpointSize}`,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  return `${failure.kind} at ${where}: ${failure.message}`;
}
