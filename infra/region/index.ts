/**
 * AuditRegion: one complete, self-contained deployment of the audit log in one Azure region. Each
 * region ingests from its own namespace into its own storage and signs with its own keys; nothing in a
 * region depends on another region being up.
 */
import * as pulumi from '@pulumi/pulumi';
import * as resources from '@pulumi/azure-native/resources';
import type * as eventhub from '@pulumi/azure-native/eventhub';
import type * as operationalinsights from '@pulumi/azure-native/operationalinsights';
import type * as storage from '@pulumi/azure-native/storage';
import type * as web from '@pulumi/azure-native/web';
import type { InfraConfig, RegionConfig } from '../config';
import { regionNames } from '../names';
import { grantRoles } from '../roles';
import type { RegionContext } from './context';
import { CONSUMER_GROUPS, EVENT_HUB_NAME, createEventHubs, type NamespaceRole } from './eventhubs';
import { createFunctionApp, functionAppSettings, type AppSetting } from './functionapp';
import type { RegionContribution, RegionExtension } from './extension';
import { SIGNING_KEY_NAME, WRAPPING_KEY_NAME, createKeys } from './keys';
import { createMonitoring } from './monitoring';
import { createAuditStorage } from './storage';

export const AUDIT_REGION_TYPE = 'sql-mcp-audit:infra:AuditRegion';

export interface AuditRegionArgs {
  readonly config: Pick<
    InfraConfig,
    'environment' | 'namePrefix' | 'partitionCount' | 'auditStorageSku' | 'immutability'
  >;
  readonly region: RegionConfig;
  readonly namespaceRole: NamespaceRole;
  readonly managementPolicy: storage.ManagementPolicyArgs['policy'];
  readonly tenantId: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  /** Set when Front Door fronts the API: the app then admits only that profile's traffic. */
  readonly frontDoorId?: pulumi.Input<string>;
  /** Called once the workspace exists and before the function app (see ./extension.ts). */
  readonly extensions?: readonly RegionExtension[];
}

export class AuditRegion extends pulumi.ComponentResource {
  readonly code: string;
  readonly location: string;
  readonly resourceGroup: resources.ResourceGroup;
  /** The region's Log Analytics workspace. */
  readonly workspace: operationalinsights.Workspace;
  readonly namespace: eventhub.Namespace;
  /** The hub and consumer group declared in this namespace (none on a Geo-DR secondary). */
  readonly eventHubEntities: readonly pulumi.Resource[];
  readonly auditStorageAccount: storage.StorageAccount;
  readonly functionApp: web.WebApp;
  readonly functionPrincipalId: pulumi.Output<string>;
  readonly functionHostName: pulumi.Output<string>;
  readonly eventHubsHostName: pulumi.Output<string>;
  readonly keyVaultUri: pulumi.Output<string>;

  constructor(name: string, args: AuditRegionArgs, opts?: pulumi.ComponentResourceOptions) {
    super(AUDIT_REGION_TYPE, name, {}, opts);
    const { code, location } = args.region;
    const names = regionNames(
      { prefix: args.config.namePrefix, environment: args.config.environment },
      code,
    );
    const childOpts: pulumi.CustomResourceOptions = { parent: this };

    const resourceGroup = new resources.ResourceGroup(
      `${code}-resource-group`,
      { resourceGroupName: names.resourceGroup, location },
      childOpts,
    );
    const region: RegionContext = {
      code,
      location,
      names,
      resourceGroupName: resourceGroup.name,
      opts: childOpts,
    };

    const monitoring = createMonitoring(region);
    const contributions = (args.extensions ?? []).map((extend) =>
      extend({ ...region, workspace: monitoring.workspace, subscriptionId: args.subscriptionId }),
    );
    const auditStorage = createAuditStorage(region, {
      sku: args.config.auditStorageSku,
      immutability: args.config.immutability,
      managementPolicy: args.managementPolicy,
    });
    const eventHubs = createEventHubs(region, {
      partitionCount: args.config.partitionCount,
      role: args.namespaceRole,
    });
    const keys = createKeys(region, args.tenantId);

    const functionApp = createFunctionApp(region, {
      settings: withExtensionSettings(
        functionAppSettings({
          region: location,
          runtimeStorageAccountName: auditStorage.runtimeAccount.name,
          auditBlobServiceUri: auditStorage.blobServiceUri,
          auditTableServiceUri: auditStorage.tableServiceUri,
          eventHubsNamespace: eventHubs.fullyQualifiedNamespace,
          eventHubName: EVENT_HUB_NAME,
          ingestConsumerGroup: CONSUMER_GROUPS.ingest,
          keyVaultUrl: keys.vaultUri,
          signingKeyName: SIGNING_KEY_NAME,
          wrappingKeyName: WRAPPING_KEY_NAME,
          appInsightsConnectionString: monitoring.appInsights.connectionString,
        }),
        contributions,
      ),
      deploymentContainerUrl: auditStorage.deploymentContainerUrl,
      frontDoorId: args.frontDoorId,
    });

    grantRoles(
      `${code}-function`,
      functionApp.principalId,
      args.subscriptionId,
      [
        {
          target: 'audit-storage',
          role: 'storageTableDataContributor',
          scope: auditStorage.account.id,
        },
        {
          target: 'audit-storage',
          role: 'storageBlobDataContributor',
          scope: auditStorage.account.id,
        },
        // Host storage: Microsoft documents Blob Data Owner for identity-based AzureWebJobsStorage, and the
        // Flex Consumption platform reads the app package from the same account with the same identity.
        {
          target: 'runtime-storage',
          role: 'storageBlobDataOwner',
          scope: auditStorage.runtimeAccount.id,
        },
        { target: 'eventhubs', role: 'eventHubsDataReceiver', scope: eventHubs.namespace.id },
        // The HTTP ingest route (POST /api/events) publishes to the hub.
        { target: 'eventhubs', role: 'eventHubsDataSender', scope: eventHubs.namespace.id },
        { target: 'vault', role: 'keyVaultCryptoUser', scope: keys.vault.id },
        {
          target: 'app-insights',
          role: 'monitoringMetricsPublisher',
          scope: monitoring.appInsights.id,
        },
      ],
      childOpts,
    );

    for (const contribution of contributions) {
      contribution.grantFunctionApp?.(functionApp.principalId);
    }

    this.code = code;
    this.location = location;
    this.resourceGroup = resourceGroup;
    this.workspace = monitoring.workspace;
    this.namespace = eventHubs.namespace;
    this.eventHubEntities = eventHubs.entities;
    this.auditStorageAccount = auditStorage.account;
    this.functionApp = functionApp.app;
    this.functionPrincipalId = functionApp.principalId;
    this.functionHostName = functionApp.defaultHostName;
    this.eventHubsHostName = eventHubs.fullyQualifiedNamespace;
    this.keyVaultUri = keys.vaultUri;
    this.registerOutputs({
      resourceGroupName: resourceGroup.name,
      functionHostName: this.functionHostName,
      eventHubsHostName: this.eventHubsHostName,
      keyVaultUri: this.keyVaultUri,
    });
  }
}

/** The region's own settings followed by the extensions'; an extension may not redefine a setting. */
export function withExtensionSettings(
  settings: readonly AppSetting[],
  contributions: readonly RegionContribution[],
): AppSetting[] {
  const merged = [...settings];
  for (const contribution of contributions) {
    for (const [name, value] of Object.entries(contribution.appSettings ?? {})) {
      if (merged.some((setting) => setting.name === name)) {
        throw new Error(`A region extension sets app setting ${name}, which is already set`);
      }
      merged.push({ name, value });
    }
  }
  return merged;
}
