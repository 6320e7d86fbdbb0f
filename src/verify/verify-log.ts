import { parseCheckpoint, parseSignedNote } from '../integrity';
import type { JsonWebKeySet } from '../keys/types';
import { comparePartitions, listCheckpointHeads } from '../seal';
import { listLogStates } from '../store/log-state';
import { HotIndex, hotRows } from './hot-index';
import { verifyPartition } from './partition';
import { summarize, type PartitionReport, type VerificationReport } from './report';
import type { VerifyOptionsBase } from './source';
import { storagePartitionSource, type LogTarget } from './storage-source';

export interface VerifyLogOptions extends VerifyOptionsBase {
  /** The key set checkpoints are checked against (a JWKS file or URL the verifier trusts). */
  publicKeys: JsonWebKeySet;
  /** Only these partitions; default every partition that has a log state, a checkpoint or hot rows. */
  partitions?: readonly string[];
  /** Cross-check the hot store against the archive (default true). */
  hotStore?: boolean;
}

const HOT_PROGRESS_EVERY = 1000;

/**
 * Verifies the region's whole log as storage holds it: for every partition, the checkpoint chain
 * with only the public keys, every archived record in log order against the stored tree and the
 * signed roots, the hot store against the archive, and the log state against the rebuilt tree.
 * Reads the hot store once and each archive frame once; memory stays small whatever the log's size
 * (the tree is a frontier; the hot store is summarized per 4096 indexes).
 */
export async function verifyLog(
  target: LogTarget,
  options: VerifyLogOptions,
): Promise<VerificationReport> {
  const clock = options.clock ?? (() => new Date());
  const startedAt = clock();
  const hot = new HotIndex();
  if (options.hotStore !== false) {
    for await (const row of hotRows(target.clients.tables.events)) {
      hot.add(row);
      if (hot.rows % HOT_PROGRESS_EVERY === 0) {
        options.onProgress?.({ partition: '*', phase: 'hot-store', done: hot.rows });
      }
    }
    options.onProgress?.({ partition: '*', phase: 'hot-store', done: hot.rows });
  }
  const partitions = options.partitions ?? (await partitionsOf(target, hot));
  const known = knownByPartition(options.knownCheckpoints ?? []);
  const reports: PartitionReport[] = [];
  const totals = { records: 0, checkpoints: 0, signatureChecks: 0, recordBytes: 0 };
  for (const partition of partitions) {
    const result = await verifyPartition(storagePartitionSource(target, partition), {
      publicKeys: options.publicKeys,
      fromFirst: true,
      knownCheckpoints: known.get(partition) ?? [],
      hot,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    reports.push(result.report);
    totals.records += result.report.records;
    totals.checkpoints += result.report.checkpoints;
    totals.signatureChecks += result.signatureChecks;
    totals.recordBytes += result.recordBytes;
  }
  return summarize('log', target.log.region, reports, totals, startedAt, clock());
}

/** Every partition anything in storage speaks of: log states, checkpoint heads and blobs, hot rows. */
export async function partitionsOf(target: LogTarget, hot?: HotIndex): Promise<string[]> {
  const ids = new Set<string>();
  for (const state of await listLogStates(target.stores.state)) ids.add(state.partitionId);
  for (const head of await listCheckpointHeads(target.stores.state)) ids.add(head.partition);
  const prefix = `${target.log.region}/`;
  for await (const item of target.stores.checkpoints.listBlobsByHierarchy('/', { prefix })) {
    if (item.kind === 'prefix') ids.add(item.name.slice(prefix.length).replace(/\/$/, ''));
  }
  for (const partition of hot?.partitionIds() ?? []) ids.add(partition);
  return [...ids].sort(comparePartitions);
}

/** Known checkpoint notes grouped by the partition they sign. */
function knownByPartition(notes: readonly string[]): Map<string, string[]> {
  const byPartition = new Map<string, string[]>();
  for (const note of notes) {
    const { partition } = parseCheckpoint(parseSignedNote(note).text);
    byPartition.set(partition, [...(byPartition.get(partition) ?? []), note]);
  }
  return byPartition;
}
