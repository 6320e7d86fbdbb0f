import { BlobServiceClient, type BlobItem, type ContainerClient } from '@azure/storage-blob';
import shippedPolicyJson from '../../lifecycle/policy.json';
import {
  blobTagsFor,
  evaluateLifecycle,
  loadRetentionPolicy,
  type BlobFacts,
  type BlobTier,
} from '../../lifecycle';
import { azuriteConnectionString } from '../support/env';
import { applyEdits } from './fixtures';

// Azurite runs no lifecycle policies: the project evaluates them itself. This checks that the facts
// Azurite reports (tier, times, index tags) are the facts the evaluator expects, and that its
// actions can be carried out there.

// The shipped policy, with its sandbox rule pointed at a tenant no other suite writes: the
// container is shared with every suite of the run, so this one only lists its own tenants.
const TENANT_PREFIX = 'lifecycle-';
const policyJson = structuredClone(shippedPolicyJson);
applyEdits(policyJson, { 'assignment.rules.0.tenants': [`${TENANT_PREFIX}sandbox`] });
const policy = loadRetentionPolicy(policyJson);
const DAY_MS = 86_400_000;

function factsOf(container: string, item: BlobItem): BlobFacts {
  const { properties } = item;
  return {
    container,
    name: item.name,
    tier: (properties.accessTier ?? 'Hot') as BlobTier,
    createdOn: properties.createdOn ?? properties.lastModified,
    lastModified: properties.lastModified,
    ...(properties.accessTierChangedOn === undefined
      ? {}
      : { tierChangedOn: properties.accessTierChangedOn }),
    tags: item.tags ?? {},
    sizeBytes: properties.contentLength ?? 0,
  };
}

async function listFacts(container: ContainerClient): Promise<BlobFacts[]> {
  const facts: BlobFacts[] = [];
  for await (const item of container.listBlobsFlat({ includeTags: true, prefix: TENANT_PREFIX })) {
    facts.push(factsOf(container.containerName, item));
  }
  return facts;
}

describe('the evaluator against blobs in Azurite', () => {
  let container: ContainerClient;

  beforeAll(async () => {
    const service = BlobServiceClient.fromConnectionString(azuriteConnectionString());
    container = service.getContainerClient('audit-archive');
    await container.createIfNotExists();
    const hour = new Date('2026-01-01T00:00:00Z');
    const segments: [string, string[]][] = [
      ['lifecycle-contoso/0/2026/01/01/00.seg', ['com.sqlmcp.tool.invoked']],
      [
        'lifecycle-contoso/0/2026/01/01/01.seg',
        ['com.sqlmcp.tool.invoked', 'com.sqlmcp.auth.failed'],
      ],
      ['lifecycle-sandbox/0/2026/01/01/00.seg', ['com.sqlmcp.tool.invoked']],
    ];
    for (const [name, eventTypes] of segments) {
      await container.getBlockBlobClient(name).upload('segment', 7, {
        tags: blobTagsFor(policy, name.split('/')[0] as string, { hourStart: hour, eventTypes }),
      });
    }
  });

  it('reads back the retention tags the writer set', async () => {
    const tags = (await listFacts(container)).map((blob) => [blob.name, blob.tags]);
    expect(tags).toEqual([
      ['lifecycle-contoso/0/2026/01/01/00.seg', { retention: 'standard' }],
      ['lifecycle-contoso/0/2026/01/01/01.seg', { retention: 'long' }],
      ['lifecycle-sandbox/0/2026/01/01/00.seg', { retention: 'short' }],
    ]);
  });

  it('carries out the actions due 100 days after upload', async () => {
    const blobs = await listFacts(container);
    const later = new Date(
      Math.max(...blobs.map((blob) => blob.lastModified.getTime())) + 100 * DAY_MS,
    );
    const actions = evaluateLifecycle(policy, blobs, later);
    expect(actions.map((action) => [action.blob.name, action.action])).toEqual([
      ['lifecycle-contoso/0/2026/01/01/00.seg', 'tierToCold'],
      ['lifecycle-contoso/0/2026/01/01/01.seg', 'tierToCold'],
      ['lifecycle-sandbox/0/2026/01/01/00.seg', 'delete'],
    ]);
    for (const action of actions) {
      const blob = container.getBlockBlobClient(action.blob.name);
      if (action.action === 'delete') await blob.delete();
      else await blob.setAccessTier('Cold');
    }
    const after = await listFacts(container);
    expect(after.map((blob) => [blob.name, blob.tier])).toEqual([
      ['lifecycle-contoso/0/2026/01/01/00.seg', 'Cold'],
      ['lifecycle-contoso/0/2026/01/01/01.seg', 'Cold'],
    ]);
    expect(after.every((blob) => blob.tierChangedOn !== undefined)).toBe(true);
  });
});
