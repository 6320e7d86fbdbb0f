import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  buildConsistencyProof,
  EncodingError,
  fromBase64,
  frontierNodeIds,
  HASH_SIZE,
  popCount,
  rangeNodes,
  toBase64,
  type Frontier,
} from '../integrity';
import type { JsonWebKeySet } from '../keys/types';
import { listCheckpointRefs, logOrigin, readBlobText, TileCache, tileNodeStore } from '../seal';
import { readLogState } from '../store/log-state';
import { SegmentFormatError } from '../store/segment-format';
import type { StoredCheckpoint } from './checkpoints';
import { mapLimit } from './concurrency';
import { verifyPartition } from './partition';
import { summarize, type PartitionReport, type VerificationReport } from './report';
import type { FrameRef, LeafReader, PartitionSource, VerifyOptionsBase } from './source';
import { archiveFrames, checkedFrame, tileLeafReader, type LogTarget } from './storage-source';
import { partitionsOf } from './verify-log';

/**
 * An export: a folder an auditor can verify with no access to the system, holding the archive
 * segments of a time range byte for byte, the checkpoints that cover them, the key set, and what the
 * range needs from outside it (all from the stored tree, all checked against the signed roots):
 *
 *   manifest.json                       what is where (ExportManifest)
 *   jwks.json                           the log's key set at export time (pin your own with --keys)
 *   segments/<archive blob name>        the segments, unchanged
 *   checkpoints/<partition>/<size>.note the signed checkpoints
 *   leaves/<partition>.bin              the stored tree's leaf hashes of the range, to name a bad record
 */

export const EXPORT_FORMAT = 'sql-mcp-audit.export.v1';

export interface ExportedPartition {
  partition: string;
  origin: string;
  /** The range's first index, and the frontier (base64 hashes) of the leaves before it. */
  start: { index: number; frontier: string[] };
  /** One past the range's last index. */
  end: number;
  frames: FrameRef[];
  /** Sizes of the exported checkpoints: the last one at or before the start, every one inside, the first one at or after the end. */
  checkpoints: number[];
  /** Consistency proofs between consecutive exported checkpoints. */
  consistency: { from: number; to: number; proof: string[] }[];
  /** Nodes covering [end, size) for the first checkpoint past the range. */
  tail?: { size: number; nodes: { level: number; hash: string }[] };
  /** Leaf hashes of [start.index, start.index + leafCount) in leaves/<partition>.bin. */
  leafCount: number;
}

export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  region: string;
  from: string;
  to: string;
  createdAt: string;
  partitions: ExportedPartition[];
}

export interface ExportSummary {
  folder: string;
  partitions: {
    partition: string;
    records: number;
    first: number;
    end: number;
    checkpoints: number;
  }[];
  segments: number;
  bytes: number;
}

export class ExportError extends Error {
  override readonly name = 'ExportError';
}

export interface ExportOptions {
  publicKeys: JsonWebKeySet;
  onProgress?: (partition: string, segments: number) => void;
  clock?: () => Date;
}

/**
 * Writes the records of every partition enqueued in [from, to) (whole archive hours) with what
 * verifyOffline needs. Refuses a folder that exists and is not empty.
 */
