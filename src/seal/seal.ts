import {
  buildConsistencyProof,
  buildRoot,
  bytesEqual,
  formatCheckpoint,
  frontierFromJson,
  hashCheckpointBody,
  parseSignedNote,
  parseCheckpoint,
  rootOf,
  signCheckpoint,
  toBase64,
  verifyConsistency,
  type Checkpoint,
} from '../integrity';
import type { KeyProvider, Signer } from '../keys/types';
import { ConcurrentWriteError } from '../store/errors';
import { listLogStates, readLogState, type PartitionLogState } from '../store/log-state';
import {
  commitCheckpointHead,
  comparePartitions,
  readCheckpointHead,
  readCheckpointNote,
  writeCheckpointNote,
  type CheckpointHead,
} from './checkpoint-store';
import { logOrigin, type LogIdentity } from './layout';
import type { IntegrityStores } from './stores';
import { TileCache, tileNodeStore } from './tile-store';

export interface SealDependencies {
  stores: IntegrityStores;
  log: LogIdentity;
  /** Only the signer is used: one key lookup per seal run, one signature per grown partition. */
  keys: Pick<KeyProvider, 'signer'>;
}

export type SealOutcome =
  | {
      partition: string;
      status: 'sealed';
      size: number;
      previousSize: number | undefined;
      keyId: string;
      note: string;
    }
  | { partition: string; status: 'unchanged'; size: number }
  | { partition: string; status: 'failed'; error: Error };

/** The stored log does not support the checkpoint a seal would sign; nothing was signed. */
export class SealRefusedError extends Error {
  override readonly name = 'SealRefusedError';
  constructor(
    readonly partition: string,
    readonly reason: string,
  ) {
    super(`partition ${partition}: refusing to seal: ${reason}`);
  }
}

/** How often a partition's seal restarts after another sealer moved its head first. */
const MAX_HEAD_RACES = 5;

/**
 * Signs a checkpoint for every partition whose log grew since its last checkpoint, chained to that
 * checkpoint. Before signing, the new root is rebuilt from the stored tiles and the tiles must prove
 * it extends the previous checkpoint: a seal never signs a root that proofs could not be served for,
 * nor one that rewrites what an earlier checkpoint covered. Key operations per run: one signer lookup
 * (only when some partition grew) and one signature per grown partition, whatever the number of events.
 * A failure in one partition does not stop the others; it is returned as a 'failed' outcome.
 */
export async function sealPartitions(deps: SealDependencies, now: Date): Promise<SealOutcome[]> {
  const states = (await listLogStates(deps.stores.state)).sort((a, b) =>
    comparePartitions(a.partitionId, b.partitionId),
  );
  let signer: Promise<Signer> | undefined;
  const getSigner = (): Promise<Signer> => (signer ??= deps.keys.signer());
  const outcomes: SealOutcome[] = [];
  for (const state of states) {
    try {
      outcomes.push(await sealPartition(deps, state.partitionId, now, getSigner, state));
    } catch (error) {
      outcomes.push({ partition: state.partitionId, status: 'failed', error: error as Error });
    }
  }
  return outcomes;
}

/** Seals one partition if its log grew; see sealPartitions. */
export async function sealPartition(
  deps: SealDependencies,
  partition: string,
  now: Date,
  getSigner: () => Promise<Signer>,
  knownState?: PartitionLogState,
): Promise<SealOutcome> {
  for (let race = 1; ; race++) {
    try {
      return await attempt(deps, partition, now, getSigner, race === 1 ? knownState : undefined);
    } catch (error) {
      if (error instanceof ConcurrentWriteError && race < MAX_HEAD_RACES) continue;
      throw error;
    }
  }
}

async function attempt(
  deps: SealDependencies,
  partition: string,
  now: Date,
  getSigner: () => Promise<Signer>,
  knownState: PartitionLogState | undefined,
): Promise<SealOutcome> {
  const { stores, log } = deps;
  const head = await readCheckpointHead(stores.state, partition);
  if (head !== undefined) await rollForward(deps, head);
  const state = knownState ?? (await readLogState(stores.state, partition));
  const size = state.nextIndex;
  if (size === (head?.size ?? 0)) return { partition, status: 'unchanged', size };
  if (head !== undefined && size < head.size) {
    throw new SealRefusedError(
      partition,
      `the log state has ${size} leaves but checkpoint ${head.size} was signed: the state was rolled back`,
    );
  }

  const frontier = frontierFromJson(JSON.parse(state.frontier));
  if (frontier.size !== size) {
    throw new SealRefusedError(
      partition,
      `the frontier covers ${frontier.size} leaves, the log state ${size}`,
    );
  }
  const root = rootOf(frontier);
  const nodes = tileNodeStore(stores, log, partition, size, new TileCache(64));
  const tileRoot = await buildRoot(nodes, size);
  if (!bytesEqual(tileRoot, root)) {
    throw new SealRefusedError(
      partition,
      `the tiles give root ${toBase64(tileRoot)} for ${size} leaves, the frontier ${toBase64(root)}`,
    );
  }

  let previous: { body: string; checkpoint: Checkpoint } | undefined;
  if (head !== undefined) {
    const body = parseSignedNote(head.note).text;
    const checkpoint = parseCheckpoint(body);
    const proof = await buildConsistencyProof(nodes, checkpoint.size, size);
    try {
      verifyConsistency(checkpoint.size, size, checkpoint.rootHash, root, proof);
    } catch (error) {
      throw new SealRefusedError(
        partition,
        `the log of ${size} leaves does not extend checkpoint ${checkpoint.size}: ${(error as Error).message}`,
      );
    }
    previous = { body, checkpoint };
  }

  const signer = await getSigner();
  // Seal times never go back, even when this host's clock is behind the previous sealer's.
  const time = new Date(Math.max(now.getTime(), previous?.checkpoint.time.getTime() ?? 0));
  const body = formatCheckpoint({
    origin: logOrigin(log, partition),
    size,
    rootHash: root,
    partition,
    time,
    keyId: signer.keyId,
    ...(previous ? { previousHash: hashCheckpointBody(previous.body) } : {}),
  });
  const note = await signCheckpoint(body, signer);
  await commitCheckpointHead(stores.state, head, { partition, size, note, time });
  await writeCheckpointNote(stores.checkpoints, log, partition, size, note, time);
  return {
    partition,
    status: 'sealed',
    size,
    previousSize: previous?.checkpoint.size,
    keyId: signer.keyId,
    note,
  };
}

/** Writes the head's note to its blob if a sealer crashed between the head commit and that write. */
async function rollForward(deps: SealDependencies, head: CheckpointHead): Promise<void> {
  const existing = await readCheckpointNote(
    deps.stores.checkpoints,
    deps.log,
    head.partition,
    head.size,
  );
  if (existing === head.note) return;
  const time = parseCheckpoint(parseSignedNote(head.note).text).time;
  await writeCheckpointNote(
    deps.stores.checkpoints,
    deps.log,
    head.partition,
    head.size,
    head.note,
    time,
  );
}
