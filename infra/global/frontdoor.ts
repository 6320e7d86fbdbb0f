/**
 * Front Door (Standard) in front of the regions' HTTP API. Priority routing: the primary serves every
 * request while its health probe (GET /api/health) passes; the secondary takes over when it fails and
 * hands back once the primary is healthy again. No operator action is needed for the HTTP side.
 */
import * as pulumi from '@pulumi/pulumi';
import * as cdn from '@pulumi/azure-native/cdn';
import type { AuditRegion } from '../region';

export const HEALTH_PROBE_PATH = '/api/health';

export interface FrontDoorProfileArgs {
  readonly profileName: string;
  readonly resourceGroupName: pulumi.Input<string>;
}

/** The profile comes first: the function apps admit only traffic carrying its id. */
export function createFrontDoorProfile(
  args: FrontDoorProfileArgs,
  opts: pulumi.CustomResourceOptions,
): cdn.Profile {
  return new cdn.Profile(
    'front-door',
    {
      profileName: args.profileName,
      resourceGroupName: args.resourceGroupName,
      location: 'global',
      sku: { name: 'Standard_AzureFrontDoor' },
    },
    opts,
  );
}

export interface ApiRoutingArgs {
  readonly profile: cdn.Profile;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly endpointName: string;
  /** Primary first: origin priority follows this order (1, 2, ...). */
  readonly regions: readonly AuditRegion[];
}

export interface ApiRouting {
  readonly endpoint: cdn.AFDEndpoint;
  /** The public host name of the HTTP API. */
  readonly hostName: pulumi.Output<string>;
}

export function routeApiThroughFrontDoor(
  args: ApiRoutingArgs,
  opts: pulumi.CustomResourceOptions,
): ApiRouting {
  const profileRef = { profileName: args.profile.name, resourceGroupName: args.resourceGroupName };
  const endpoint = new cdn.AFDEndpoint(
    'api-endpoint',
    { ...profileRef, endpointName: args.endpointName, location: 'global', enabledState: 'Enabled' },
    opts,
  );
  const originGroup = new cdn.AFDOriginGroup(
    'api-origins',
    {
      ...profileRef,
      originGroupName: 'functions',
      healthProbeSettings: {
        probePath: HEALTH_PROBE_PATH,
        probeRequestType: 'GET',
        probeProtocol: 'Https',
        probeIntervalInSeconds: 30,
      },
      loadBalancingSettings: {
        sampleSize: 4,
        successfulSamplesRequired: 3,
        additionalLatencyInMilliseconds: 50,
      },
      sessionAffinityState: 'Disabled',
    },
    opts,
  );
  const origins = args.regions.map(
    (region, index) =>
      new cdn.AFDOrigin(
        `api-origin-${region.code}`,
        {
          ...profileRef,
          originGroupName: originGroup.name,
          originName: region.code,
          hostName: region.functionHostName,
          originHostHeader: region.functionHostName,
          httpsPort: 443,
          priority: index + 1,
          weight: 1000,
          enabledState: 'Enabled',
          enforceCertificateNameCheck: true,
        },
        opts,
      ),
  );
  new cdn.Route(
    'api-route',
    {
      ...profileRef,
      endpointName: endpoint.name,
      routeName: 'api',
      originGroup: { id: originGroup.id },
      patternsToMatch: ['/api/*'],
      // HTTPS only, without an HTTP-to-HTTPS redirect: a redirected POST would already have sent its
      // audit payload in clear text.
      supportedProtocols: ['Https'],
      httpsRedirect: 'Disabled',
      forwardingProtocol: 'HttpsOnly',
      linkToDefaultDomain: 'Enabled',
    },
    // Front Door rejects a route whose origin group has no origin yet.
    { ...opts, dependsOn: origins },
  );
  return { endpoint, hostName: endpoint.hostName };
}
