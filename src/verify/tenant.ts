import {
  buildConsistencyProof,
  buildInclusionProof,
  hashLeaf,
  MissingNodeError,
  ProofError,
  TileDataError,
  verifyInclusion,
  type Checkpoint,
} from '../integrity';
import type { JsonWebKeySet } from '../keys/types';
import { decodeRecord, type AuditRecord } from '../pipeline/record';
import {
  comparePartitions,
  logOrigin,
  MissingTileError,
  readCheckpointHead,
  TileCache,
  tileNodeStore,
} from '../seal';
import { readLogState } from '../store/log-state';
import { decodeSegment, SegmentFormatError } from '../store/segment-format';
import { verifyCheckpointChain } from './checkpoints';
import {
  byPosition,
  MAX_FAILURES_PER_PARTITION,
  summarize,
  type PartitionReport,
  type VerificationFailure,
  type VerificationReport,
} from './report';
import type { VerifyOptionsBase } from './source';
import { readStoredCheckpoints, type LogTarget } from './storage-source';

export interface VerifyTenantOptions extends VerifyOptionsBase {
  publicKeys: JsonWebKeySet;
  /** Only segments of events enqueued at or after this time. */
  from?: Date;
  /** Only segments of events enqueued before this time. */
  to?: Date;
}

interface PartitionState {
  report: PartitionReport;
  latest: Checkpoint | undefined;
  cache: TileCache;
  seen: Set<number>;
}

/**
 * Verifies one tenant's events without reading any other tenant's records: each archived record of
 * the tenant is proved, by an inclusion proof from the stored tiles, to be in the latest signed
 * checkpoint of its partition, whose chain (signatures, order, consistency) is verified with only
 * the public keys; checkpoints carry no tenant data. Over the tenant's whole history (no time range)
 * every accepted event of the tenant (its identity claims) must have an archived record.
 */
export async function verifyTenantEvents(
  target: LogTarget,
  tenants: readonly string[],
  options: VerifyTenantOptions,
): Promise<VerificationReport> {
  const clock = options.clock ?? (() => new Date());
  const startedAt = clock();
  const partitions = new Map<string, PartitionState>();
  const totals = { records: 0, checkpoints: 0, signatureChecks: 0, recordBytes: 0 };

  const partitionState = async (partition: string): Promise<PartitionState> => {
    let state = partitions.get(partition);
    if (state !== undefined) return state;
    const head = await readCheckpointHead(target.stores.state, partition);
    const chain = await verifyCheckpointChain({
      partition,
      origin: logOrigin(target.log, partition),
      stored: await readStoredCheckpoints(target.stores.checkpoints, target.log, partition),
      publicKeys: options.publicKeys,
      fromFirst: true,
      ...(head === undefined ? {} : { head: head.note }),
      consistencyProof: (size1, size2) =>
        buildConsistencyProof(
          tileNodeStore(target.stores, target.log, partition, size2),
          size1,
          size2,
        ),
    });
    totals.signatureChecks += chain.signatureChecks;
    totals.checkpoints += chain.verified.length;
    const latest =
      chain.failures.length === 0 ? chain.verified[chain.verified.length - 1] : undefined;
    state = {
      report: {
        partition,
        origin: logOrigin(target.log, partition),
        ok: true,
        records: 0,
        checkpoints: chain.verified.length,
        latestCheckpointSize: latest?.checkpoint.size,
        unsealed: 0,
        keyIds: [...new Set(chain.verified.map((v) => v.checkpoint.keyId))],
        failures: [...chain.failures],
      },
      latest: latest?.checkpoint,
      cache: new TileCache(256),
      seen: new Set(),
    };
    partitions.set(partition, state);
    return state;
  };

  const found = new Set<string>();
  for (const tenant of tenants) {
    for await (const blob of target.clients.containers.archive.listBlobsFlat({
      prefix: `${tenant}/`,
    })) {
      if (!inRange(blob.name, options.from, options.to)) continue;
      const data = await target.clients.containers.archive
        .getBlockBlobClient(blob.name)
        .downloadToBuffer();
      const partitionId = blob.name.split('/')[1] ?? '';
      let frames;
      try {
        frames = decodeSegment(data);
      } catch (error) {
        if (!(error instanceof SegmentFormatError)) throw error;
        const state = await partitionState(partitionId);
        state.report.failures.push({
          kind: 'archive-unreadable',
          partition: partitionId,
          message: `${blob.name}: ${error.message}`,
        });
        continue;
      }
      for (const frame of frames) {
        for (const bytes of frame.records) {
          const record = safeDecode(bytes);
          const partition = record?.log?.partition ?? partitionId;
          const state = await partitionState(partition);
          const failure = await verifyRecord(target, tenant, blob.name, state, record, bytes);
          totals.records++;
          totals.recordBytes += bytes.length;
          state.report.records++;
          if (failure !== undefined) state.report.failures.push(failure);
          if (record?.log !== undefined) {
            found.add(`${record.log.partition}/${record.log.sequenceNumber}`);
          }
        }
      }
      options.onProgress?.({ partition: partitionId, phase: 'records', done: totals.records });
    }
    if (options.from === undefined && options.to === undefined) {
      await checkClaims(target, tenant, found, partitionState);
    }
  }

  const reports = [...partitions.values()]
    .map(({ report }) => {
      const failures = report.failures.sort(byPosition).slice(0, MAX_FAILURES_PER_PARTITION);
      return { ...report, failures, ok: failures.length === 0 };
    })
    .sort((a, b) => comparePartitions(a.partition, b.partition));
  return summarize('tenant', target.log.region, reports, totals, startedAt, clock(), [...tenants]);
}

