import { chunkTransactions, type SizedAction } from '../../src/store/table-batch';

const action = (i: number, bytes = 1000): SizedAction => ({
  action: ['upsert', { partitionKey: 'p', rowKey: String(i) }],
  bytes,
});

describe('chunkTransactions', () => {
  it('puts at most 100 operations in one transaction', () => {
    const chunks = chunkTransactions(Array.from({ length: 250 }, (_, i) => action(i)));
    expect(chunks.map((c) => c.length)).toEqual([100, 100, 50]);
  });

  it('keeps a transaction under the 4 MiB request limit', () => {
    const chunks = chunkTransactions(Array.from({ length: 10 }, (_, i) => action(i, 1024 * 1024)));
    expect(chunks.map((c) => c.length)).toEqual([3, 3, 3, 1]);
  });

  it('keeps the order of actions', () => {
    const chunks = chunkTransactions(Array.from({ length: 150 }, (_, i) => action(i)));
    expect(chunks.flat().map((a) => (a[1] as { rowKey: string }).rowKey)).toEqual(
      Array.from({ length: 150 }, (_, i) => String(i)),
    );
  });
});
