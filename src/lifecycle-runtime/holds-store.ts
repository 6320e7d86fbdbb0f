import type { TableClient } from '@azure/data-tables';
import {
  loadRetentionPolicy,
  type HoldScope,
  type LegalHold,
  type RetentionPolicy,
} from '../../lifecycle';
import { ConcurrentWriteError, statusOf } from '../store/errors';

/**
 * Legal holds placed at run time. lifecycle/policy.json is compiled into the build, so holds placed
 * through the API or the CLI live in the state table (`auditstate`, PartitionKey `hold`, RowKey the
 * hold id) and are merged into the shipped policy whenever the policy is evaluated
 * (policyWithHolds): the blob tags, the local evaluator and the checkpoint rule all see them.
 *
 * Each row also records the work a change of the hold still owes, so a crash between writing the
 * hold and finishing that work is completed by the lifecycle timer:
 * - `tagsApplied`: the state (`placed`, `released`) the blobs' tags were last reconciled for;
 * - `recorded`: the last change (`placed`, `released`) written to the audit log as a
 *   `com.sqlmcp.config.changed` event.
 */

const HOLD_PARTITION = 'hold';

export type RecordedChange = 'none' | 'placed' | 'released';

export interface StoredHold {
  readonly hold: LegalHold;
  /** The state of the hold the blob tags were last reconciled for. */
  readonly tagsApplied: RecordedChange;
  readonly recorded: RecordedChange;
  readonly etag: string;
}

interface HoldEntity {
  partitionKey: string;
  rowKey: string;
  reason: string;
  placedBy: string;
  placedAt: string;
  releasedAt?: string;
  releasedBy?: string;
  /** The scope as JSON: its shape varies (tenant, time range or events). */
  scope: string;
  tagsApplied: RecordedChange;
  recorded: RecordedChange;
}

/** A hold with this id exists with other content. */
export class HoldConflictError extends Error {
  constructor(readonly existing: StoredHold) {
    super(
      `a hold with id "${existing.hold.id}" already exists with another scope, reason or state; choose another id`,
    );
    this.name = 'HoldConflictError';
  }
}

function toEntity(
  hold: LegalHold,
  tagsApplied: RecordedChange,
  recorded: RecordedChange,
): HoldEntity {
  return {
    partitionKey: HOLD_PARTITION,
    rowKey: hold.id,
    reason: hold.reason,
    placedBy: hold.placedBy,
    placedAt: hold.placedAt,
    ...(hold.releasedAt === undefined ? {} : { releasedAt: hold.releasedAt }),
    ...(hold.releasedBy === undefined ? {} : { releasedBy: hold.releasedBy }),
    scope: JSON.stringify(hold.scope),
    tagsApplied,
    recorded,
  };
}

function fromEntity(entity: HoldEntity & { etag?: string }): StoredHold {
  const hold: LegalHold = {
    id: entity.rowKey,
    reason: entity.reason,
    placedBy: entity.placedBy,
    placedAt: entity.placedAt,
    ...(entity.releasedAt ? { releasedAt: entity.releasedAt } : {}),
    ...(entity.releasedBy ? { releasedBy: entity.releasedBy } : {}),
    scope: JSON.parse(entity.scope) as HoldScope,
  };
  return {
    hold,
    tagsApplied: entity.tagsApplied,
    recorded: entity.recorded,
    etag: entity.etag ?? '*',
  };
}

export async function listStoredHolds(table: TableClient): Promise<StoredHold[]> {
  const holds: StoredHold[] = [];
  const entities = table.listEntities<HoldEntity>({
    queryOptions: { filter: `PartitionKey eq '${HOLD_PARTITION}'` },
  });
  for await (const entity of entities) holds.push(fromEntity(entity));
  return holds;
}

export async function readStoredHold(
  table: TableClient,
  id: string,
): Promise<StoredHold | undefined> {
  try {
    return fromEntity(await table.getEntity<HoldEntity>(HOLD_PARTITION, id));
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** Whether two holds say the same thing (placedAt aside: a retried request is the same hold). */
export function sameHold(a: LegalHold, b: LegalHold): boolean {
  const essence = (hold: LegalHold) =>
    JSON.stringify([
      hold.id,
      hold.reason,
      hold.placedBy,
      hold.scope,
      hold.releasedAt !== undefined,
    ]);
  return essence(a) === essence(b);
}

/**
 * Stores a new hold. A hold with the same id and content already stored is returned as it is (a
 * retried request); with other content it is a HoldConflictError.
 */
export async function insertHold(table: TableClient, hold: LegalHold): Promise<StoredHold> {
  try {
    const entity = toEntity(hold, 'none', 'none');
    const response = await table.createEntity(entity);
    return fromEntity({ ...entity, etag: response.etag ?? '*' });
  } catch (error) {
    if (statusOf(error) !== 409) throw error;
  }
  const existing = await readStoredHold(table, hold.id);
  if (existing === undefined) throw new ConcurrentWriteError(`legal hold ${hold.id}`);
  if (!sameHold(existing.hold, hold)) throw new HoldConflictError(existing);
  return existing;
}

/**
 * Records the release of a stored hold, conditioned on the ETag it was read with.
 * Throws ConcurrentWriteError when the hold changed since.
 */
export async function releaseStoredHold(
  table: TableClient,
  stored: StoredHold,
  releasedBy: string,
  releasedAt: string,
): Promise<StoredHold> {
  const hold: LegalHold = { ...stored.hold, releasedAt, releasedBy };
  const entity = toEntity(hold, stored.tagsApplied, stored.recorded);
  try {
    const response = await table.updateEntity(entity, 'Replace', { etag: stored.etag });
    return fromEntity({ ...entity, etag: response.etag ?? '*' });
  } catch (error) {
    if (statusOf(error) === 412) throw new ConcurrentWriteError(`legal hold ${stored.hold.id}`);
    throw error;
  }
}

export async function markRecorded(
  table: TableClient,
  id: string,
  recorded: RecordedChange,
): Promise<void> {
  await table.updateEntity({ partitionKey: HOLD_PARTITION, rowKey: id, recorded }, 'Merge');
}

/** Notes that the blob tags reflect the hold in `state`. */
export async function markTagsApplied(
  table: TableClient,
  id: string,
  state: RecordedChange,
): Promise<void> {
  await table.updateEntity(
    { partitionKey: HOLD_PARTITION, rowKey: id, tagsApplied: state },
    'Merge',
  );
}

/** The state a hold is in: placed (active) or released. */
export function holdState(hold: LegalHold): 'placed' | 'released' {
  return hold.releasedAt === undefined ? 'placed' : 'released';
}

/** The changes of a hold not yet written to the audit log, in the order they happened. */
export function unrecordedChanges(stored: StoredHold): ('placed' | 'released')[] {
  const released = stored.hold.releasedAt !== undefined;
  switch (stored.recorded) {
    case 'none':
      return released ? ['placed', 'released'] : ['placed'];
    case 'placed':
      return released ? ['released'] : [];
    case 'released':
      return [];
  }
}

export function tagsPending(stored: StoredHold): boolean {
  return stored.tagsApplied !== holdState(stored.hold);
}

/**
 * The shipped policy with the stored holds added, validated as a whole: hold ids must be unique
 * across the file and the table, and every scope well formed.
 * @throws RetentionPolicyError naming each problem (`legalHolds.<n>.<field>: ...`).
 */
export function policyWithHolds(
  base: RetentionPolicy,
  stored: readonly LegalHold[],
): RetentionPolicy {
  if (stored.length === 0) return base;
  return loadRetentionPolicy({ ...base, legalHolds: [...base.legalHolds, ...stored] });
}
