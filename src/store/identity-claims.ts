import { createHash } from 'node:crypto';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { statusOf } from './errors';
import { MAX_TRANSACTION_OPERATIONS } from './table-batch';
import { submitEntityTransaction } from './entity-transaction';

/** Where an accepted event lives, as its identity claim records it. */
export interface EventLocation {
  partitionId: string;
  sequenceNumber: number;
  eventPartitionKey: string;
  eventRowKey: string;
}

export interface IdentityClaim extends EventLocation {
  tenant: string;
  eventId: string;
  source: string;
}

export type ClaimOutcome =
  | { status: 'claimed' }
  /** The claim was written earlier by this same event (same Event Hubs coordinates): a redelivery. */
  | { status: 'own' }
  /** Another event (another delivery) holds this identity: a producer retry. */
  | { status: 'duplicate'; original: EventLocation };

function hex32(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);
}

/**
 * Row key of an identity: hash of the id, then hash of the source. Ids and sources are producer-chosen and
 * may hold characters Table keys forbid; hashing the id first lets GET /api/events/{id} find an event by
 * its id alone with a row-key range query.
 */
export function identityRowKey(source: string, eventId: string): string {
  return `${hex32(eventId)}-${hex32(source).slice(0, 16)}`;
}

export function identityRowKeyRange(eventId: string): { from: string; to: string } {
  const prefix = hex32(eventId);
  return { from: `${prefix}-`, to: `${prefix}.` };
}

interface ClaimEntity {
  partitionKey: string;
  rowKey: string;
  eventId: string;
  source: string;
  partitionId: string;
  sequenceNumber: number;
  eventPartitionKey: string;
  eventRowKey: string;
}

function toEntity(claim: IdentityClaim): ClaimEntity {
  return {
    partitionKey: claim.tenant,
    rowKey: identityRowKey(claim.source, claim.eventId),
    eventId: claim.eventId,
    source: claim.source,
    partitionId: claim.partitionId,
    sequenceNumber: claim.sequenceNumber,
    eventPartitionKey: claim.eventPartitionKey,
    eventRowKey: claim.eventRowKey,
  };
}

/**
 * Claims each event's identity (CloudEvents source + id) with an insert that fails if it exists: the guard
 * against producer retries. Claims go in transactions of up to 100 per tenant; when one fails on a conflict
 * (rare: a redelivery or a retry), the claims of that transaction are read back one by one to tell a
 * redelivery of the same event ("own", same coordinates) from a different delivery ("duplicate").
 * Precondition: no two claims in the list have the same tenant, source and id.
 */
export async function claimIdentities(
  table: TableClient,
  claims: readonly IdentityClaim[],
): Promise<ClaimOutcome[]> {
  const outcomes: ClaimOutcome[] = new Array(claims.length);
  const byTenant = new Map<string, number[]>();
  claims.forEach((claim, i) => {
    const list = byTenant.get(claim.tenant);
    if (list) list.push(i);
    else byTenant.set(claim.tenant, [i]);
  });
  const chunks: number[][] = [];
  for (const indexes of byTenant.values()) {
    for (let at = 0; at < indexes.length; at += MAX_TRANSACTION_OPERATIONS) {
      chunks.push(indexes.slice(at, at + MAX_TRANSACTION_OPERATIONS));
    }
  }
  await Promise.all(chunks.map((chunk) => claimChunk(table, claims, chunk, outcomes)));
  return outcomes;
}

async function claimChunk(
  table: TableClient,
  claims: readonly IdentityClaim[],
  chunk: number[],
  outcomes: ClaimOutcome[],
): Promise<void> {
  let pending = chunk;
  while (pending.length > 0) {
    try {
      await submitEntityTransaction(
        table,
        pending.map((i): TransactionAction => [
          'create',
          { ...toEntity(claims[i] as IdentityClaim) },
        ]),
      );
      for (const i of pending) outcomes[i] = { status: 'claimed' };
      return;
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
    }
    // A conflict: read every claim of the chunk to learn which exist (a transaction fails as a whole, but
    // do not rely on that: the emulator's atomicity is weaker than Azure's).
    const stillMissing: number[] = [];
    await Promise.all(
      pending.map(async (i) => {
        const claim = claims[i] as IdentityClaim;
        const existing = await readClaim(
          table,
          claim.tenant,
          identityRowKey(claim.source, claim.eventId),
        );
        if (existing === undefined) stillMissing.push(i);
        else if (
          existing.partitionId === claim.partitionId &&
          Number(existing.sequenceNumber) === claim.sequenceNumber
        ) {
          outcomes[i] = { status: 'own' };
        } else {
          outcomes[i] = {
            status: 'duplicate',
            original: {
              partitionId: existing.partitionId,
              sequenceNumber: Number(existing.sequenceNumber),
              eventPartitionKey: existing.eventPartitionKey,
              eventRowKey: existing.eventRowKey,
            },
          };
        }
      }),
    );
    pending = stillMissing.sort((a, b) => a - b);
  }
}

async function readClaim(
  table: TableClient,
  tenant: string,
  rowKey: string,
): Promise<ClaimEntity | undefined> {
  try {
    return await table.getEntity<ClaimEntity>(tenant, rowKey);
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** Every event with this id in the tenant (normally one; more only if two sources reuse an id). */
export async function findByEventId(
  table: TableClient,
  tenant: string,
  eventId: string,
): Promise<IdentityClaim[]> {
  const range = identityRowKeyRange(eventId);
  const found: IdentityClaim[] = [];
  const filter = `PartitionKey eq '${tenant.replace(/'/g, "''")}' and RowKey ge '${range.from}' and RowKey lt '${range.to}'`;
  for await (const entity of table.listEntities<ClaimEntity>({ queryOptions: { filter } })) {
    if (entity.eventId !== eventId) continue;
    found.push({
      tenant,
      eventId: entity.eventId,
      source: entity.source,
      partitionId: entity.partitionId,
      sequenceNumber: Number(entity.sequenceNumber),
      eventPartitionKey: entity.eventPartitionKey,
      eventRowKey: entity.eventRowKey,
    });
  }
  return found;
}
