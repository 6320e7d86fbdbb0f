import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';
import { RestError } from '@azure/core-rest-pipeline';
import { entityJson, submitEntityTransaction } from '../../src/store/entity-transaction';
import { freshStorage, TestTransport } from '../support/storage';

/** Every kind of value the SDK can write, so both writers are compared on all of them. */
const allKinds = (rowKey: string): TableEntity<Record<string, unknown>> => ({
  partitionKey: "tenant|2026112610 o'brien",
  rowKey,
  text: 'quote " backslash \\ newline \n é 😀',
  int32: 42,
  double: 2.5,
  flag: true,
  bigint: 9007199254740993n,
  int64: { value: '-12', type: 'Int64' },
  when: new Date('2026-11-26T10:00:00.123Z'),
  bytes: Buffer.from([0, 1, 2, 250, 255]),
  typedDouble: { value: '3', type: 'Double' },
  skipped: undefined,
});

async function rowOf(table: TableClient, partitionKey: string, rowKey: string) {
  const { etag, timestamp, ...rest } = (await table.getEntity(partitionKey, rowKey)) as Record<
    string,
    unknown
  >;
  expect(etag).toEqual(expect.any(String));
  expect(timestamp).toEqual(expect.any(String));
  return rest;
}

async function failureOf(
  promise: Promise<unknown>,
): Promise<RestError & { operationIndex?: number }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RestError);
    return error as RestError & { operationIndex?: number };
  }
  throw new Error('expected the transaction to fail');
}

