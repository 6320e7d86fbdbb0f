import {
  EncodingError,
  fromBase64,
  hashLeaf,
  HASH_SIZE,
  NoteError,
  ProofError,
  toBase64,
  verifyCheckpointNote,
  verifyConsistency,
  verifyInclusion,
  type Checkpoint,
} from '../integrity';
import type { JsonWebKeySet } from '../keys/types';
import { decodeRecord, type AuditRecord } from '../pipeline/record';

/**
 * Self-contained proof documents: everything needed to check, offline and with only the log's
 * public keys, that one record is in a signed checkpoint (GET /api/events/{id}/proof), or that one
 * signed checkpoint extends another (GET /api/checkpoints/consistency). Hashes and bytes are standard
 * base64, as in checkpoints.
 */

export const PROOF_FORMAT = 'sql-mcp-audit.inclusion-proof.v1';
export const CONSISTENCY_FORMAT = 'sql-mcp-audit.consistency-proof.v1';

export interface ProofDocument {
  format: typeof PROOF_FORMAT;
  eventId: string;
  tenant: string;
  region: string;
  partition: string;
  logIndex: number;
  /** The record's exact canonical bytes: what the leaf hash covers. */
  record: string;
  /** SHA-256(0x00 || record bytes). */
  leafHash: string;
  treeSize: number;
  /** RFC 6962 inclusion proof of logIndex in the tree of treeSize leaves. */
  inclusionProof: string[];
  /** The signed checkpoint note of treeSize. */
  checkpoint: string;
}

export interface ConsistencyDocument {
  format: typeof CONSISTENCY_FORMAT;
  region: string;
  partition: string;
  from: { size: number; checkpoint: string };
  to: { size: number; checkpoint: string };
  /** RFC 6962 consistency proof from from.size to to.size. */
  proof: string[];
}

/** A proof document that does not prove what it claims; `reason` says which check failed. */
export class ProofDocumentError extends Error {
  override readonly name = 'ProofDocumentError';
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`proof does not verify: ${reason}`, options);
  }
}

export interface VerifiedProof {
  record: AuditRecord;
  checkpoint: Checkpoint;
}

/**
 * Verifies an inclusion proof document with only the public keys: the checkpoint's signature, that
 * the record bytes hash to the leaf, that the record is the event, tenant, partition and index the
 * document names, and that the inclusion proof leads from the leaf to the checkpoint's root.
 * Throws ProofDocumentError naming the first check that failed.
 */
export function verifyProofDocument(document: unknown, publicKeys: JsonWebKeySet): VerifiedProof {
  const doc = shape(document, PROOF_FORMAT, {
    eventId: 'string',
    tenant: 'string',
    region: 'string',
    partition: 'string',
    logIndex: 'number',
    record: 'string',
    leafHash: 'string',
    treeSize: 'number',
    inclusionProof: 'array',
    checkpoint: 'string',
  }) as unknown as ProofDocument;
  const checkpoint = checkpointOf(doc.checkpoint, publicKeys, 'checkpoint');
  expectLog(checkpoint, doc.region, doc.partition, 'checkpoint');
  if (checkpoint.size !== doc.treeSize) {
    throw new ProofDocumentError(
      `treeSize is ${doc.treeSize}, the checkpoint's size ${checkpoint.size}`,
    );
  }
  const bytes = decode(doc.record, 'record');
  const leafHash = decode(doc.leafHash, 'leafHash', HASH_SIZE);
  const computed = hashLeaf(bytes);
  if (!computed.equals(leafHash)) {
    throw new ProofDocumentError(
      `the record hashes to ${toBase64(computed)}, leafHash is ${doc.leafHash}`,
    );
  }
  let record: AuditRecord;
  try {
    record = decodeRecord(bytes);
  } catch (error) {
    throw new ProofDocumentError('the record is not JSON', { cause: error });
  }
  const claims: [string, unknown, unknown][] = [
    ['event id', record.event?.id, doc.eventId],
    ['tenant', record.event?.tenantid, doc.tenant],
    ['partition', record.log?.partition, doc.partition],
    ['log index', record.log?.index, doc.logIndex],
    ['region', record.log?.region ?? undefined, regionInRecord(doc.region, record)],
  ];
  for (const [what, inRecord, inDocument] of claims) {
    if (inRecord !== inDocument) {
      throw new ProofDocumentError(
        `the record's ${what} is ${JSON.stringify(inRecord)}, the document says ${JSON.stringify(inDocument)}`,
      );
    }
  }
  const proof = doc.inclusionProof.map((hash, i) => decode(hash, `inclusionProof[${i}]`));
  try {
    verifyInclusion(leafHash, doc.logIndex, doc.treeSize, proof, checkpoint.rootHash);
  } catch (error) {
    if (error instanceof ProofError) {
      throw new ProofDocumentError(`inclusion proof: ${error.message}`, { cause: error });
    }
    throw error;
  }
  return { record, checkpoint };
}

