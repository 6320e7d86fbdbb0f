import type { TableClient, TransactionAction } from '@azure/data-tables';

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

/** Submits every chunk; all are idempotent upserts, so chunks run in parallel. */
export async function submitUpserts(
  table: TableClient,
  actions: readonly SizedAction[],
): Promise<void> {
  await Promise.all(chunkTransactions(actions).map((chunk) => table.submitTransaction(chunk)));
}