export async function exportRange(
  target: LogTarget,
  range: { from: Date; to: Date },
  folder: string,
  options: ExportOptions,
): Promise<ExportSummary> {
  if (!(range.from.getTime() < range.to.getTime())) {
    throw new ExportError(
      `--from ${range.from.toISOString()} is not before --to ${range.to.toISOString()}`,
    );
  }
  const existing = await fs.readdir(folder).catch(() => []);
  if (existing.length > 0) throw new ExportError(`${folder} exists and is not empty`);
  await fs.mkdir(folder, { recursive: true });

  const summary: ExportSummary = { folder, partitions: [], segments: 0, bytes: 0 };
  const exported: ExportedPartition[] = [];
  for (const partition of await partitionsOf(target)) {
    const done = await exportPartition(target, partition, range, folder, summary, options);
    if (done !== undefined) exported.push(done);
  }
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    region: target.log.region,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    createdAt: (options.clock ?? (() => new Date()))().toISOString(),
    partitions: exported,
  };
  await fs.writeFile(
    path.join(folder, 'jwks.json'),
    `${JSON.stringify(options.publicKeys, null, 2)}\n`,
  );
  await fs.writeFile(path.join(folder, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return summary;
}

async function exportPartition(
  target: LogTarget,
  partition: string,
  range: { from: Date; to: Date },
  folder: string,
  summary: ExportSummary,
  options: ExportOptions,
): Promise<ExportedPartition | undefined> {
  const { stores, log } = target;
  // The state first: every record below its size is archived, so its tiles cover what is listed.
  const stateSize = (await readLogState(stores.state, partition)).nextIndex;
  const { frames: all } = await archiveFrames(target.clients.containers.archive, partition);
  const frames = all.filter((frame) => inHours(frame.segment, range));
  if (frames.length === 0) return undefined;
  const segments = [...new Set(frames.map((frame) => frame.segment))];
  await mapLimit(segments, 8, async (segment) => {
    const data = await target.clients.containers.archive
      .getBlockBlobClient(segment)
      .downloadToBuffer();
    const file = path.join(folder, 'segments', ...segment.split('/'));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, data);
    summary.bytes += data.length;
  });
  summary.segments += segments.length;
  options.onProgress?.(partition, segments.length);

  const first = Math.min(...frames.map((frame) => frame.first));
  const end = Math.max(...frames.map((frame) => frame.last)) + 1;
  const cache = new TileCache(256);
  const treeSize = Math.max(stateSize, first);
  const startNodes =
    first === 0
      ? new Map<string, Uint8Array>()
      : await tileNodeStore(stores, log, partition, treeSize, cache).getNodes(
          frontierNodeIds(first),
        );
  const startFrontier = frontierNodeIds(first).map((id) =>
    toBase64(startNodes.get(`${id.level}/${id.index}`) as Uint8Array),
  );

  const refs = [];
  for await (const ref of listCheckpointRefs(stores.checkpoints, log, partition)) refs.push(ref);
  const before = refs.filter((ref) => ref.size <= first).pop();
  const after = refs.find((ref) => ref.size >= end);
  const chosen = refs.filter(
    (ref) => ref.size >= (before?.size ?? first) && ref.size <= (after?.size ?? Infinity),
  );
  const checkpointDir = path.join(folder, 'checkpoints', partition);
  await fs.mkdir(checkpointDir, { recursive: true });
  for (const ref of chosen) {
    const note = await readBlobText(stores.checkpoints, ref.name);
    if (note === undefined)
      throw new ExportError(`checkpoint ${ref.name} vanished during the export`);
    await fs.writeFile(path.join(checkpointDir, path.basename(ref.name)), note);
  }
  const consistency = [];
  for (let i = 1; i < chosen.length; i++) {
    const [older, newer] = [chosen[i - 1]!.size, chosen[i]!.size];
    const nodes = tileNodeStore(stores, log, partition, newer, cache);
    consistency.push({
      from: older,
      to: newer,
      proof: (await buildConsistencyProof(nodes, older, newer)).map(toBase64),
    });
  }
  let tail: ExportedPartition['tail'];
  if (after !== undefined && after.size > end) {
    const ids = rangeNodes(end, after.size);
    const nodes = await tileNodeStore(stores, log, partition, after.size, cache).getNodes(ids);
    tail = {
      size: after.size,
      nodes: ids.map((id) => ({
        level: id.level,
        hash: toBase64(nodes.get(`${id.level}/${id.index}`) as Uint8Array),
      })),
    };
  }
  const leafEnd = Math.min(end, stateSize);
  const leaves: Uint8Array[] = [];
  if (leafEnd > first) {
    const reader = tileLeafReader(stores.tiles, log, partition, stateSize, cache);
    for (let index = first; index < leafEnd; index++) leaves.push(await reader.leafAt(index));
  }
  await fs.mkdir(path.join(folder, 'leaves'), { recursive: true });
  await fs.writeFile(path.join(folder, 'leaves', `${partition}.bin`), Buffer.concat(leaves));

  summary.partitions.push({
    partition,
    records: end - first,
    first,
    end,
    checkpoints: chosen.length,
  });
  return {
    partition,
    origin: logOrigin(log, partition),
    start: { index: first, frontier: startFrontier },
    end,
    frames: frames.map((frame) => ({ ...frame })),
    checkpoints: chosen.map((ref) => ref.size),
    consistency,
    ...(tail === undefined ? {} : { tail }),
    leafCount: leaves.length,
  };
}

function inHours(segment: string, range: { from: Date; to: Date }): boolean {
  const match = /\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\.[^/]*\.seg$/.exec(segment);
  if (match === null) return false;
  const [, y, mo, d, h] = match;
  const hour = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h));
  return hour + 3_600_000 > range.from.getTime() && hour < range.to.getTime();
}

/**
 * Verifies an exported folder with only the given key set and nothing else: every checkpoint's
 * signature, chain and consistency proofs, every record in log order rebuilt into the tree from the
 * range's starting frontier, and each rebuilt root against the signed root of its size (past the
 * range's end, through the exported tree nodes).
 */
