/**
 * The prod stack (infra/Pulumi.prod.yaml): two regions joined by Event Hubs Geo-DR and Front Door,
 * stateful resources protected.
 */
import { byId, describeStackPolicies } from './policies';
import { ofType, regionOf, runProgram, single, stackConfig, type ProgramRun } from './harness';

const STATEFUL_TYPES = [
  'azure-native:storage:StorageAccount',
  'azure-native:keyvault:Vault',
  'azure-native:keyvault:Key',
  'azure-native:eventhub:Namespace',
  'azure-native:eventhub:EventHub',
];

let run: ProgramRun;

beforeAll(async () => {
  run = await runProgram('prod', stackConfig('prod'));
}, 120_000);

describeStackPolicies(() => run, ['weu', 'neu'], 'prod');

describe('prod stack', () => {
  it('declares the primary region first and the secondary second', () => {
    expect(
      (run.outputs['regions'] as Array<{ code: string; location: string }>).map(
        (region) => region.location,
      ),
    ).toEqual(['westeurope', 'northeurope']);
  });

  it('protects every storage account, vault, key, namespace and hub', () => {
    const stateful = run.resources.filter((resource) => STATEFUL_TYPES.includes(resource.type));
    expect(stateful.length).toBe(2 * 2 + 2 + 4 + 2 + 1);
    expect(
      stateful.filter((resource) => !resource.protect).map((resource) => resource.name),
    ).toEqual([]);
  });

  it('leaves stateless resources unprotected so they can be replaced', () => {
    for (const type of ['web:WebApp', 'authorization:RoleAssignment', 'cdn:Route']) {
      expect(ofType(run, type).filter((resource) => resource.protect)).toEqual([]);
    }
  });

  it('declares the hub (with the configured partition count) and the sentinel consumer group in the primary namespace only', () => {
    const hub = single(run, 'eventhub:EventHub');
    expect(regionOf(hub)).toBe('weu');
    expect(hub.inputs).toMatchObject({
      eventHubName: 'audit',
      partitionCount: 8,
      namespaceName: 'evhns-sqlaudit-prod-weu',
    });
    const group = single(run, 'eventhub:ConsumerGroup');
    expect(regionOf(group)).toBe('weu');
    expect(group.inputs).toMatchObject({ eventHubName: 'audit', consumerGroupName: 'sentinel' });
  });

  it('pairs the primary namespace with the secondary under one Geo-DR alias', () => {
    const pairing = single(run, 'eventhub:DisasterRecoveryConfig');
    const primary = ofType(run, 'eventhub:Namespace').find(
      (namespace) => regionOf(namespace) === 'weu',
    );
    const secondary = ofType(run, 'eventhub:Namespace').find(
      (namespace) => regionOf(namespace) === 'neu',
    );
    expect(pairing.inputs).toEqual({
      alias: 'evhns-sqlaudit-prod-audit',
      namespaceName: primary?.inputs['namespaceName'],
      resourceGroupName: 'rg-sqlaudit-prod-weu',
      partnerNamespace: secondary?.id,
    });
  });

  it('tells producers to use the Geo-DR alias', () => {
    expect(run.outputs['eventHubsHostName']).toBe(
      'evhns-sqlaudit-prod-audit.servicebus.windows.net',
    );
  });

  it('puts the API behind Front Door Standard, preferring the primary region', () => {
    expect(single(run, 'cdn:Profile').inputs['sku']).toEqual({ name: 'Standard_AzureFrontDoor' });
    const origins = ofType(run, 'cdn:AFDOrigin')
      .map((origin) => [origin.inputs['hostName'], origin.inputs['priority']])
      .sort((a, b) => Number(a[1]) - Number(b[1]));
    expect(origins).toEqual([
      ['func-sqlaudit-prod-weu.azurewebsites.net', 1],
      ['func-sqlaudit-prod-neu.azurewebsites.net', 2],
    ]);
    expect(run.outputs['apiHostName']).toBe('sqlaudit-prod-api-h3bcd4e5f6g7h8.z01.azurefd.net');
  });

  it('probes GET /api/health over HTTPS on every origin', () => {
    expect(single(run, 'cdn:AFDOriginGroup').inputs['healthProbeSettings']).toEqual({
      probePath: '/api/health',
      probeRequestType: 'GET',
      probeProtocol: 'Https',
      probeIntervalInSeconds: 30,
    });
  });

  it('routes /api/* over HTTPS only to the origin group', () => {
    const route = single(run, 'cdn:Route');
    const group = single(run, 'cdn:AFDOriginGroup');
    expect(route.inputs).toMatchObject({
      patternsToMatch: ['/api/*'],
      supportedProtocols: ['Https'],
      forwardingProtocol: 'HttpsOnly',
      httpsRedirect: 'Disabled',
      originGroup: { id: group.id },
    });
  });

  it('lets only its own Front Door profile reach each function app', () => {
    for (const app of ofType(run, 'web:WebApp')) {
      expect(app.inputs['siteConfig']['ipSecurityRestrictionsDefaultAction']).toBe('Deny');
      expect(app.inputs['siteConfig']['ipSecurityRestrictions']).toEqual([
        {
          name: 'front-door-only',
          action: 'Allow',
          tag: 'ServiceTag',
          ipAddress: 'AzureFrontDoor.Backend',
          priority: 100,
          headers: { 'x-azure-fdid': ['0f0f0f0f-1e1e-2d2d-3c3c-4b4b4b4b4b4b'] },
        },
      ]);
    }
  });

  it('makes every archive container write-once for the configured days, open to new blocks only', () => {
    const policies = ofType(run, 'storage:BlobContainerImmutabilityPolicy');
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.inputs).toMatchObject({
        containerName: 'audit-archive',
        immutabilityPolicyName: 'default',
        immutabilityPeriodSinceCreationInDays: 90,
        allowProtectedAppendWritesAll: true,
      });
      const account = ofType(run, 'storage:StorageAccount').find(
        (candidate) => candidate.inputs['accountName'] === policy.inputs['accountName'],
      );
      expect(account?.inputs['sku']).toEqual({ name: 'Standard_RAGRS' });
    }
  });

  it('deploys each app package from its own region’s runtime account', () => {
    for (const app of ofType(run, 'web:WebApp')) {
      const runtime = ofType(run, 'storage:StorageAccount').find(
        (account) =>
          regionOf(account) === regionOf(app) && account.inputs['sku']['name'] === 'Standard_LRS',
      );
      expect(app.inputs['functionAppConfig']['deployment']['storage']['value']).toBe(
        `https://${runtime?.inputs['accountName']}.blob.core.windows.net/app-package`,
      );
      expect(byId(run, app.inputs['serverFarmId'])?.inputs['location']).toBe(
        app.inputs['location'],
      );
    }
  });
});
