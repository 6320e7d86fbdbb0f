/**
 * The region's two storage accounts:
 * - audit data (tables, archive, dead letters, checkpoints, tiles), write-once archive, lifecycle policy;
 * - Functions runtime state (host leases, Event Hubs trigger checkpoints, the deployment package).
 * They are kept apart so that the host's constantly rewritten blobs never pick up the audit account's
 * versioning, immutability or lifecycle rules, and so that the lifecycle policy governs audit data only.
 */
import * as pulumi from '@pulumi/pulumi';
import * as storage from '@pulumi/azure-native/storage';
import { CONTAINERS, TABLES } from '../../src/store/names';
import type { ArchiveCapableSku, InfraConfig } from '../config';
import type { RegionContext } from './context';

/** Blob container of Merkle tree tiles that verifiers read beside the signed checkpoints. */
/** Blob container the Flex Consumption platform deploys the app package from. */
export const DEPLOYMENT_CONTAINER = 'app-package';
/** Blob soft delete: a deleted or overwritten blob or container stays recoverable this long. */
const SOFT_DELETE_DAYS = 7;

export interface AuditStorageArgs {
  readonly sku: ArchiveCapableSku;
  readonly immutability: InfraConfig['immutability'];
  /** The body of the `default` management policy, generated from lifecycle/policy.json. */
  readonly managementPolicy: storage.ManagementPolicyArgs['policy'];
}

export interface AuditStorage {
  readonly account: storage.StorageAccount;
  readonly blobServiceUri: pulumi.Output<string>;
  readonly tableServiceUri: pulumi.Output<string>;
  readonly runtimeAccount: storage.StorageAccount;
  /** URL of the container the app package is deployed to. */
  readonly deploymentContainerUrl: pulumi.Output<string>;
}

export function createAuditStorage(region: RegionContext, args: AuditStorageArgs): AuditStorage {
  const { code, location, names, resourceGroupName, opts } = region;
  const versionLevel = args.immutability.mode === 'version-level';

  const account = new storage.StorageAccount(
    `${code}-audit-storage`,
    {
      accountName: names.auditStorage,
      resourceGroupName,
      location,
      kind: 'StorageV2',
      // Lifecycle rules move archive segments to Archive: only LRS, GRS and RA-GRS accounts have it.
      sku: { name: args.sku },
      accessTier: 'Hot',
    },
    opts,
  );
  const accountRef = { accountName: account.name, resourceGroupName };

  const blobService = new storage.BlobServiceProperties(
    `${code}-audit-blob-service`,
    {
      ...accountRef,
      blobServicesName: 'default',
      // Version-level WORM protects versions, so the account must keep them.
      isVersioningEnabled: versionLevel,
      deleteRetentionPolicy: { enabled: true, days: SOFT_DELETE_DAYS },
      containerDeleteRetentionPolicy: { enabled: true, days: SOFT_DELETE_DAYS },
    },
    opts,
  );

  for (const tableName of Object.values(TABLES)) {
    new storage.Table(`${code}-table-${tableName}`, { ...accountRef, tableName }, opts);
  }

  const containerOpts = { ...opts, dependsOn: [blobService] };
  for (const containerName of Object.values(CONTAINERS)) {
    const isArchive = containerName === CONTAINERS.archive;
    const container = new storage.BlobContainer(
      `${code}-container-${containerName}`,
      {
        ...accountRef,
        containerName,
        ...(isArchive && versionLevel ? { immutableStorageWithVersioning: { enabled: true } } : {}),
      },
      containerOpts,
    );
    if (isArchive && args.immutability.mode !== 'none') {
      new storage.BlobContainerImmutabilityPolicy(
        `${code}-archive-immutability`,
        {
          ...accountRef,
          containerName: container.name,
          immutabilityPolicyName: 'default',
          immutabilityPeriodSinceCreationInDays: args.immutability.retentionDays,
          // Segments are block blobs that grow by Put Block + Put Block List: committing new blocks must
          // stay possible while every committed block is protected. Created unlocked: locking is an
          // operator's decision (see infra/README.md), and a locked policy can only be extended.
          allowProtectedAppendWritesAll: true,
        },
        opts,
      );
    }
  }

  new storage.ManagementPolicy(
    `${code}-lifecycle`,
    { ...accountRef, managementPolicyName: 'default', policy: args.managementPolicy },
    opts,
  );

  const runtimeAccount = new storage.StorageAccount(
    `${code}-runtime-storage`,
    {
      accountName: names.runtimeStorage,
      resourceGroupName,
      location,
      kind: 'StorageV2',
      // Host state is rebuilt by the runtime; it needs no geo-replication.
      sku: { name: 'Standard_LRS' },
      accessTier: 'Hot',
    },
    opts,
  );
  const deploymentContainer = new storage.BlobContainer(
    `${code}-container-${DEPLOYMENT_CONTAINER}`,
    { accountName: runtimeAccount.name, resourceGroupName, containerName: DEPLOYMENT_CONTAINER },
    opts,
  );

  return {
    account,
    blobServiceUri: account.primaryEndpoints.blob,
    tableServiceUri: account.primaryEndpoints.table,
    runtimeAccount,
    deploymentContainerUrl: pulumi.interpolate`${runtimeAccount.primaryEndpoints.blob}${deploymentContainer.name}`,
  };
}
