import type { ContainerClient } from '@azure/storage-blob';
import type { KeyProvider } from '../keys/types';
import type { StorageClients } from '../store/clients';
import { logIdentity, type LogIdentity } from './layout';
import { integrityStores, type IntegrityStores } from './stores';
import { backfillTiles } from './backfill';
import { createLeafAppender, type LeafAppender } from './tile-store';

/**
 * What the signed log needs at run time, built once per process beside the ingest and API
 * dependencies: the storage, the region's log identity and the key provider (signer and key set).
 */
export interface IntegrityServices {
  readonly clients: StorageClients;
  readonly stores: IntegrityStores;
  readonly log: LogIdentity;
  readonly keys: KeyProvider;
  /** The ingest path's appendLeaves hook over these stores. */
  readonly appendLeaves: LeafAppender;
}

export interface IntegrityServicesOptions {
  /** AUDIT_REGION; unset or empty means the default region. */
  region?: string;
  /** Overrides the tiles container (tests use an isolated one). */
  tiles?: ContainerClient;
}

export function createIntegrityServices(
  clients: StorageClients,
  keys: KeyProvider,
  options: IntegrityServicesOptions = {},
): IntegrityServices {
  const stores = integrityStores(clients, options.tiles);
  const log = logIdentity(options.region);
  const appendLeaves = createLeafAppender(stores, log, (state) =>
    backfillTiles(clients.containers.archive, stores, log, state),
  );
  return { clients, stores, log, keys, appendLeaves };
}
