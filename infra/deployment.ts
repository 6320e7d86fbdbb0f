/**
 * The whole deployment: one AuditRegion per configured region and, with two regions, what joins them:
 * an Event Hubs Geo-DR alias for producers and Front Door for the HTTP API.
 */
import * as pulumi from '@pulumi/pulumi';
import * as authorization from '@pulumi/azure-native/authorization';
import * as resources from '@pulumi/azure-native/resources';
import type * as storage from '@pulumi/azure-native/storage';
import type { InfraConfig } from './config';
import { createFrontDoorProfile, routeApiThroughFrontDoor } from './global/frontdoor';
import { pairNamespaces } from './global/georecovery';
import { globalNames, type GlobalNames } from './names';
import { AuditRegion } from './region';
import type { NamespaceRole } from './region/eventhubs';
import type { RegionExtension } from './region/extension';

export const AUDIT_DEPLOYMENT_TYPE = 'sql-mcp-audit:infra:AuditDeployment';

export interface AuditDeploymentArgs {
  readonly config: InfraConfig;
  readonly managementPolicy: storage.ManagementPolicyArgs['policy'];
  /** Applied to every region, e.g. Sentinel's table and data collection rule (region/extension.ts). */
  readonly regionExtensions?: readonly RegionExtension[];
}

export class AuditDeployment extends pulumi.ComponentResource {
  /** Primary first. */
  readonly regions: readonly AuditRegion[];
  /** Where producers send events: the Geo-DR alias with two regions, the namespace itself with one. */
  readonly producerHostName: pulumi.Output<string>;
  /** Where clients call the HTTP API: Front Door with two regions, the function app itself with one. */
  readonly apiHostName: pulumi.Output<string>;

  constructor(name: string, args: AuditDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super(AUDIT_DEPLOYMENT_TYPE, name, {}, opts);
    const { config } = args;
    const childOpts: pulumi.CustomResourceOptions = { parent: this };
    const client = authorization.getClientConfigOutput({ parent: this });
    const multiRegion = config.regions.length > 1;
    const names = globalNames({ prefix: config.namePrefix, environment: config.environment });
    const [primaryConfig] = config.regions;
    if (primaryConfig === undefined) throw new Error('AuditDeployment needs at least one region');

    const global = multiRegion
      ? createGlobalResources(names, primaryConfig.location, childOpts)
      : undefined;

    this.regions = config.regions.map((region, index) => {
      const namespaceRole: NamespaceRole = !multiRegion
        ? 'standalone'
        : index === 0
          ? 'geo-primary'
          : 'geo-secondary';
      return new AuditRegion(
        region.code,
        {
          config,
          region,
          namespaceRole,
          managementPolicy: args.managementPolicy,
          tenantId: client.tenantId,
          subscriptionId: client.subscriptionId,
          frontDoorId: global?.profile.frontDoorId,
          extensions: args.regionExtensions,
        },
        { parent: this },
      );
    });

    const [primary, secondary] = this.regions;
    if (primary === undefined) throw new Error('AuditDeployment needs at least one region');
    if (global === undefined || secondary === undefined) {
      this.producerHostName = primary.eventHubsHostName;
      this.apiHostName = primary.functionHostName;
    } else {
      this.producerHostName = pairNamespaces(
        names.eventHubsAlias,
        primary,
        secondary,
        childOpts,
      ).aliasHostName;
      this.apiHostName = routeApiThroughFrontDoor(
        {
          profile: global.profile,
          resourceGroupName: global.resourceGroup.name,
          endpointName: names.frontDoorEndpoint,
          regions: this.regions,
        },
        childOpts,
      ).hostName;
    }
    this.registerOutputs({
      producerHostName: this.producerHostName,
      apiHostName: this.apiHostName,
    });
  }
}

/** The resources that belong to no region: Front Door's profile and the group that holds it. */
function createGlobalResources(
  names: GlobalNames,
  location: string,
  opts: pulumi.CustomResourceOptions,
) {
  const resourceGroup = new resources.ResourceGroup(
    'global-resource-group',
    { resourceGroupName: names.resourceGroup, location },
    opts,
  );
  const profile = createFrontDoorProfile(
    { profileName: names.frontDoorProfile, resourceGroupName: resourceGroup.name },
    opts,
  );
  return { resourceGroup, profile };
}
