import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { IDLE_CONNECTION_SECONDS } from '../../src/devstorage/azurite';
import { azuriteConnectionString } from '../support/env';

describe('the Azurite started by the test setup', () => {
  it('serves Table storage', async () => {
    const table = TableClient.fromConnectionString(azuriteConnectionString(), 'smoketable', {
      allowInsecureConnection: true,
    });
    await table.createTable();
    await table.upsertEntity({ partitionKey: 'p', rowKey: 'r', value: 42 });
    const entity = await table.getEntity<{ value: number }>('p', 'r');
    expect(entity.value).toBe(42);
  });

  it('serves Blob storage', async () => {
    const service = BlobServiceClient.fromConnectionString(azuriteConnectionString());
    const container = service.getContainerClient('smoke');
    await container.createIfNotExists();
    await container.getBlockBlobClient('a.txt').upload('hello', 5);
    const body = await container.getBlockBlobClient('a.txt').downloadToBuffer();
    expect(body.toString()).toBe('hello');
  });

  it('keeps idle connections open long enough that a one-try client never races their close', async () => {
    const table = TableClient.fromConnectionString(azuriteConnectionString(), 'smoketable', {
      allowInsecureConnection: true,
    });
    const hints: (string | undefined)[] = [];
    await table.createTable({
      onResponse: (response) => hints.push(response.headers.get('keep-alive')),
    });
    const blob = BlobServiceClient.fromConnectionString(azuriteConnectionString());
    const properties = await blob.getProperties();
    hints.push(properties._response.headers.get('keep-alive'));
    // Table first (one or more responses), then Blob.
    expect([hints.length > 1, [...new Set(hints)]]).toEqual([
      true,
      [`timeout=${IDLE_CONNECTION_SECONDS}`],
    ]);
  });
});
