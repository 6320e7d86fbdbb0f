import { reconcileBlobTags, type HoldScope, type RetentionPolicy } from '../../lifecycle';
import { containerForRole, listBlobFacts, type ClassifiedContainers } from './blob-facts';

export interface RetagReport {
  /** Blobs whose tags were compared with the policy. */
  examined: number;
  /** Blobs whose tags were rewritten (held, released, or a missing retention tag repaired). */
  changed: number;
}

/** The blob name prefixes a hold's scope can touch: its tenant's, or everything. */
export function prefixesFor(scopes: readonly HoldScope[]): (string | undefined)[] {
  if (scopes.some((scope) => scope.tenant === undefined)) return [undefined];
  return [...new Set(scopes.map((scope) => `${scope.tenant as string}/`))].sort();
}

/**
 * Rewrites the tags of the classified blobs under the scopes' tenants so they say what the policy
 * (with its holds) says: `retention=<class>.held` and `legalhold=<ids>` while a hold covers a blob,
 * `retention=<class>` once none does (reconcileBlobTags). Setting tags does not change a blob's
 * last-modified time, so the tiering schedule is unaffected.
 */
export async function retagForHolds(
  containers: ClassifiedContainers,
  policy: RetentionPolicy,
  scopes: readonly HoldScope[],
): Promise<RetagReport> {
  const report: RetagReport = { examined: 0, changed: 0 };
  if (scopes.length === 0) return report;
  for (const prefix of prefixesFor(scopes)) {
    for (const blob of await listBlobFacts(containers, prefix)) {
      report.examined++;
      const { tags, changed } = reconcileBlobTags(policy, blob);
      if (!changed) continue;
      await containerForRole(containers, blob.container).getBlobClient(blob.name).setTags(tags);
      report.changed++;
    }
  }
  return report;
}
