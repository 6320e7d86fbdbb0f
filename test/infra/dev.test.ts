/**
 * The dev stack (infra/Pulumi.dev.yaml): one region, no Geo-DR, no Front Door, nothing protected.
 */
import { describeStackPolicies } from './policies';
import { ofType, runProgram, single, stackConfig, type ProgramRun } from './harness';

let run: ProgramRun;

beforeAll(async () => {
  run = await runProgram('dev', stackConfig('dev'));
}, 120_000);

describeStackPolicies(() => run, ['sec'], 'dev');

describe('dev stack', () => {
  it('declares one region', () => {
    expect(run.outputs['regions']).toEqual([
      {
        code: 'sec',
        location: 'swedencentral',
        resourceGroup: 'rg-sqlaudit-dev-sec',
        functionApp: 'func-sqlaudit-dev-sec',
        functionHostName: 'func-sqlaudit-dev-sec.azurewebsites.net',
        eventHubsHostName: 'evhns-sqlaudit-dev-sec.servicebus.windows.net',
        auditStorageAccount: 'stsqlauditdevsecaudit',
        keyVaultUri: 'https://kv-sqlaudit-dev-sec.vault.azure.net/',
      },
    ]);
  });

  it('has no Geo-DR pairing and no Front Door', () => {
    expect(ofType(run, 'eventhub:DisasterRecoveryConfig')).toEqual([]);
    expect(
      run.resources.filter((resource) => resource.type.startsWith('azure-native:cdn:')),
    ).toEqual([]);
  });

  it('protects nothing, so the stack can be torn down', () => {
    expect(
      run.resources.filter((resource) => resource.protect).map((resource) => resource.name),
    ).toEqual([]);
  });

  it('declares the hub and the sentinel consumer group in its own namespace', () => {
    expect(single(run, 'eventhub:EventHub').inputs).toMatchObject({
      eventHubName: 'audit',
      partitionCount: 2,
      namespaceName: 'evhns-sqlaudit-dev-sec',
    });
    expect(single(run, 'eventhub:ConsumerGroup').inputs['consumerGroupName']).toBe('sentinel');
  });

  it('tells producers and API clients to use the region directly', () => {
    expect(run.outputs['eventHubsHostName']).toBe('evhns-sqlaudit-dev-sec.servicebus.windows.net');
    expect(run.outputs['apiHostName']).toBe('func-sqlaudit-dev-sec.azurewebsites.net');
  });

  it('does not restrict the function app to a Front Door it does not have', () => {
    expect(
      single(run, 'web:WebApp').inputs['siteConfig']['ipSecurityRestrictions'],
    ).toBeUndefined();
  });

  it('keeps the archive mutable and on LRS, as configured', () => {
    expect(ofType(run, 'storage:BlobContainerImmutabilityPolicy')).toEqual([]);
    const archiveAccount = ofType(run, 'storage:ManagementPolicy')[0]?.inputs['accountName'];
    const account = ofType(run, 'storage:StorageAccount').find(
      (candidate) => candidate.inputs['accountName'] === archiveAccount,
    );
    expect(account?.inputs['sku']).toEqual({ name: 'Standard_LRS' });
  });
});
