import { chunkTransactions, writeNewRows, type SizedAction } from '../../src/store/table-batch';
import { freshStorage, TestTransport } from '../support/storage';

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

describe('writeNewRows', () => {
  const rows = (version: number): SizedAction[] =>
    Array.from({ length: 150 }, (_, i) => ({
      action: [
        'upsert',
        { partitionKey: 'p', rowKey: String(i).padStart(3, '0'), version },
        'Replace',
      ],
      bytes: 100,
    }));

  it('inserts new rows with one request per transaction', async () => {
    const transport = new TestTransport();
    const { tables } = await freshStorage(transport);
    const before = transport.requests;
    await writeNewRows(tables.events, rows(1));
    expect(transport.requests - before).toBe(2);
    const stored = [];
    for await (const row of tables.events.listEntities()) stored.push(row);
    expect(stored).toHaveLength(150);
  });

  it('rewrites a transaction whose rows exist as upserts, leaving every row as given', async () => {
    const transport = new TestTransport();
    const { tables } = await freshStorage(transport);
    await writeNewRows(tables.events, rows(1).slice(0, 120));
    await writeNewRows(tables.events, rows(2));
    const versions = new Map<string, unknown>();
    for await (const row of tables.events.listEntities())
      versions.set(row.rowKey as string, row.version);
    expect(versions.size).toBe(150);
    expect(new Set(versions.values())).toEqual(new Set([2]));
  });

  it('takes only upserts', async () => {
    const { tables } = await freshStorage();
    await expect(
      writeNewRows(tables.events, [
        { action: ['delete', { partitionKey: 'p', rowKey: 'r' }], bytes: 1 },
      ]),
    ).rejects.toThrow('writeNewRows takes upserts, not delete');
  });
});
