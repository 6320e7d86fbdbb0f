import {
  createStorageClients,
  type StorageClientOptions,
  type StorageClients,
} from '../store/clients';
import { listTenants } from '../store/tenants';
import type { RegionConfig } from './config';

/** One region's audit storage, ready to read. */
export interface Region {
  readonly name: string;
  readonly url?: string;
  readonly clients: StorageClients;
}

/** What the federated query reads of a region: its hot store and its identity claims. */
export interface RegionTables {
  readonly name: string;
  readonly clients: Pick<StorageClients, 'tables'>;
}

/** Clients for every configured region, in the configured order (primary first). No request is made. */
export function connectRegions(
  configs: readonly RegionConfig[],
  options: StorageClientOptions = {},
): Region[] {
  return configs.map((config) => ({
    name: config.name,
    ...(config.url === undefined ? {} : { url: config.url }),
    clients: createStorageClients(config.storage, options),
  }));
}

/** Every tenant any region has seen, sorted: the tenant order a federated query over all tenants uses. */
export async function federatedTenants(regions: readonly RegionTables[]): Promise<string[]> {
  const lists = await Promise.all(
    regions.map((region) => listTenants(region.clients.tables.state)),
  );
  return [...new Set(lists.flat())].sort();
}
