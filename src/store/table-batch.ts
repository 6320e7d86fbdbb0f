import type { TableClient, TransactionAction } from '@azure/data-tables';
import { statusOf } from './errors';
import { submitEntityTransaction } from './entity-transaction';

/** Azure's entity-group transaction limits: at most 100 operations and under 4 MiB per request. */
export const MAX_TRANSACTION_OPERATIONS = 100;
const MAX_TRANSACTION_BYTES = 3.5 * 1024 * 1024; // margin under 4 MiB for the multipart envelope

export interface SizedAction {
  action: TransactionAction;
  /** Estimated serialized size of the entity in bytes. */
  bytes: number;
}

/** Splits actions of one partition key into transactions that respect both limits, in order. */
export function chunkTransactions(actions: readonly SizedAction[]): TransactionAction[][] {
  const chunks: TransactionAction[][] = [];
  let current: TransactionAction[] = [];
  let currentBytes = 0;
  for (const { action, bytes } of actions) {
    if (
      current.length > 0 &&
      (current.length >= MAX_TRANSACTION_OPERATIONS || currentBytes + bytes > MAX_TRANSACTION_BYTES)
    ) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(action);
    currentBytes += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Writes rows that are normally new. Each chunk goes first as inserts, which the service handles with
 * less work than upserts (on Azurite about a sixth less CPU per hot-store row); a chunk that meets a row
 * already there (a redelivered batch written before a crash, or a second host on the same partition) is
 * written again as the upserts it was given. Either way the rows end as the upserts would leave them, so
 * chunks run in parallel.
 */
export async function writeNewRows(
  table: TableClient,
  actions: readonly SizedAction[],
): Promise<void> {
  await Promise.all(
    chunkTransactions(actions).map(async (chunk) => {
      try {
        await submitEntityTransaction(table, chunk.map(asInsert));
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
        await submitEntityTransaction(table, chunk);
      }
    }),
  );
}

function asInsert(action: TransactionAction): TransactionAction {
  if (action[0] !== 'upsert') throw new Error(`writeNewRows takes upserts, not ${action[0]}`);
  return ['create', action[1]];
}

/** Submits every chunk; all are idempotent upserts, so chunks run in parallel. */
export async function submitUpserts(
  table: TableClient,
  actions: readonly SizedAction[],
): Promise<void> {
  await Promise.all(
    chunkTransactions(actions).map((chunk) => submitEntityTransaction(table, chunk)),
  );
}

/**
 * Deletes rows in transactions of at most 100 per partition key; rows already gone are fine. A
 * transaction fails whole when one of its rows is already gone (an earlier, interrupted run, or a
 * concurrent one), so that transaction's rows are then deleted one by one.
 */
export async function deleteRows(
  table: TableClient,
  rows: readonly { partitionKey: string; rowKey: string }[],
): Promise<void> {
  const byPartition = new Map<string, string[]>();
  for (const { partitionKey, rowKey } of rows) {
    const keys = byPartition.get(partitionKey) ?? [];
    keys.push(rowKey);
    byPartition.set(partitionKey, keys);
  }
  for (const [partitionKey, rowKeys] of byPartition) {
    for (let at = 0; at < rowKeys.length; at += MAX_TRANSACTION_OPERATIONS) {
      const chunk = rowKeys.slice(at, at + MAX_TRANSACTION_OPERATIONS);
      try {
        await submitEntityTransaction(
          table,
          chunk.map((rowKey): TransactionAction => ['delete', { partitionKey, rowKey }]),
        );
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
        for (const rowKey of chunk) {
          try {
            await table.deleteEntity(partitionKey, rowKey);
          } catch (single) {
            if (statusOf(single) !== 404) throw single;
          }
        }
      }
    }
  }
}