describe('submitEntityTransaction', () => {
  let table: TableClient;
  let transport: TestTransport;

  beforeAll(async () => {
    transport = new TestTransport();
    table = (await freshStorage(transport)).tables.events;
  });

  it('writes rows that read back exactly as rows the SDK writes', async () => {
    await submitEntityTransaction(table, [['upsert', allKinds('ours'), 'Replace']]);
    await table.submitTransaction([['upsert', allKinds('sdk'), 'Replace']]);
    const pk = "tenant|2026112610 o'brien";
    const ours = await rowOf(table, pk, 'ours');
    const sdk = await rowOf(table, pk, 'sdk');
    expect({ ...ours, rowKey: 'sdk' }).toEqual(sdk);
    expect(ours.bytes).toEqual(new Uint8Array([0, 1, 2, 250, 255]));
    expect(ours.text).toBe('quote " backslash \\ newline \n é 😀');
  });

  it('sends the whole transaction as one request through the table client transport', async () => {
    const before = transport.requests;
    await submitEntityTransaction(
      table,
      Array.from({ length: 100 }, (_, i): TransactionAction => [
        'create',
        { partitionKey: 'one', rowKey: `r${i}` },
      ]),
    );
    expect(transport.requests - before).toBe(1);
    const rows = [];
    for await (const row of table.listEntities({
      queryOptions: { filter: "PartitionKey eq 'one'" },
    }))
      rows.push(row);
    expect(rows).toHaveLength(100);
  });

  it('upserts in Merge mode by default and replaces in Replace mode', async () => {
    await submitEntityTransaction(table, [
      ['create', { partitionKey: 'm', rowKey: 'a', x: 1, y: 2 }],
    ]);
    await submitEntityTransaction(table, [['upsert', { partitionKey: 'm', rowKey: 'a', y: 3 }]]);
    expect(await rowOf(table, 'm', 'a')).toMatchObject({ x: 1, y: 3 });
    await submitEntityTransaction(table, [
      ['upsert', { partitionKey: 'm', rowKey: 'a', z: 4 }, 'Replace'],
    ]);
    const replaced = await rowOf(table, 'm', 'a');
    expect(replaced).toMatchObject({ z: 4 });
    expect(replaced).not.toHaveProperty('x');
  });

  it('updates under an ETag condition and fails with 412 when the row changed', async () => {
    await submitEntityTransaction(table, [['create', { partitionKey: 'u', rowKey: 'a', v: 1 }]]);
    const read = await table.getEntity('u', 'a');
    await submitEntityTransaction(table, [
      ['update', { partitionKey: 'u', rowKey: 'a', v: 2 }, 'Replace', { etag: read.etag }],
    ]);
    const stale = await failureOf(
      submitEntityTransaction(table, [
        ['update', { partitionKey: 'u', rowKey: 'a', v: 3 }, 'Replace', { etag: read.etag }],
      ]),
    );
    expect(stale.statusCode).toBe(412);
    expect(await rowOf(table, 'u', 'a')).toMatchObject({ v: 2 });
  });

  it('fails a create of an existing row with 409, naming the operation, and writes nothing', async () => {
    await submitEntityTransaction(table, [['create', { partitionKey: 'c', rowKey: 'taken' }]]);
    const error = await failureOf(
      submitEntityTransaction(table, [
        ['create', { partitionKey: 'c', rowKey: 'new' }],
        ['create', { partitionKey: 'c', rowKey: 'taken' }],
      ]),
    );
    expect(error.statusCode).toBe(409);
    expect(error.code).toBe('EntityAlreadyExists');
    expect(error.operationIndex).toBe(1);
    await expect(table.getEntity('c', 'new')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('fails a delete of a missing row with 404 and deletes existing rows otherwise', async () => {
    await submitEntityTransaction(table, [['create', { partitionKey: 'd', rowKey: 'a' }]]);
    const missing = await failureOf(
      submitEntityTransaction(table, [['delete', { partitionKey: 'd', rowKey: 'gone' }]]),
    );
    expect(missing.statusCode).toBe(404);
    await submitEntityTransaction(table, [['delete', { partitionKey: 'd', rowKey: 'a' }]]);
    await expect(table.getEntity('d', 'a')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('rejects operations on two partition keys before sending anything', async () => {
    const before = transport.requests;
    await expect(
      submitEntityTransaction(table, [
        ['create', { partitionKey: 'a', rowKey: '1' }],
        ['create', { partitionKey: 'b', rowKey: '1' }],
      ]),
    ).rejects.toThrow('same partitionKey');
    expect(transport.requests).toBe(before);
  });

  it('passes transport failures through as the SDK would (a dropped connection)', async () => {
    transport.beforeRequest = () => {
      throw new RestError('socket hang up', { code: 'ECONNRESET' });
    };
    try {
      const error = await failureOf(
        submitEntityTransaction(table, [['create', { partitionKey: 'x', rowKey: '1' }]]),
      );
      expect(error.code).toBe('ECONNRESET');
    } finally {
      transport.beforeRequest = undefined;
    }
  });

  it('does nothing for an empty transaction', async () => {
    const before = transport.requests;
    await submitEntityTransaction(table, []);
    expect(transport.requests).toBe(before);
  });
});

describe('entityJson', () => {
  it('names keys as the service does and annotates the types JSON cannot carry', () => {
    expect(
      JSON.parse(
        entityJson({
          partitionKey: 'p',
          rowKey: 'r',
          n: 1,
          big: { value: '5', type: 'Int64' },
          at: new Date(0),
          gone: undefined,
        }),
      ),
    ).toEqual({
      PartitionKey: 'p',
      RowKey: 'r',
      n: 1,
      big: '5',
      'big@odata.type': 'Edm.Int64',
      at: '1970-01-01T00:00:00.000Z',
      'at@odata.type': 'Edm.DateTime',
    });
  });

  it('refuses values Table storage cannot hold, naming the property', () => {
    expect(() => entityJson({ partitionKey: 'p', rowKey: 'r', nested: { a: 1 } })).toThrow(
      'property nested',
    );
    expect(() => entityJson({ partitionKey: 'p', rowKey: 'r', at: new Date(NaN) })).toThrow(
      'invalid Date',
    );
  });
});
