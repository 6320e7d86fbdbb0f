import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { hashLeaf, toHex } from '../integrity';
import { decodeRecord } from '../pipeline/record';
import { plainRow, recordBytesOf } from '../store/hot-entity';
import type { VerificationFailure } from './report';

/**
 * The hot store's view of each partition's log, in memory small enough for any log: the hot store
 * is read once (its rows come in tenant and time order, not log order), and for each bucket of
 * BUCKET_SIZE consecutive indexes we keep which indexes have a row (a bitmap) and an order-independent
 * digest of their (index, leaf hash) pairs: the sum mod 2^256 of SHA-256(index || leaf). While the
 * archive is read in log order, the same digest over the same indexes must come out; where it does
 * not, only that bucket's rows are read again to name the first index that differs. Rows may be
 * missing (the hot tier keeps recent events only); rows that exist must agree with the archive.
 */

export const BUCKET_SIZE = 4096;
const MODULUS = 2n ** 256n;

interface Bucket {
  bits: Uint8Array;
  digest: bigint;
  count: number;
}

export interface HotRow {
  partition: string;
  index: number;
  /** The leafHash column (hex). */
  leafHash: string;
  bytes: Buffer;
  eventId: string;
}

export function entryDigest(index: number, leafHash: Uint8Array): bigint {
  const position = Buffer.alloc(8);
  position.writeBigUInt64BE(BigInt(index));
  return BigInt(`0x${createHash('sha256').update(position).update(leafHash).digest('hex')}`);
}

export function addDigest(sum: bigint, entry: bigint): bigint {
  return (sum + entry) % MODULUS;
}

export class HotIndex {
  private readonly partitions = new Map<string, Map<number, Bucket>>();
  private readonly problems = new Map<string, VerificationFailure[]>();
  rows = 0;

  /** Adds one row (read from the store) after checking it against itself. */
  add(row: HotRow): void {
    this.rows++;
    const { partition, index } = row;
    const leaf = hashLeaf(row.bytes);
    let claims: { index?: unknown; partition?: unknown } = {};
    try {
      claims = decodeRecord(row.bytes).log ?? {};
    } catch {
      this.problem(partition, index, row.eventId, "the row's record bytes are not JSON");
    }
    if (claims.index !== index || claims.partition !== partition) {
      this.problem(
        partition,
        index,
        row.eventId,
        `the row is at partition ${partition} index ${index}, its record says partition ${String(claims.partition)} index ${String(claims.index)}`,
      );
    }
    if (toHex(leaf) !== row.leafHash) {
      this.problem(
        partition,
        index,
        row.eventId,
        `the row's leafHash column is ${row.leafHash}, its record hashes to ${toHex(leaf)}`,
      );
    }
    const bucket = this.bucketFor(partition, index, true) as Bucket;
    const offset = index % BUCKET_SIZE;
    const mask = 1 << (offset % 8);
    if (((bucket.bits[offset >> 3] as number) & mask) !== 0) {
      this.problem(partition, index, row.eventId, `two hot-store rows claim index ${index}`);
      return;
    }
    bucket.bits[offset >> 3] = (bucket.bits[offset >> 3] as number) | mask;
    bucket.digest = addDigest(bucket.digest, entryDigest(index, leaf));
    bucket.count++;
  }

  /** Partitions that have rows. */
  partitionIds(): string[] {
    return [...this.partitions.keys()];
  }

  has(partition: string, index: number): boolean {
    const bucket = this.bucketFor(partition, index, false);
    if (bucket === undefined) return false;
    const offset = index % BUCKET_SIZE;
    return (((bucket.bits[offset >> 3] as number) >> (offset % 8)) & 1) === 1;
  }

  /** Digest and row count of a bucket (zero for a bucket without rows). */
  bucket(partition: string, bucketIndex: number): { digest: bigint; count: number } {
    const bucket = this.partitions.get(partition)?.get(bucketIndex);
    return { digest: bucket?.digest ?? 0n, count: bucket?.count ?? 0 };
  }

  /** Rows found inconsistent in themselves, by partition. */
  problemsOf(partition: string): VerificationFailure[] {
    return this.problems.get(partition) ?? [];
  }

  /** The lowest index with a row at or beyond `from`, if any. */
  firstIndexFrom(partition: string, from: number): number | undefined {
    const buckets = this.partitions.get(partition);
    if (buckets === undefined) return undefined;
    let best: number | undefined;
    for (const [bucketIndex, bucket] of buckets) {
      for (let offset = 0; offset < BUCKET_SIZE; offset++) {
        const index = bucketIndex * BUCKET_SIZE + offset;
        if (index < from || (best !== undefined && index >= best)) continue;
        if ((((bucket.bits[offset >> 3] as number) >> (offset % 8)) & 1) === 1) best = index;
      }
    }
    return best;
  }

  private bucketFor(partition: string, index: number, create: boolean): Bucket | undefined {
    let buckets = this.partitions.get(partition);
    if (buckets === undefined) {
      if (!create) return undefined;
      buckets = new Map();
      this.partitions.set(partition, buckets);
    }
    const key = Math.floor(index / BUCKET_SIZE);
    let bucket = buckets.get(key);
    if (bucket === undefined && create) {
      bucket = { bits: new Uint8Array(BUCKET_SIZE / 8), digest: 0n, count: 0 };
      buckets.set(key, bucket);
    }
    return bucket;
  }

  private problem(partition: string, index: number, eventId: string, message: string): void {
    const list = this.problems.get(partition) ?? [];
    list.push({ kind: 'hot-store-mismatch', partition, index, eventId, message });
    this.problems.set(partition, list);
  }
}

/** The columns verification reads; a record of more than one chunk is read whole. */
const HOT_COLUMNS = ['ehPartition', 'logIndex', 'leafHash', 'eventId', 'recordChunks', 'r0'];

/** Every hot-store row, as HotRows. */
export async function* hotRows(table: TableClient): AsyncIterable<HotRow> {
  for await (const entity of table.listEntities({ queryOptions: { select: HOT_COLUMNS } })) {
    const row = entity as Record<string, unknown>;
    if (Number(row.recordChunks) > 1) {
      yield hotRowOf(await table.getEntity(String(row.partitionKey), String(row.rowKey)));
    } else {
      yield hotRowOf(row);
    }
  }
}

/** The hot-store rows of indexes [begin, end) of one partition, by index. */
export async function hotRowsInRange(
  table: TableClient,
  partition: string,
  begin: number,
  end: number,
): Promise<Map<number, HotRow>> {
  const rows = new Map<number, HotRow>();
  const filter = `ehPartition eq '${partition.replace(/'/g, "''")}' and logIndex ge ${begin}L and logIndex lt ${end}L`;
  for await (const entity of table.listEntities({ queryOptions: { filter } })) {
    const row = hotRowOf(entity as Record<string, unknown>);
    rows.set(row.index, row);
  }
  return rows;
}

function hotRowOf(entity: Record<string, unknown>): HotRow {
  const row = plainRow(entity);
  return {
    partition: String(row.ehPartition),
    index: Number(row.logIndex),
    leafHash: String(row.leafHash),
    bytes: recordBytesOf(row),
    eventId: String(row.eventId),
  };
}
