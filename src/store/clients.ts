import {
  TableClient,
  TableServiceClient,
  AzureNamedKeyCredential,
  type TableServiceClientOptions,
} from '@azure/data-tables';
import {
  BlobServiceClient,
  ContainerClient,
  StorageSharedKeyCredential,
  newPipeline,
  type StorageRetryOptions,
} from '@azure/storage-blob';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { isRestError } from './errors';
import type { StorageTarget } from '../config/settings';
import { CONTAINERS, TABLES } from './names';
import { registerTransport } from './entity-transaction';

export interface StorageClients {
  readonly tables: {
    readonly events: TableClient;
    readonly ids: TableClient;
    readonly state: TableClient;
  };
  readonly containers: {
    readonly archive: ContainerClient;
    readonly deadletter: ContainerClient;
    readonly checkpoints: ContainerClient;
  };
  readonly tableService: TableServiceClient;
  readonly blobService: BlobServiceClient;
}

export interface StorageClientOptions {
  /**
   * The transport seam: every Table and Blob request goes through this client when given. Tests and the
   * benchmark wrap the default client to count requests or inject faults; production leaves it unset.
   */
  httpClient?: HttpClient;
  /** SDK-level retries of one request; the ingest function's own retry policy re-runs whole batches. */
  maxTries?: number;
  credential?: TokenCredential;
}

interface ConnectionStringParts {
  accountName: string;
  accountKey: string;
  blobEndpoint: string;
  tableEndpoint: string;
}

export function parseStorageConnectionString(connectionString: string): ConnectionStringParts {
  const parts = new Map<string, string>();
  for (const pair of connectionString.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0) parts.set(pair.slice(0, at).trim().toLowerCase(), pair.slice(at + 1).trim());
  }
  const accountName = parts.get('accountname');
  const accountKey = parts.get('accountkey');
  if (!accountName || !accountKey) {
    throw new Error(
      'storage connection string needs AccountName and AccountKey (SAS-only strings are not supported)',
    );
  }
  const protocol = parts.get('defaultendpointsprotocol') ?? 'https';
  const suffix = parts.get('endpointsuffix') ?? 'core.windows.net';
  return {
    accountName,
    accountKey,
    blobEndpoint: parts.get('blobendpoint') ?? `${protocol}://${accountName}.blob.${suffix}`,
    tableEndpoint: parts.get('tableendpoint') ?? `${protocol}://${accountName}.table.${suffix}`,
  };
}

export function createStorageClients(
  target: StorageTarget,
  options: StorageClientOptions = {},
): StorageClients {
  const retryOptions: StorageRetryOptions = { maxTries: options.maxTries ?? 4 };
  let blobEndpoint: string;
  let tableEndpoint: string;
  let blobCredential: StorageSharedKeyCredential | TokenCredential;
  let tableCredential: AzureNamedKeyCredential | TokenCredential;
  if (target.kind === 'connectionString') {
    const parts = parseStorageConnectionString(target.connectionString);
    blobEndpoint = parts.blobEndpoint;
    tableEndpoint = parts.tableEndpoint;
    blobCredential = new StorageSharedKeyCredential(parts.accountName, parts.accountKey);
    tableCredential = new AzureNamedKeyCredential(parts.accountName, parts.accountKey);
  } else {
    const credential = options.credential ?? new DefaultAzureCredential();
    blobEndpoint = target.blobServiceUri;
    tableEndpoint = target.tableServiceUri;
    blobCredential = credential;
    tableCredential = credential;
  }

  const pipeline = newPipeline(blobCredential, { retryOptions });
  if (options.httpClient) {
    // storage-blob accepts only a legacy (core-http) client in its options; its pipeline adopts a modern
    // core-rest-pipeline client from this field when the service client is constructed.
    (pipeline as unknown as { _coreHttpClient?: HttpClient })._coreHttpClient = options.httpClient;
  }
  const blobService = new BlobServiceClient(blobEndpoint, pipeline);

  const tableOptions: TableServiceClientOptions = {
    allowInsecureConnection: tableEndpoint.startsWith('http:'),
    retryOptions: { maxRetries: (options.maxTries ?? 4) - 1 },
    ...(options.httpClient ? { httpClient: options.httpClient } : {}),
  };
  const table = (name: string): TableClient => {
    const client =
      tableCredential instanceof AzureNamedKeyCredential
        ? new TableClient(tableEndpoint, name, tableCredential, tableOptions)
        : new TableClient(tableEndpoint, name, tableCredential, tableOptions);
    registerTransport(client, options.httpClient);
    return client;
  };

  return {
    tables: { events: table(TABLES.events), ids: table(TABLES.ids), state: table(TABLES.state) },
    containers: {
      archive: blobService.getContainerClient(CONTAINERS.archive),
      deadletter: blobService.getContainerClient(CONTAINERS.deadletter),
      checkpoints: blobService.getContainerClient(CONTAINERS.checkpoints),
    },
    tableService:
      tableCredential instanceof AzureNamedKeyCredential
        ? new TableServiceClient(tableEndpoint, tableCredential, tableOptions)
        : new TableServiceClient(tableEndpoint, tableCredential, tableOptions),
    blobService,
  };
}

/**
 * Creates every table and container the system uses. Swallows exactly the "already exists" conflicts and
 * rethrows the rest, so a misconfigured account fails loudly at start rather than on the first batch.
 */
export async function ensureStorage(clients: StorageClients): Promise<void> {
  await Promise.all([
    ...Object.values(clients.tables).map(async (table) => {
      try {
        await table.createTable();
      } catch (error) {
        if (!(isRestError(error) && error.statusCode === 409)) throw error;
      }
    }),
    ...Object.values(clients.containers).map((container) => container.createIfNotExists()),
  ]);
}
