import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
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
});
