import type { ContainerClient } from '@azure/storage-blob';
import {
  hashLeaf,
  toHex,
  formatCheckpoint,
  parseCheckpoint,
  parseSignedNote,
  signCheckpoint,
} from '../../../src/integrity';
import { canonicalJson } from '../../../src/json/canonical';
import { decodeRecord } from '../../../src/pipeline/record';
import { checkpointBlobName, type IntegrityServices } from '../../../src/seal';
import { plainRow, RECORD_CHUNK_BYTES } from '../../../src/store/hot-entity';
import { blockIdFor, decodeSegment, encodeFrame } from '../../../src/store/segment-format';
import { testSigner } from '../../integrity/support/signer';
import type { BuiltLog } from './log';

/**
 * What an attacker with write access to the storage account can do, as operations on a built log.
 * Archive changes keep the ingest path's block naming (a careful attacker's), unless the operation is
 * about breaking the blob itself.
 */

export type Mutation =
  | {
      op: 'modify-record';
      partition: string;
      index: number;
      pointer: string;
      value: unknown;
      stores: ('archive' | 'hot' | 'hot-leaf' | 'tiles')[];
    }
  | { op: 'delete-record'; partition: string; index: number; stores: ('archive' | 'hot')[] }
  | { op: 'insert-record'; partition: string; before: number; pointer: string; value: unknown }
  | { op: 'replay-record'; partition: string; index: number; after: number }
  | { op: 'swap-records'; partition: string; a: number; b: number }
  | { op: 'truncate-log'; partition: string; from: number }
  | { op: 'truncate-segment'; partition: string; index: number }
  | { op: 'delete-checkpoint'; partition: string; size: number }
  | { op: 'modify-checkpoint'; partition: string; size: number; line: number; value: string }
  | {
      op: 'replay-checkpoint';
      from: { partition: string; size: number };
      to: { partition: string; size: number };
    }
  | { op: 'resign-checkpoint'; partition: string; size: number; keyId?: string }
  | { op: 'rollback'; partition: string; to: number }
  | { op: 'drop-key'; which: 'oldest' | 'newest' };

interface Frame {
  records: Buffer[];
}

interface Segment {
  name: string;
  frames: Frame[];
}

async function segmentsOf(container: ContainerClient, partition: string): Promise<Segment[]> {
  const segments: Segment[] = [];
  for await (const blob of container.listBlobsFlat()) {
    if (blob.name.split('/')[1] !== partition) continue;
    const data = await container.getBlockBlobClient(blob.name).downloadToBuffer();
    segments.push({
      name: blob.name,
      frames: decodeSegment(data).map((frame) => ({
        records: frame.records.map((r) => Buffer.from(r)),
      })),
    });
  }
  return segments;
}

function indexOf(bytes: Buffer): number {
  return decodeRecord(bytes).log.index;
}

async function locate(
  container: ContainerClient,
  partition: string,
  index: number,
): Promise<{ segment: Segment; frame: Frame; at: number }> {
  for (const segment of await segmentsOf(container, partition)) {
    for (const frame of segment.frames) {
      const at = frame.records.findIndex((bytes) => indexOf(bytes) === index);
      if (at >= 0) return { segment, frame, at };
    }
  }
  throw new Error(`no archived record of partition ${partition} holds index ${index}`);
}

/** Re-commits a segment with these frames, each block named by its records' first and last index. */
async function commitSegment(container: ContainerClient, segment: Segment): Promise<void> {
  const blob = container.getBlockBlobClient(segment.name);
  const ids: string[] = [];
  for (const frame of segment.frames.filter((f) => f.records.length > 0)) {
    const records = frame.records.map((bytes) => ({ logIndex: indexOf(bytes), bytes }));
    const id = blockIdFor(records[0]!.logIndex, records[records.length - 1]!.logIndex);
    const data = encodeFrame(records);
    await blob.stageBlock(id, data, data.length);
    ids.push(id);
  }
  await blob.commitBlockList(ids);
}

function withField(bytes: Buffer, pointer: string, value: unknown): Buffer {
  const record = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  const path = pointer.split('/').slice(1);
  let target = record as Record<string, unknown>;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[path[path.length - 1] as string] = value;
  return Buffer.from(canonicalJson(record), 'utf8');
}

async function hotEntity(
  log: BuiltLog,
  partition: string,
  index: number,
): Promise<Record<string, unknown>> {
  const table = log.harness.clients.tables.events;
  for await (const entity of table.listEntities({
    queryOptions: { filter: `ehPartition eq '${partition}' and logIndex eq ${index}L` },
  })) {
    return entity as Record<string, unknown>;
  }
  throw new Error(`no hot row of partition ${partition} index ${index}`);
}

