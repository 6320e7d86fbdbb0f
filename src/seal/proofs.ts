import {
  buildConsistencyProof,
  buildInclusionProof,
  hashLeaf,
  parseCheckpoint,
  parseSignedNote,
  ProofError,
  toBase64,
  verifyConsistency,
  verifyInclusion,
} from '../integrity';
import type { StorageClients } from '../store/clients';
import { findByEventId } from '../store/identity-claims';
import {
  CONSISTENCY_FORMAT,
  PROOF_FORMAT,
  type ConsistencyDocument,
  type ProofDocument,
} from '../verify/proof-document';
import { readCheckpointHead, readCheckpointNote } from './checkpoint-store';
import type { LogIdentity } from './layout';
import { readClaimedRecord } from './records';
import type { IntegrityStores } from './stores';
import { TileCache, tileNodeStore } from './tile-store';

export interface ProofServices {
  clients: StorageClients;
  stores: IntegrityStores;
  log: LogIdentity;
}

export type EventProofResult =
  | { status: 'proved'; document: ProofDocument }
  /** The event is stored but no signed checkpoint covers its index yet. */
  | {
      status: 'not-sealed';
      partition: string;
      logIndex: number;
      latestCheckpointSize: number | undefined;
    }
  | { status: 'not-found' };

/**
 * The stored tiles do not prove what the signed checkpoint says: a proof built from them does not
 * verify. Served proofs are always checked first, so a damaged store is reported, never handed out.
 */
export class ProofIntegrityError extends Error {
  override readonly name = 'ProofIntegrityError';
  constructor(
    readonly partition: string,
    readonly detail: string,
  ) {
    super(`partition ${partition}: ${detail}; run mcp-audit verify`);
  }
}

/**
 * The inclusion proof document of an event of one of `tenants` (the caller's), against the latest
 * signed checkpoint of its partition: the latest always covers every index it has ever covered.
 * Only the caller's tenants are searched, so another tenant's event id is simply not found.
 */
export async function proveEvent(
  services: ProofServices,
  tenants: readonly string[],
  eventId: string,
): Promise<EventProofResult> {
  for (const tenant of tenants) {
    for (const claim of await findByEventId(services.clients.tables.ids, tenant, eventId)) {
      const located = await readClaimedRecord(services.clients, claim);
      if (located === undefined) continue;
      const { partition, index } = located.record.log;
      const head = await readCheckpointHead(services.stores.state, partition);
      if (head === undefined || head.size <= index) {
        return {
          status: 'not-sealed',
          partition,
          logIndex: index,
          latestCheckpointSize: head?.size,
        };
      }
      const checkpoint = parseCheckpoint(parseSignedNote(head.note).text);
      const leafHash = hashLeaf(located.bytes);
      const nodes = tileNodeStore(services.stores, services.log, partition, head.size);
      const proof = await buildInclusionProof(nodes, index, head.size);
      try {
        verifyInclusion(leafHash, index, head.size, proof, checkpoint.rootHash);
      } catch (error) {
        if (!(error instanceof ProofError)) throw error;
        throw new ProofIntegrityError(
          partition,
          `the stored record and tiles do not prove index ${index} in checkpoint ${head.size} (${error.message})`,
        );
      }
      return {
        status: 'proved',
        document: {
          format: PROOF_FORMAT,
          eventId,
          tenant,
          region: services.log.region,
          partition,
          logIndex: index,
          record: toBase64(located.bytes),
          leafHash: toBase64(leafHash),
          treeSize: head.size,
          inclusionProof: proof.map(toBase64),
          checkpoint: head.note,
        },
      };
    }
  }
  return { status: 'not-found' };
}

export type ConsistencyResult =
  | { status: 'proved'; document: ConsistencyDocument }
  | { status: 'not-found'; missingSize: number | undefined };

/**
 * The consistency proof between two signed checkpoints of a partition (`toSize` undefined: the
 * latest), built from the stored tiles and checked before it is returned.
 */
export async function proveConsistency(
  services: ProofServices,
  partition: string,
  fromSize: number,
  toSize: number | undefined,
): Promise<ConsistencyResult> {
  const { stores, log } = services;
  let toNote: string | undefined;
  let to = toSize;
  if (to === undefined) {
    const head = await readCheckpointHead(stores.state, partition);
    if (head === undefined) return { status: 'not-found', missingSize: undefined };
    to = head.size;
    toNote = head.note;
  } else {
    toNote = await readCheckpointNote(stores.checkpoints, log, partition, to);
    if (toNote === undefined) return { status: 'not-found', missingSize: to };
  }
  const fromNote = await readCheckpointNote(stores.checkpoints, log, partition, fromSize);
  if (fromNote === undefined) return { status: 'not-found', missingSize: fromSize };
  const older = parseCheckpoint(parseSignedNote(fromNote).text);
  const newer = parseCheckpoint(parseSignedNote(toNote).text);
  const nodes = tileNodeStore(stores, log, partition, to, new TileCache(64));
  const proof = await buildConsistencyProof(nodes, fromSize, to);
  try {
    verifyConsistency(fromSize, to, older.rootHash, newer.rootHash, proof);
  } catch (error) {
    if (!(error instanceof ProofError)) throw error;
    throw new ProofIntegrityError(
      partition,
      `the stored tiles do not prove checkpoint ${to} extends checkpoint ${fromSize} (${error.message})`,
    );
  }
  return {
    status: 'proved',
    document: {
      format: CONSISTENCY_FORMAT,
      region: log.region,
      partition,
      from: { size: fromSize, checkpoint: fromNote },
      to: { size: to, checkpoint: toNote },
      proof: proof.map(toBase64),
    },
  };
}