async function verifyRecord(
  target: LogTarget,
  tenant: string,
  segment: string,
  state: PartitionState,
  record: AuditRecord | undefined,
  bytes: Uint8Array,
): Promise<VerificationFailure | undefined> {
  const { partition } = state.report;
  if (record === undefined || typeof record.log?.index !== 'number') {
    return {
      kind: 'record-malformed',
      partition,
      message: `${segment} holds bytes that are not a record`,
    };
  }
  const index = record.log.index;
  const eventId = String(record.event?.id);
  if (record.event?.tenantid !== tenant) {
    return {
      kind: 'record-inserted',
      partition,
      index,
      eventId,
      message: `${segment} holds a record of tenant ${String(record.event?.tenantid)}`,
    };
  }
  if (state.seen.has(index)) {
    return {
      kind: 'record-inserted',
      partition,
      index,
      eventId,
      message: `a second record claims index ${index} (${segment})`,
    };
  }
  state.seen.add(index);
  const latest = state.latest;
  if (latest === undefined || index >= latest.size) {
    state.report.unsealed++;
    return undefined;
  }
  const leaf = hashLeaf(bytes);
  try {
    const nodes = tileNodeStore(target.stores, target.log, partition, latest.size, state.cache);
    const proof = await buildInclusionProof(nodes, index, latest.size);
    verifyInclusion(leaf, index, latest.size, proof, latest.rootHash);
    return undefined;
  } catch (error) {
    const proofFailure =
      error instanceof ProofError ||
      error instanceof MissingNodeError ||
      error instanceof TileDataError ||
      error instanceof MissingTileError;
    if (!proofFailure) throw error;
    return {
      kind: 'record-modified',
      partition,
      index,
      eventId,
      message: `the archived record (${segment}) is not proved in signed checkpoint ${latest.size}: ${(error as Error).message}`,
    };
  }
}

/** Every committed event the tenant's identity claims name must have been found in the archive. */
async function checkClaims(
  target: LogTarget,
  tenant: string,
  found: ReadonlySet<string>,
  partitionState: (partition: string) => Promise<PartitionState>,
): Promise<void> {
  const committed = new Map<string, number>();
  for await (const claim of target.clients.tables.ids.listEntities<{
    eventId: string;
    partitionId: string;
    sequenceNumber: number;
  }>({ queryOptions: { filter: `PartitionKey eq '${tenant.replace(/'/g, "''")}'` } })) {
    const partition = String(claim.partitionId);
    const sequenceNumber = Number(claim.sequenceNumber);
    if (found.has(`${partition}/${sequenceNumber}`)) continue;
    if (!committed.has(partition)) {
      committed.set(
        partition,
        (await readLogState(target.stores.state, partition)).lastSequenceNumber,
      );
    }
    // Claims of a batch still being ingested come before its records: only committed ones count.
    if (sequenceNumber > (committed.get(partition) as number)) continue;
    const state = await partitionState(partition);
    state.report.failures.push({
      kind: 'record-missing',
      partition,
      eventId: String(claim.eventId),
      message: `event ${String(claim.eventId)} (sequence ${sequenceNumber}) was accepted, but no archived record of the tenant holds it`,
    });
  }
}

function inRange(name: string, from: Date | undefined, to: Date | undefined): boolean {
  if (from === undefined && to === undefined) return true;
  const match = /\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\.[^/]*\.seg$/.exec(name);
  if (match === null) return false;
  const [, y, mo, d, h] = match;
  const hour = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h));
  return (
    (from === undefined || hour + 3_600_000 > from.getTime()) &&
    (to === undefined || hour < to.getTime())
  );
}

function safeDecode(bytes: Uint8Array): AuditRecord | undefined {
  try {
    return decodeRecord(bytes);
  } catch {
    return undefined;
  }
}
