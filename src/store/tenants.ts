import type { TableClient } from '@azure/data-tables';

const TENANT_PARTITION = 'tenant';

/**
 * The tenants the log has seen, kept in the state table so a query across all tenants (an admin key)
 * knows which partitions exist without scanning the hot store.
 */
export async function registerTenants(
  table: TableClient,
  tenants: Iterable<string>,
  now: Date,
): Promise<void> {
  await Promise.all(
    [...tenants].map((tenant) =>
      table.upsertEntity(
        { partitionKey: TENANT_PARTITION, rowKey: tenant, firstSeenAt: now.toISOString() },
        'Merge',
      ),
    ),
  );
}

export async function listTenants(table: TableClient): Promise<string[]> {
  const tenants: string[] = [];
  for await (const entity of table.listEntities({
    queryOptions: { filter: `PartitionKey eq '${TENANT_PARTITION}'` },
  })) {
    tenants.push(entity.rowKey as string);
  }
  return tenants.sort();
}
