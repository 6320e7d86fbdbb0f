import type { TableClient } from '@azure/data-tables';
import type { BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import type { StorageClients } from '../store/clients';
import { statusOf } from '../store/errors';
import { CONTAINERS } from '../store/names';

/** The storage the signed log uses beside the ingest path's. */
export interface IntegrityStores {
  /** The log state table: partition log states (read) and checkpoint heads (written by seal). */
  readonly state: TableClient;
  /** Merkle tree tiles. */
  readonly tiles: ContainerClient;
  /** Signed checkpoint notes. */
  readonly checkpoints: ContainerClient;
}

/** The stores over a deployment's storage clients; `tiles` overrides the container (tests isolate it). */
export function integrityStores(clients: StorageClients, tiles?: ContainerClient): IntegrityStores {
  return {
    state: clients.tables.state,
    tiles: tiles ?? clients.blobService.getContainerClient(CONTAINERS.tiles),
    checkpoints: clients.containers.checkpoints,
  };
}

/** Creates the containers the signed log writes if they do not exist yet. */
export async function ensureIntegrityStorage(stores: IntegrityStores): Promise<void> {
  await Promise.all([stores.tiles.createIfNotExists(), stores.checkpoints.createIfNotExists()]);
}

/** A blob's bytes and ETag, or undefined when it does not exist. */
export async function downloadIfExists(
  blob: BlockBlobClient,
): Promise<{ data: Buffer; etag: string | undefined } | undefined> {
  try {
    const response = await blob.download();
    const chunks: Buffer[] = [];
    for await (const chunk of response.readableStreamBody ?? []) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    }
    return { data: Buffer.concat(chunks), etag: response.etag };
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/**
 * Uploads a blob unless one exists under the name (If-None-Match: *). Returns true when this call
 * created it, false when a blob was already there.
 */
export async function createBlobIfAbsent(
  blob: BlockBlobClient,
  data: Buffer,
  contentType: string,
  metadata?: Record<string, string>,
): Promise<boolean> {
  try {
    await blob.upload(data, data.length, {
      conditions: { ifNoneMatch: '*' },
      blobHTTPHeaders: { blobContentType: contentType },
      ...(metadata ? { metadata } : {}),
    });
    return true;
  } catch (error) {
    if (statusOf(error) === 409) return false;
    throw error;
  }
}