export async function verifyOffline(
  folder: string,
  publicKeys: JsonWebKeySet,
  options: VerifyOptionsBase = {},
): Promise<VerificationReport> {
  const clock = options.clock ?? (() => new Date());
  const startedAt = clock();
  const manifest = await readManifest(folder);
  const reports: PartitionReport[] = [];
  const totals = { records: 0, checkpoints: 0, signatureChecks: 0, recordBytes: 0 };
  for (const exported of manifest.partitions) {
    const result = await verifyPartition(await folderPartitionSource(folder, exported), {
      publicKeys,
      fromFirst: exported.start.index === 0,
      ...(options.knownCheckpoints ? { knownCheckpoints: [] } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    reports.push(result.report);
    totals.records += result.report.records;
    totals.checkpoints += result.report.checkpoints;
    totals.signatureChecks += result.signatureChecks;
    totals.recordBytes += result.recordBytes;
  }
  return summarize('export', manifest.region, reports, totals, startedAt, clock());
}

export async function readManifest(folder: string): Promise<ExportManifest> {
  const file = path.join(folder, 'manifest.json');
  let manifest: ExportManifest;
  try {
    manifest = JSON.parse(await fs.readFile(file, 'utf8')) as ExportManifest;
  } catch (error) {
    throw new ExportError(`${file} cannot be read as JSON: ${(error as Error).message}`);
  }
  if (manifest.format !== EXPORT_FORMAT || !Array.isArray(manifest.partitions)) {
    throw new ExportError(`${file} is not an export manifest (format ${EXPORT_FORMAT})`);
  }
  return manifest;
}

async function folderPartitionSource(
  folder: string,
  exported: ExportedPartition,
): Promise<PartitionSource> {
  const { partition } = exported;
  const hash = (text: string, what: string): Buffer => {
    try {
      return fromBase64(text, what, HASH_SIZE);
    } catch (error) {
      if (error instanceof EncodingError)
        throw new ExportError(`manifest, partition ${partition}: ${error.message}`);
      throw error;
    }
  };
  const start = exported.start;
  if (start.frontier.length !== popCount(start.index)) {
    throw new ExportError(
      `manifest, partition ${partition}: a frontier at ${start.index} has ${popCount(start.index)} hashes, found ${start.frontier.length}`,
    );
  }
  const frontier: Frontier = {
    size: start.index,
    hashes: start.frontier.map((h, i) => hash(h, `start.frontier[${i}]`)),
  };
  const proofs = new Map(
    exported.consistency.map((c) => [
      `${c.from}-${c.to}`,
      c.proof.map((h, i) => hash(h, `consistency ${c.from}-${c.to} [${i}]`)),
    ]),
  );
  const leafData = await fs
    .readFile(path.join(folder, 'leaves', `${partition}.bin`))
    .catch(() => Buffer.alloc(0));
  const leaves: LeafReader | undefined =
    leafData.length === 0
      ? undefined
      : {
          size: start.index + Math.floor(leafData.length / HASH_SIZE),
          async leafAt(index) {
            const at = (index - start.index) * HASH_SIZE;
            return leafData.subarray(at, at + HASH_SIZE);
          },
        };
  return {
    partition,
    origin: exported.origin,
    async checkpoints() {
      const directory = path.join(folder, 'checkpoints', partition);
      const names = (await fs.readdir(directory).catch(() => [] as string[]))
        .filter((name) => /^\d{16}\.note$/.test(name))
        .sort();
      const stored: StoredCheckpoint[] = [];
      for (const name of names) {
        stored.push({
          name: `checkpoints/${partition}/${name}`,
          nameSize: Number(name.slice(0, 16)),
          note: await fs.readFile(path.join(directory, name), 'utf8'),
        });
      }
      return stored;
    },
    async frames() {
      return { frames: [...exported.frames].sort((a, b) => a.first - b.first), unreadable: [] };
    },
    async readFrame(frame) {
      const file = path.join(folder, 'segments', ...frame.segment.split('/'));
      let data: Buffer;
      try {
        const handle = await fs.open(file, 'r');
        try {
          data = Buffer.alloc(frame.length);
          const { bytesRead } = await handle.read(data, 0, frame.length, frame.offset);
          data = data.subarray(0, bytesRead);
        } finally {
          await handle.close();
        }
      } catch (error) {
        throw new SegmentFormatError(frame.offset, `${frame.segment}: ${(error as Error).message}`);
      }
      return checkedFrame(data, frame);
    },
    async start() {
      return { index: start.index, frontier };
    },
    async end() {
      return exported.end;
    },
    async tail() {
      const tail = exported.tail;
      if (tail === undefined) return undefined;
      return {
        size: tail.size,
        nodes: tail.nodes.map((node, i) => ({
          level: node.level,
          hash: hash(node.hash, `tail[${i}]`),
        })),
      };
    },
    async leaves() {
      return leaves;
    },
    async consistencyProof(size1, size2) {
      const proof = proofs.get(`${size1}-${size2}`);
      if (proof === undefined)
        throw new ExportError(`the export has no proof from ${size1} to ${size2}`);
      return proof;
    },
  };
}
