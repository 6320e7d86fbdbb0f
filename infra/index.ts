/**
 * Pulumi entry point (infra/Pulumi.yaml). Reads and checks the configuration and the retention policy,
 * registers the security baseline for every resource, then declares the deployment.
 */
import * as pulumi from '@pulumi/pulumi';
import { PROJECT, readInfraConfig } from './config';
import { AuditDeployment } from './deployment';
import { generateAzureManagementPolicy, shippedRetentionPolicy } from '../lifecycle';
import { checkImmutabilityFitsRetention } from './lifecycle';
import { securityPolicy } from './policy';

const config = readInfraConfig(new pulumi.Config(PROJECT));
const retentionPolicy = shippedRetentionPolicy();
checkImmutabilityFitsRetention(config.immutability, retentionPolicy);

// The SDK-side stack transformation: the engine-side registerResourceTransform cannot run under the
// unit tests' mocks, and the baseline must be what the tests see.
pulumi.runtime.registerStackTransformation(
  securityPolicy({
    tags: { application: PROJECT, environment: config.environment, 'managed-by': 'pulumi' },
    protectStatefulResources: config.protectStatefulResources,
  }),
);

const deployment = new AuditDeployment('audit', {
  config,
  managementPolicy: generateAzureManagementPolicy(retentionPolicy),
});

export const environment = config.environment;
/** Producers send CloudEvents here (Entra ID auth; the Geo-DR alias when there are two regions). */
export const eventHubsHostName = deployment.producerHostName;
/** The HTTP API's host name (Front Door when there are two regions). */
export const apiHostName = deployment.apiHostName;
export const regions = deployment.regions.map((region) => ({
  code: region.code,
  location: region.location,
  resourceGroup: region.resourceGroup.name,
  functionApp: region.functionApp.name,
  functionHostName: region.functionHostName,
  eventHubsHostName: region.eventHubsHostName,
  auditStorageAccount: region.auditStorageAccount.name,
  keyVaultUri: region.keyVaultUri,
}));
