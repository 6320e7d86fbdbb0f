import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { RequestCounter } from '../../src/store/request-counter';
import { createStorageClients, ensureStorage, type StorageClients } from '../../src/store/clients';
import { azuriteConnectionString } from './env';
import { registerTransport } from '../../src/store/entity-transaction';

/**
 * A transport seam for tests: every storage request passes through `sendRequest`, where a test can count
 * requests or make one fail as a dropped connection would.
 */
export class TestTransport extends RequestCounter {
  /** Called before each request with its 1-based ordinal; throw to simulate a failure at that position. */
  beforeRequest: ((ordinal: number, request: PipelineRequest) => void | Promise<void>) | undefined;

  attempts = 0;

  override async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    this.attempts++;
    await this.beforeRequest?.(this.attempts, request);
    return super.sendRequest(request);
  }
}

/** Clients for a fresh, isolated set of tables and containers (random names) on the shared Azurite. */
export async function freshStorage(
  transport?: HttpClient,
  connectionString = azuriteConnectionString(),
): Promise<StorageClients> {
  const clients = createStorageClients(
    { kind: 'connectionString', connectionString },
    { ...(transport ? { httpClient: transport } : {}), maxTries: 1 },
  );
  const suffix = randomBytes(4).toString('hex');
  const table = (name: string): TableClient => {
    const client = TableClient.fromConnectionString(connectionString, `${name}${suffix}`, {
      allowInsecureConnection: true,
      retryOptions: { maxRetries: 0 },
      ...(transport ? { httpClient: transport } : {}),
    });
    registerTransport(client, transport);
    return client;
  };
  const isolated: StorageClients = {
    ...clients,
    tables: { events: table('events'), ids: table('ids'), state: table('state') },
    containers: {
      archive: clients.blobService.getContainerClient(`archive-${suffix}`),
      deadletter: clients.blobService.getContainerClient(`deadletter-${suffix}`),
      checkpoints: clients.blobService.getContainerClient(`checkpoints-${suffix}`),
    },
  };
  await ensureStorage(isolated);
  return isolated;
}