/**
 * Verifies a consistency document with only the public keys: both checkpoints' signatures, that both
 * belong to the partition's log, and that the proof shows the later tree extends the earlier one.
 */
export function verifyConsistencyDocument(
  document: unknown,
  publicKeys: JsonWebKeySet,
): { from: Checkpoint; to: Checkpoint } {
  const doc = shape(document, CONSISTENCY_FORMAT, {
    region: 'string',
    partition: 'string',
    from: 'object',
    to: 'object',
    proof: 'array',
  }) as unknown as ConsistencyDocument;
  const from = checkpointOf(String(doc.from.checkpoint), publicKeys, 'from.checkpoint');
  const to = checkpointOf(String(doc.to.checkpoint), publicKeys, 'to.checkpoint');
  expectLog(from, doc.region, doc.partition, 'from.checkpoint');
  expectLog(to, doc.region, doc.partition, 'to.checkpoint');
  if (from.origin !== to.origin)
    throw new ProofDocumentError('the checkpoints are of different logs');
  const proof = doc.proof.map((hash, i) => decode(hash, `proof[${i}]`));
  try {
    verifyConsistency(from.size, to.size, from.rootHash, to.rootHash, proof);
  } catch (error) {
    if (error instanceof ProofError) {
      throw new ProofDocumentError(`consistency proof: ${error.message}`, { cause: error });
    }
    throw error;
  }
  return { from, to };
}

/** The region a record names: records carry one only when the deployment sets AUDIT_REGION. */
function regionInRecord(documentRegion: string, record: AuditRecord): string | undefined {
  return record.log?.region === undefined ? undefined : documentRegion;
}

function checkpointOf(note: string, publicKeys: JsonWebKeySet, what: string): Checkpoint {
  try {
    return verifyCheckpointNote(note, publicKeys);
  } catch (error) {
    if (error instanceof NoteError) {
      throw new ProofDocumentError(`${what}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function expectLog(checkpoint: Checkpoint, region: string, partition: string, what: string): void {
  if (checkpoint.partition !== partition) {
    throw new ProofDocumentError(
      `${what} is of partition ${checkpoint.partition}, the document says ${partition}`,
    );
  }
  if (!checkpoint.origin.endsWith(`/${region}/${partition}`)) {
    throw new ProofDocumentError(
      `${what} is of log ${checkpoint.origin}, not of region ${region} partition ${partition}`,
    );
  }
}

type FieldType = 'string' | 'number' | 'array' | 'object';

function shape(
  document: unknown,
  format: string,
  fields: Record<string, FieldType>,
): Record<string, unknown> {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new ProofDocumentError('the document is not a JSON object');
  }
  const doc = document as Record<string, unknown>;
  if (doc.format !== format) {
    throw new ProofDocumentError(
      `format is ${JSON.stringify(doc.format)}, expected ${JSON.stringify(format)}`,
    );
  }
  for (const [name, type] of Object.entries(fields)) {
    const value = doc[name];
    const ok =
      type === 'array'
        ? Array.isArray(value) && value.every((item) => typeof item === 'string')
        : type === 'object'
          ? typeof value === 'object' && value !== null && !Array.isArray(value)
          : type === 'number'
            ? Number.isSafeInteger(value) && (value as number) >= 0
            : typeof value === 'string';
    if (!ok) {
      const expected =
        type === 'array'
          ? 'an array of strings'
          : type === 'number'
            ? 'a non-negative integer'
            : `a ${type}`;
      throw new ProofDocumentError(`${name} is not ${expected}`);
    }
  }
  return doc;
}

function decode(text: string, what: string, length?: number): Buffer {
  try {
    return fromBase64(text, what, length);
  } catch (error) {
    if (error instanceof EncodingError) throw new ProofDocumentError(error.message);
    throw error;
  }
}
