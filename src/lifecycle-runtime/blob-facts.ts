import type { BlobItem, ContainerClient } from '@azure/storage-blob';
import {
  ARCHIVE_CONTAINER,
  DEAD_LETTER_CONTAINER,
  type BlobFacts,
  type BlobTier,
} from '../../lifecycle';

/**
 * The containers the retention policy classifies, by the role the policy knows them by
 * (`audit-archive`, `audit-deadletter`). The lifecycle engine selects blobs by those names, so facts
 * carry the role's name whatever the container is actually called (tests use isolated containers).
 */
export interface ClassifiedContainers {
  readonly archive: ContainerClient;
  readonly deadletter: ContainerClient;
}

export function classifiedContainerList(
  containers: ClassifiedContainers,
): { role: string; client: ContainerClient }[] {
  return [
    { role: ARCHIVE_CONTAINER, client: containers.archive },
    { role: DEAD_LETTER_CONTAINER, client: containers.deadletter },
  ];
}

export function containerForRole(containers: ClassifiedContainers, role: string): ContainerClient {
  const found = classifiedContainerList(containers).find((entry) => entry.role === role);
  if (found === undefined) throw new Error(`no classified container plays the role "${role}"`);
  return found.client;
}

/** What the evaluator needs of a listed blob: tier, timestamps, index tags and size. */
export function blobFactsOf(role: string, item: BlobItem): BlobFacts {
  const { properties } = item;
  return {
    container: role,
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

/** Every blob of the classified containers (under `prefix` when given), with its tags. */
export async function listBlobFacts(
  containers: ClassifiedContainers,
  prefix?: string,
): Promise<BlobFacts[]> {
  const facts: BlobFacts[] = [];
  for (const { role, client } of classifiedContainerList(containers)) {
    if (!(await client.exists())) continue;
    const items = client.listBlobsFlat({
      includeTags: true,
      ...(prefix === undefined ? {} : { prefix }),
    });
    for await (const item of items) facts.push(blobFactsOf(role, item));
  }
  return facts;
}