async function rewriteHotRow(
  log: BuiltLog,
  partition: string,
  index: number,
  bytes: Buffer,
  leaf: boolean,
): Promise<void> {
  const entity = await hotEntity(log, partition, index);
  const row = plainRow(entity);
  const next: Record<string, unknown> = { ...entity };
  for (let i = 0; i < Number(row.recordChunks); i++) delete next[`r${i}`];
  const chunks = Math.ceil(bytes.length / RECORD_CHUNK_BYTES);
  for (let i = 0; i < chunks; i++)
    next[`r${i}`] = bytes.subarray(i * RECORD_CHUNK_BYTES, (i + 1) * RECORD_CHUNK_BYTES);
  next.recordChunks = chunks;
  if (leaf) next.leafHash = toHex(hashLeaf(bytes));
  delete next.etag;
  delete next.timestamp;
  await log.harness.clients.tables.events.upsertEntity(next as never, 'Replace');
}

/** Rewrites leaf `index` in every stored version of its level-0 tile. */
async function rewriteTileLeaf(
  integrity: IntegrityServices,
  partition: string,
  index: number,
  leaf: Uint8Array,
): Promise<void> {
  const tileIndex = Math.floor(index / 256);
  const prefix = `${integrity.log.region}/${partition}/tile/0/`;
  const own = String(tileIndex).padStart(3, '0');
  for await (const blob of integrity.stores.tiles.listBlobsFlat({ prefix })) {
    const rest = blob.name.slice(prefix.length);
    if (!(rest === own || rest.startsWith(`${own}.p/`))) continue;
    const client = integrity.stores.tiles.getBlockBlobClient(blob.name);
    const data = await client.downloadToBuffer();
    const at = (index % 256) * 32;
    if (data.length < at + 32) continue;
    Buffer.from(leaf).copy(data, at);
    await client.upload(data, data.length);
  }
}

async function noteAt(
  integrity: IntegrityServices,
  partition: string,
  size: number,
): Promise<string> {
  return (
    await integrity.stores.checkpoints
      .getBlockBlobClient(checkpointBlobName(integrity.log, partition, size))
      .downloadToBuffer()
  ).toString('utf8');
}

async function writeNote(
  integrity: IntegrityServices,
  partition: string,
  size: number,
  note: string,
): Promise<void> {
  const blob = integrity.stores.checkpoints.getBlockBlobClient(
    checkpointBlobName(integrity.log, partition, size),
  );
  await blob.upload(Buffer.from(note), Buffer.byteLength(note));
}

