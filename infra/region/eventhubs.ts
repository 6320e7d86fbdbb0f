/**
 * The region's Event Hubs namespace and the `audit` hub its function app consumes.
 */
import * as pulumi from '@pulumi/pulumi';
import * as eventhub from '@pulumi/azure-native/eventhub';
import type { RegionContext } from './context';

export const EVENT_HUB_NAME = 'audit';

/**
 * Consumer groups of the `audit` hub. `$Default` exists with every hub and cannot be declared (ARM
 * refuses to create it), so only `sentinel` is created here.
 */
export const CONSUMER_GROUPS = { ingest: '$Default', sentinel: 'sentinel' } as const;

/** Standard tier: 7 days is its longest retention, the window in which a recovered region can be drained. */
const RETENTION_DAYS = 7;

/**
 * Who declares the hub and its consumer groups:
 * - `standalone` and `geo-primary`: this namespace does;
 * - `geo-secondary`: nobody. A namespace must be empty to be paired as a Geo-DR secondary, and from then
 *   on the pairing replicates the primary's hub and consumer groups into it.
 */
export type NamespaceRole = 'standalone' | 'geo-primary' | 'geo-secondary';

export interface EventHubsArgs {
  readonly partitionCount: number;
  readonly role: NamespaceRole;
}

export interface RegionEventHubs {
  readonly namespace: eventhub.Namespace;
  /** Host name of this region's own namespace, e.g. `evhns-x-prod-sec.servicebus.windows.net`. */
  readonly fullyQualifiedNamespace: pulumi.Output<string>;
  /** The hub and consumer group when this namespace declares them; the Geo-DR pairing waits for them. */
  readonly entities: pulumi.Resource[];
}

export function createEventHubs(region: RegionContext, args: EventHubsArgs): RegionEventHubs {
  const { code, location, names, resourceGroupName, opts } = region;
  const namespace = new eventhub.Namespace(
    `${code}-eventhubs`,
    {
      namespaceName: names.eventHubsNamespace,
      resourceGroupName,
      location,
      // Geo-DR needs Standard or above, and both namespaces of a pair on the same tier.
      sku: { name: 'Standard', tier: 'Standard', capacity: 1 },
      isAutoInflateEnabled: true,
      maximumThroughputUnits: 4,
    },
    opts,
  );

  const entities: pulumi.Resource[] = [];
  if (args.role !== 'geo-secondary') {
    const hub = new eventhub.EventHub(
      `${code}-hub-${EVENT_HUB_NAME}`,
      {
        namespaceName: namespace.name,
        resourceGroupName,
        eventHubName: EVENT_HUB_NAME,
        partitionCount: args.partitionCount,
        messageRetentionInDays: RETENTION_DAYS,
      },
      opts,
    );
    const sentinel = new eventhub.ConsumerGroup(
      `${code}-consumer-${CONSUMER_GROUPS.sentinel}`,
      {
        namespaceName: namespace.name,
        resourceGroupName,
        eventHubName: hub.name,
        consumerGroupName: CONSUMER_GROUPS.sentinel,
      },
      opts,
    );
    entities.push(hub, sentinel);
  }

  return {
    namespace,
    fullyQualifiedNamespace: namespace.serviceBusEndpoint.apply(
      (endpoint) => new URL(endpoint).hostname,
    ),
    entities,
  };
}
