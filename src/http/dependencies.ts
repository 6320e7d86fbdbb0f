import type { ApiKeyring } from '../auth/api-keys';
import type { StorageClients } from '../store/clients';
import type { EventSink } from '../sink/types';
import type { IntegrityServices } from '../seal/services';

/** What the HTTP handlers need; the Functions runtime and the local host each build one. */
export interface ApiDependencies {
  keyring: ApiKeyring;
  clients: StorageClients;
  sink: EventSink;
  /** Signs continuation tokens. */
  tokenKey: Uint8Array;
  clock: () => Date;
  /** How long POST /api/events waits for durability before answering 503 (the events stay queued). */
  ingestTimeoutMs: number;
  /** Events accepted by the host but not yet durable (the local hub's queue); undefined in Azure. */
  inFlight?: () => number;
  /** Tiles, checkpoints and keys for the proof, checkpoint, key and verify routes. */
  integrity?: IntegrityServices;
}
