import {
  BadSignatureError,
  CheckpointChainError,
  checkCheckpointSuccession,
  MalformedNoteError,
  ProofError,
  UnknownKeyError,
  parseSignedNote,
  verifyCheckpointNote,
  verifyConsistency,
  type Checkpoint,
} from '../integrity';
import type { JsonWebKeySet } from '../keys/types';
import type { VerificationFailure } from './report';

/** A checkpoint as stored: the note and the tree size its storage name gives. */
export interface StoredCheckpoint {
  /** Where it was read (blob or file name), for messages. */
  name: string;
  /** The size its name gives: a note must sign exactly this size. */
  nameSize: number;
  note: string;
}

/** A checkpoint whose signature and place in the chain verified. */
export interface VerifiedCheckpoint {
  checkpoint: Checkpoint;
  body: string;
  note: string;
}

export interface ChainInput {
  partition: string;
  /** The origin every checkpoint of this partition's log must carry. */
  origin: string;
  /** In order of nameSize. */
  stored: readonly StoredCheckpoint[];
  publicKeys: JsonWebKeySet;
  /**
   * True when `stored` starts at the partition's first checkpoint (it must then name no predecessor);
   * false for an exported range, whose first checkpoint's predecessor is outside it.
   */
  fromFirst: boolean;
  /** The latest checkpoint as the log's head records it, when the store keeps one. */
  head?: string;
  /** Notes the verifier has seen before (e.g. kept from an earlier run): each must still be in the chain. */
  known?: readonly string[];
  /** Consistency proof between two sizes, when proof material is at hand. */
  consistencyProof?: (size1: number, size2: number) => Promise<Uint8Array[]>;
}

export interface ChainResult {
  /** The verified prefix of the chain, in order; verification stops at the first bad checkpoint. */
  verified: VerifiedCheckpoint[];
  failures: VerificationFailure[];
  signatureChecks: number;
}

/**
 * Verifies a partition's checkpoints in order: each note's signature with only the public keys,
 * that it signs the size its name gives and belongs to this partition's log (else it was replayed
 * from elsewhere), that it names the previous one's hash (else one was removed, inserted or rewritten),
 * and, with proof material, that consecutive roots are consistent. Then that the head is the last
 * one and every known note is present.
 */
export async function verifyCheckpointChain(input: ChainInput): Promise<ChainResult> {
  const { partition } = input;
  const verified: VerifiedCheckpoint[] = [];
  const failures: VerificationFailure[] = [];
  let signatureChecks = 0;
  const fail = (
    checkpointSize: number,
    kind: VerificationFailure['kind'],
    message: string,
  ): void => {
    failures.push({ kind, partition, checkpointSize, message });
  };

  for (const stored of input.stored) {
    let checkpoint: Checkpoint;
    signatureChecks++;
    try {
      checkpoint = verifyCheckpointNote(stored.note, input.publicKeys);
    } catch (error) {
      if (error instanceof BadSignatureError) {
        fail(stored.nameSize, 'checkpoint-signature', `${stored.name}: ${error.message}`);
      } else if (error instanceof UnknownKeyError) {
        fail(stored.nameSize, 'checkpoint-unknown-key', `${stored.name}: ${error.message}`);
      } else if (error instanceof MalformedNoteError) {
        fail(stored.nameSize, 'checkpoint-malformed', `${stored.name}: ${error.message}`);
      } else {
        throw error;
      }
      break;
    }
    if (checkpoint.origin !== input.origin || checkpoint.partition !== partition) {
      fail(
        stored.nameSize,
        'checkpoint-replayed',
        `${stored.name} holds a checkpoint of log ${checkpoint.origin} (partition ${checkpoint.partition}), expected ${input.origin}`,
      );
      break;
    }
    if (checkpoint.size !== stored.nameSize) {
      fail(
        stored.nameSize,
        'checkpoint-replayed',
        `${stored.name} holds the checkpoint of size ${checkpoint.size}, its name says ${stored.nameSize}`,
      );
      break;
    }
    const body = parseSignedNote(stored.note).text;
    const previous = verified[verified.length - 1];
    if (previous === undefined) {
      if (input.fromFirst && checkpoint.previousHash !== undefined) {
        fail(
          checkpoint.size,
          'checkpoint-chain',
          `the first stored checkpoint (${stored.name}) names a predecessor: earlier checkpoints were removed`,
        );
        break;
      }
    } else {
      try {
        checkCheckpointSuccession(previous.body, checkpoint);
      } catch (error) {
        if (!(error instanceof CheckpointChainError)) throw error;
        fail(
          checkpoint.size,
          'checkpoint-chain',
          `${stored.name} does not follow checkpoint ${previous.checkpoint.size}: ${error.reason}`,
        );
        break;
      }
      if (input.consistencyProof !== undefined) {
        const inconsistency = await consistencyFailure(
          input.consistencyProof,
          previous.checkpoint,
          checkpoint,
        );
        if (inconsistency !== undefined) {
          fail(checkpoint.size, 'checkpoint-inconsistent', inconsistency);
          break;
        }
      }
    }
    verified.push({ checkpoint, body, note: stored.note });
  }

  const chainIntact = failures.length === 0;
  const last = verified[verified.length - 1];
  if (chainIntact && input.head !== undefined && input.head !== last?.note) {
    const headSize = sizeOfNote(input.head);
    const present = input.stored.some((s) => s.note === input.head);
    fail(
      headSize ?? 0,
      present ? 'checkpoint-chain' : 'checkpoint-missing',
      present
        ? `the latest checkpoint (${headSize}) is not the last one stored`
        : `the latest checkpoint (size ${headSize}) is not among the stored checkpoints: it was removed`,
    );
  }
  for (const note of input.known ?? []) {
    if (!verified.some((v) => v.note === note) && !input.stored.some((s) => s.note === note)) {
      const size = sizeOfNote(note);
      fail(
        size ?? 0,
        'checkpoint-missing',
        `a checkpoint seen before (size ${size}) is no longer in the log: the log was rolled back or rewritten`,
      );
    }
  }
  return { verified, failures, signatureChecks };
}

async function consistencyFailure(
  proofOf: (size1: number, size2: number) => Promise<Uint8Array[]>,
  older: Checkpoint,
  newer: Checkpoint,
): Promise<string | undefined> {
  let proof: Uint8Array[];
  try {
    proof = await proofOf(older.size, newer.size);
  } catch (error) {
    return `no consistency proof from ${older.size} to ${newer.size}: ${(error as Error).message}`;
  }
  try {
    verifyConsistency(older.size, newer.size, older.rootHash, newer.rootHash, proof);
    return undefined;
  } catch (error) {
    if (!(error instanceof ProofError)) throw error;
    return `checkpoint ${newer.size} does not extend checkpoint ${older.size}: ${error.message}`;
  }
}

function sizeOfNote(note: string): number | undefined {
  const size = Number(note.split('\n')[1]);
  return Number.isSafeInteger(size) ? size : undefined;
}
