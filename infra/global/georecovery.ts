/**
 * Event Hubs Geo-DR: an alias on the primary namespace paired with the secondary. Producers connect to
 * the alias, so a failover (customer-initiated, see infra/README.md) needs no producer change. Only
 * metadata (hubs, consumer groups) is replicated; events and role assignments are not.
 */
import * as pulumi from '@pulumi/pulumi';
import * as eventhub from '@pulumi/azure-native/eventhub';
import type { AuditRegion } from '../region';

export interface GeoRecovery {
  readonly pairing: eventhub.DisasterRecoveryConfig;
  /** What producers connect to: `<alias>.servicebus.windows.net` (or the cloud's equivalent suffix). */
  readonly aliasHostName: pulumi.Output<string>;
}

export function pairNamespaces(
  alias: string,
  primary: AuditRegion,
  secondary: AuditRegion,
  opts: pulumi.CustomResourceOptions,
): GeoRecovery {
  const pairing = new eventhub.DisasterRecoveryConfig(
    'eventhubs-geo-recovery',
    {
      resourceGroupName: primary.resourceGroup.name,
      namespaceName: primary.namespace.name,
      alias,
      partnerNamespace: secondary.namespace.id,
    },
    // Pair once the primary's hub exists, so the first replication already carries it.
    { ...opts, dependsOn: [...primary.eventHubEntities] },
  );
  return {
    pairing,
    aliasHostName: primary.eventHubsHostName.apply(
      (host) => `${alias}.${host.split('.').slice(1).join('.')}`,
    ),
  };
}
