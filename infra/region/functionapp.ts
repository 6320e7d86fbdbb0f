/**
 * The region's function app on Flex Consumption. Every connection is identity-based: app settings name
 * accounts, namespaces and vaults, and the app's system-assigned identity is granted roles on each
 * (infra/roles.ts). No app setting holds a key, a SAS or a connection string with a secret.
 */
import * as pulumi from '@pulumi/pulumi';
import * as web from '@pulumi/azure-native/web';
import type { RegionContext } from './context';

/** Node.js major version of the Functions runtime. */
const NODE_VERSION = '22';
const MAXIMUM_INSTANCES = 100;
const INSTANCE_MEMORY_MB = 2048;

/** Values the app settings are built from. */
export interface FunctionAppSettingsInput {
  /** Where AUDIT_REGION comes from: each region's log is identified, and signed, on its own. */
  readonly region: string;
  readonly runtimeStorageAccountName: pulumi.Input<string>;
  readonly auditBlobServiceUri: pulumi.Input<string>;
  readonly auditTableServiceUri: pulumi.Input<string>;
  readonly eventHubsNamespace: pulumi.Input<string>;
  readonly eventHubName: string;
  readonly ingestConsumerGroup: string;
  readonly keyVaultUrl: pulumi.Input<string>;
  readonly signingKeyName: string;
  readonly wrappingKeyName: string;
  /** Application Insights connection string: an ingestion address, not a credential. */
  readonly appInsightsConnectionString: pulumi.Input<string>;
}

export interface AppSetting {
  readonly name: string;
  readonly value: pulumi.Input<string>;
}

/** The app settings, in the names the Functions host and src/config read. */
export function functionAppSettings(input: FunctionAppSettingsInput): AppSetting[] {
  const settings: Record<string, pulumi.Input<string>> = {
    AzureWebJobsStorage__accountName: input.runtimeStorageAccountName,
    AUDIT_STORAGE__blobServiceUri: input.auditBlobServiceUri,
    AUDIT_STORAGE__tableServiceUri: input.auditTableServiceUri,
    EVENTHUB_CONNECTION__fullyQualifiedNamespace: input.eventHubsNamespace,
    EVENTHUB_NAME: input.eventHubName,
    EVENTHUB_CONSUMER_GROUP: input.ingestConsumerGroup,
    KEY_PROVIDER: 'keyvault',
    KEY_VAULT_URL: input.keyVaultUrl,
    SIGNING_KEY_NAME: input.signingKeyName,
    WRAPPING_KEY_NAME: input.wrappingKeyName,
    AUDIT_REGION: input.region,
    APPLICATIONINSIGHTS_CONNECTION_STRING: input.appInsightsConnectionString,
    // Telemetry is sent with the app's identity; the component accepts no other (disableLocalAuth).
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD',
  };
  return Object.entries(settings).map(([name, value]) => ({ name, value }));
}

export interface FunctionAppArgs {
  readonly settings: readonly AppSetting[];
  readonly deploymentContainerUrl: pulumi.Input<string>;
  /**
   * When the app sits behind Front Door: only requests from this Front Door profile (service tag plus
   * its X-Azure-FDID header) reach the app. Absent, the app's own host name serves the API.
   */
  readonly frontDoorId?: pulumi.Input<string>;
}

export interface RegionFunctionApp {
  readonly app: web.WebApp;
  readonly principalId: pulumi.Output<string>;
  readonly defaultHostName: pulumi.Output<string>;
}

export function createFunctionApp(region: RegionContext, args: FunctionAppArgs): RegionFunctionApp {
  const { code, location, names, resourceGroupName, opts } = region;
  const plan = new web.AppServicePlan(
    `${code}-plan`,
    {
      name: names.plan,
      resourceGroupName,
      location,
      kind: 'functionapp',
      reserved: true,
      sku: { name: 'FC1', tier: 'FlexConsumption' },
    },
    opts,
  );

  const frontDoorOnly =
    args.frontDoorId === undefined
      ? {}
      : {
          ipSecurityRestrictions: [
            {
              name: 'front-door-only',
              action: 'Allow',
              tag: 'ServiceTag',
              ipAddress: 'AzureFrontDoor.Backend',
              priority: 100,
              headers: { 'x-azure-fdid': [args.frontDoorId] },
            },
          ],
          ipSecurityRestrictionsDefaultAction: 'Deny',
        };

  const app = new web.WebApp(
    `${code}-function-app`,
    {
      name: names.functionApp,
      resourceGroupName,
      location,
      kind: 'functionapp,linux',
      serverFarmId: plan.id,
      identity: { type: 'SystemAssigned' },
      functionAppConfig: {
        deployment: {
          storage: {
            type: 'blobContainer',
            value: args.deploymentContainerUrl,
            authentication: { type: 'SystemAssignedIdentity' },
          },
        },
        runtime: { name: 'node', version: NODE_VERSION },
        scaleAndConcurrency: {
          maximumInstanceCount: MAXIMUM_INSTANCES,
          instanceMemoryMB: INSTANCE_MEMORY_MB,
        },
      },
      siteConfig: { appSettings: [...args.settings], ...frontDoorOnly },
    },
    opts,
  );

  return {
    app,
    principalId: app.identity.apply((identity) => {
      if (identity?.principalId === undefined) {
        throw new Error(
          `Function app ${names.functionApp} has no system-assigned identity principal`,
        );
      }
      return identity.principalId;
    }),
    defaultHostName: app.defaultHostName,
  };
}