/** Applies a mutation; returns the key set the verifier is to use (changed only by drop-key). */
export async function applyMutation(log: BuiltLog, mutation: Mutation): Promise<void> {
  const { integrity } = log;
  const archive = log.harness.clients.containers.archive;
  switch (mutation.op) {
    case 'modify-record': {
      const { segment, frame, at } = await locate(archive, mutation.partition, mutation.index);
      const changed = withField(frame.records[at] as Buffer, mutation.pointer, mutation.value);
      if (mutation.stores.includes('archive')) {
        frame.records[at] = changed;
        await commitSegment(archive, segment);
      }
      if (mutation.stores.includes('hot') || mutation.stores.includes('hot-leaf')) {
        await rewriteHotRow(
          log,
          mutation.partition,
          mutation.index,
          changed,
          mutation.stores.includes('hot-leaf'),
        );
      }
      if (mutation.stores.includes('tiles')) {
        await rewriteTileLeaf(integrity, mutation.partition, mutation.index, hashLeaf(changed));
      }
      return;
    }
    case 'delete-record': {
      if (mutation.stores.includes('archive')) {
        const { segment, frame, at } = await locate(archive, mutation.partition, mutation.index);
        frame.records.splice(at, 1);
        await commitSegment(archive, segment);
      }
      if (mutation.stores.includes('hot')) {
        const entity = await hotEntity(log, mutation.partition, mutation.index);
        await log.harness.clients.tables.events.deleteEntity(
          String(entity.partitionKey),
          String(entity.rowKey),
        );
      }
      return;
    }
    case 'insert-record': {
      const { segment, frame, at } = await locate(archive, mutation.partition, mutation.before);
      frame.records.splice(
        at,
        0,
        withField(frame.records[at] as Buffer, mutation.pointer, mutation.value),
      );
      await commitSegment(archive, segment);
      return;
    }
    case 'replay-record': {
      const original = await locate(archive, mutation.partition, mutation.index);
      const { segment, frame, at } = await locate(archive, mutation.partition, mutation.after);
      frame.records.splice(at + 1, 0, original.frame.records[original.at] as Buffer);
      await commitSegment(archive, segment);
      return;
    }
    case 'swap-records': {
      const a = await locate(archive, mutation.partition, mutation.a);
      const bAt = a.segment.frames
        .flatMap((frame) => frame.records.map((bytes, at) => ({ frame, at, bytes })))
        .find((entry) => indexOf(entry.bytes) === mutation.b);
      if (bAt === undefined) throw new Error('swap-records needs two records of one segment');
      const held = a.frame.records[a.at] as Buffer;
      a.frame.records[a.at] = bAt.bytes;
      bAt.frame.records[bAt.at] = held;
      await commitSegment(archive, a.segment);
      return;
    }
    case 'truncate-log': {
      for (const segment of await segmentsOf(archive, mutation.partition)) {
        for (const frame of segment.frames)
          frame.records = frame.records.filter((bytes) => indexOf(bytes) < mutation.from);
        await commitSegment(archive, segment);
      }
      const table = log.harness.clients.tables.events;
      for await (const entity of table.listEntities({
        queryOptions: {
          filter: `ehPartition eq '${mutation.partition}' and logIndex ge ${mutation.from}L`,
        },
      })) {
        await table.deleteEntity(String(entity.partitionKey), String(entity.rowKey));
      }
      return;
    }
    case 'truncate-segment': {
      const { segment } = await locate(archive, mutation.partition, mutation.index);
      const blob = archive.getBlockBlobClient(segment.name);
      const data = await blob.downloadToBuffer();
      let offset = 0;
      for (const frame of decodeSegment(data)) {
        if (frame.records.some((bytes) => indexOf(Buffer.from(bytes)) === mutation.index)) {
          offset = frame.offset + Math.floor(frame.encodedLength / 2);
          break;
        }
      }
      await blob.upload(data.subarray(0, offset), offset);
      return;
    }
    case 'delete-checkpoint': {
      await integrity.stores.checkpoints
        .getBlockBlobClient(checkpointBlobName(integrity.log, mutation.partition, mutation.size))
        .delete();
      return;
    }
    case 'modify-checkpoint': {
      const note = await noteAt(integrity, mutation.partition, mutation.size);
      const lines = note.split('\n');
      lines[mutation.line - 1] = mutation.value;
      await writeNote(integrity, mutation.partition, mutation.size, lines.join('\n'));
      return;
    }
    case 'replay-checkpoint': {
      const note = await noteAt(integrity, mutation.from.partition, mutation.from.size);
      await writeNote(integrity, mutation.to.partition, mutation.to.size, note);
      return;
    }
    case 'resign-checkpoint': {
      const note = await noteAt(integrity, mutation.partition, mutation.size);
      const genuine = parseCheckpoint(parseSignedNote(note).text);
      const signer = testSigner(mutation.keyId ?? genuine.keyId);
      const body = formatCheckpoint({
        ...genuine,
        rootHash: Buffer.alloc(32),
        keyId: signer.keyId,
      });
      await writeNote(
        integrity,
        mutation.partition,
        mutation.size,
        await signCheckpoint(body, signer),
      );
      return;
    }
    case 'rollback': {
      const note = await noteAt(integrity, mutation.partition, mutation.to);
      for await (const blob of integrity.stores.checkpoints.listBlobsFlat({
        prefix: `${integrity.log.region}/${mutation.partition}/`,
      })) {
        const size = Number(/(\d{16})\.note$/.exec(blob.name)?.[1]);
        if (size > mutation.to) await integrity.stores.checkpoints.deleteBlob(blob.name);
      }
      await integrity.stores.state.upsertEntity(
        {
          partitionKey: 'checkpoint',
          rowKey: mutation.partition,
          size: mutation.to,
          note,
          time: parseCheckpoint(parseSignedNote(note).text).time.toISOString(),
        },
        'Replace',
      );
      return;
    }
    case 'drop-key': {
      const keys = log.publicKeys.keys;
      log.publicKeys = { keys: mutation.which === 'newest' ? keys.slice(1) : keys.slice(0, -1) };
      return;
    }
  }
}

/** Hashes and key ids differ from run to run (random keys): messages are compared with them masked. */
export function normalizeMessage(message: string): string {
  return message
    .replace(/[0-9a-f]{64}/g, '<hex>')
    .replace(/[A-Za-z0-9+/]{43}=/g, '<b64>')
    .replace(/\+[0-9a-f]{8}\b/g, '+<keyhash>')
    .replace(/local\/checkpoint-signing\/\d{4}-[0-9a-f]{8}/g, '<key>')
    .replace(/byte \d+/g, 'byte <n>');
}
