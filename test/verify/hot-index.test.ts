import { hashLeaf, toHex } from '../../src/integrity';
import { encodeRecord, type AuditRecord } from '../../src/pipeline/record';
import {
  addDigest,
  BUCKET_SIZE,
  entryDigest,
  HotIndex,
  type HotRow,
} from '../../src/verify/hot-index';

function row(
  partition: string,
  index: number,
  options: { claims?: number; leaf?: string } = {},
): HotRow {
  const record = {
    v: 1,
    event: { id: `evt-${index}` },
    log: { partition, index: options.claims ?? index },
  };
  const bytes = encodeRecord(record as unknown as AuditRecord);
  return {
    partition,
    index,
    leafHash: options.leaf ?? toHex(hashLeaf(bytes)),
    bytes,
    eventId: `evt-${index}`,
  };
}

describe('HotIndex', () => {
  it('sums the entry digests of each bucket whatever order rows come in', () => {
    const a = new HotIndex();
    const b = new HotIndex();
    const rows = [row('0', 3), row('0', 1), row('0', 2)];
    for (const r of rows) a.add(r);
    for (const r of [...rows].reverse()) b.add(r);
    const expected = rows.reduce(
      (sum, r) => addDigest(sum, entryDigest(r.index, hashLeaf(r.bytes))),
      0n,
    );
    expect([a.bucket('0', 0), b.bucket('0', 0)]).toEqual([
      { digest: expected, count: 3 },
      { digest: expected, count: 3 },
    ]);
  });

  it('keeps indexes of different buckets and partitions apart', () => {
    const index = new HotIndex();
    index.add(row('0', BUCKET_SIZE + 5));
    index.add(row('1', 5));
    expect([
      index.has('0', BUCKET_SIZE + 5),
      index.has('0', 5),
      index.has('1', 5),
      index.bucket('0', 0).count,
      index.bucket('0', 1).count,
      index.partitionIds().sort(),
      index.firstIndexFrom('0', 0),
    ]).toEqual([true, false, true, 0, 1, ['0', '1'], BUCKET_SIZE + 5]);
  });

  it('reports a row whose leafHash column is not the hash of its record', () => {
    const index = new HotIndex();
    index.add(row('0', 7, { leaf: '00'.repeat(32) }));
    expect(
      index
        .problemsOf('0')
        .map((p) => [p.kind, p.index, p.message.replace(/[0-9a-f]{64}$/, '<hex>')]),
    ).toEqual([
      [
        'hot-store-mismatch',
        7,
        `the row's leafHash column is ${'00'.repeat(32)}, its record hashes to <hex>`,
      ],
    ]);
  });

  it('reports a row whose record claims another index, and two rows of one index', () => {
    const index = new HotIndex();
    index.add(row('0', 4, { claims: 5 }));
    index.add(row('0', 4));
    expect(index.problemsOf('0').map((p) => p.message)).toEqual([
      'the row is at partition 0 index 4, its record says partition 0 index 5',
      'two hot-store rows claim index 4',
    ]);
  });
});
