import { randomBytes } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import { statusOf } from '../store/errors';
import { WEBHOOK_PARTITIONS } from '../store/names';

/** One webhook subscription of a tenant. */
export interface Subscription {
  /** `sub_` and 16 URL-safe characters; unique across tenants. */
  id: string;
  tenant: string;
  callbackUrl: string;
  /** The filter as written (query language); empty matches every event of the tenant. */
  filter: string;
  description?: string;
  /** The HMAC key of its deliveries; returned once, at creation, never by a read. */
  secret: string;
  createdAt: string;
  /**
   * Per Event Hubs partition, the log size when the subscription was created: it matches the records
   * from these indexes on (a partition missing here had no log yet, so it starts at 0).
   */
  startIndexes: Readonly<Record<string, number>>;
}

type SubscriptionEntity = {
  partitionKey: string;
  rowKey: string;
  tenant: string;
  callbackUrl: string;
  filter: string;
  description?: string;
  secret: string;
  createdAt: string;
  startIndexes: string;
};

/** How many subscriptions one tenant may hold: each costs a match per event and a delivery loop. */
export const MAX_SUBSCRIPTIONS_PER_TENANT = 100;

export function newSubscriptionId(): string {
  return `sub_${randomBytes(12).toString('base64url')}`;
}

/** A secret of 256 random bits, prefixed so it is recognisable in a secret store or a leak scan. */
export function newSubscriptionSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function subscriptionPartition(tenant: string): string {
  return `${WEBHOOK_PARTITIONS.subscriptionsPrefix}${tenant}`;
}

export async function saveSubscription(
  table: TableClient,
  subscription: Subscription,
): Promise<void> {
  const entity: SubscriptionEntity = {
    partitionKey: subscriptionPartition(subscription.tenant),
    rowKey: subscription.id,
    tenant: subscription.tenant,
    callbackUrl: subscription.callbackUrl,
    filter: subscription.filter,
    ...(subscription.description === undefined ? {} : { description: subscription.description }),
    secret: subscription.secret,
    createdAt: subscription.createdAt,
    startIndexes: JSON.stringify(subscription.startIndexes),
  };
  await table.createEntity(entity);
}

/** The subscription `id` if it belongs to one of `tenants` (every tenant when undefined). */
export async function findSubscription(
  table: TableClient,
  id: string,
  tenants: readonly string[] | undefined,
): Promise<Subscription | undefined> {
  if (!/^sub_[A-Za-z0-9_-]{16}$/.test(id)) return undefined;
  if (tenants === undefined) {
    const [found] = await collect(table, `${partitionRange()} and RowKey eq '${id}'`);
    return found;
  }
  for (const tenant of tenants) {
    try {
      return fromEntity(
        await table.getEntity<SubscriptionEntity>(subscriptionPartition(tenant), id),
      );
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }
  return undefined;
}

/** Subscriptions of `tenants` (every tenant when undefined), by tenant and then creation. */
export async function listSubscriptions(
  table: TableClient,
  tenants: readonly string[] | undefined,
): Promise<Subscription[]> {
  const found =
    tenants === undefined
      ? await collect(table, partitionRange())
      : (
          await Promise.all(
            tenants.map((tenant) =>
              collect(table, odata`PartitionKey eq ${subscriptionPartition(tenant)}`),
            ),
          )
        ).flat();
  return found.sort(
    (a, b) =>
      a.tenant.localeCompare(b.tenant) ||
      a.createdAt.localeCompare(b.createdAt) ||
      a.id.localeCompare(b.id),
  );
}

export async function deleteSubscription(
  table: TableClient,
  subscription: Subscription,
): Promise<void> {
  try {
    await table.deleteEntity(subscriptionPartition(subscription.tenant), subscription.id);
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}

function partitionRange(): string {
  const prefix = WEBHOOK_PARTITIONS.subscriptionsPrefix;
  // '}' follows '|' in code-unit order, so the range holds exactly the keys starting with the prefix.
  return `PartitionKey ge '${prefix}' and PartitionKey lt '${prefix.slice(0, -1)}}'`;
}

async function collect(table: TableClient, filter: string): Promise<Subscription[]> {
  const found: Subscription[] = [];
  for await (const entity of table.listEntities<SubscriptionEntity>({ queryOptions: { filter } })) {
    found.push(fromEntity(entity));
  }
  return found;
}

function fromEntity(entity: SubscriptionEntity): Subscription {
  return {
    id: entity.rowKey,
    tenant: entity.tenant,
    callbackUrl: entity.callbackUrl,
    filter: entity.filter,
    ...(entity.description === undefined ? {} : { description: entity.description }),
    secret: entity.secret,
    createdAt: entity.createdAt,
    startIndexes: JSON.parse(entity.startIndexes) as Record<string, number>,
  };
}
