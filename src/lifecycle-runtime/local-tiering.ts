import type { TableClient } from '@azure/data-tables';
import {
  ARCHIVE_CONTAINER,
  evaluateLifecycle,
  parseSegmentName,
  type BlobTier,
  type EvaluateOptions,
  type LifecycleAction,
  type RetentionPolicy,
} from '../../lifecycle';
import { statusOf } from '../store/errors';
import { forgetSegment } from './archive-index';
import { containerForRole, listBlobFacts, type ClassifiedContainers } from './blob-facts';

/**
 * Azure's lifecycle management, carried out by the project where Azure does not run it (Azurite).
 * The actions come from evaluateLifecycle over the same generated management policy Azure would
 * apply, with the legal holds of the policy passed in: actions it reports as blocked (legal hold, or
 * early deletion under `earlyDeletion: 'defer'`) are skipped; early deletion is otherwise charged,
 * as Azure charges it, and reported.
 */

export interface PerformedAction {
  container: string;
  name: string;
  action: LifecycleAction['action'];
  /** Days still billed because the blob left Cool, Cold or Archive before the tier's minimum. */
  earlyDeletionDays?: number;
}

export interface LocalTieringReport {
  /** Every action the evaluator reported, performed or blocked. */
  actions: readonly LifecycleAction[];
  performed: PerformedAction[];
  /** Actions not performed, with the evaluator's reason (legal hold, early deletion). */
  blocked: { container: string; name: string; action: string; blockedBy: string; reason: string }[];
}

const TARGET: Readonly<Record<string, BlobTier>> = {
  tierToCool: 'Cool',
  tierToCold: 'Cold',
  tierToArchive: 'Archive',
};

/**
 * Evaluates the policy over every blob of the classified containers at `now` and performs the
 * actions that are not blocked: Set Blob Tier, or Delete Blob. A deleted archive segment is also
 * removed from the archive index. Idempotent: a blob already moved or deleted is not an error.
 */
export async function applyLocalLifecycle(
  containers: ClassifiedContainers,
  index: TableClient,
  policy: RetentionPolicy,
  now: Date,
  options: EvaluateOptions = {},
): Promise<LocalTieringReport> {
  const facts = await listBlobFacts(containers);
  const actions = evaluateLifecycle(policy, facts, now, options);
  const report: LocalTieringReport = { actions, performed: [], blocked: [] };
  for (const action of actions) {
    const { container, name } = action.blob;
    if (action.blockedBy !== undefined) {
      report.blocked.push({
        container,
        name,
        action: action.action,
        blockedBy: action.blockedBy,
        reason: action.reason,
      });
      continue;
    }
    const blob = containerForRole(containers, container).getBlobClient(name);
    if (action.action === 'delete') {
      await blob.deleteIfExists();
      const location = parseSegmentName(name);
      if (container === ARCHIVE_CONTAINER && location !== undefined) {
        await forgetSegment(index, location.tenant, name);
      }
    } else {
      try {
        await blob.setAccessTier(TARGET[action.action] as BlobTier);
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    }
    report.performed.push({
      container,
      name,
      action: action.action,
      ...(action.earlyDeletion === undefined
        ? {}
        : { earlyDeletionDays: action.earlyDeletion.chargeableDays }),
    });
  }
  return report;
}
