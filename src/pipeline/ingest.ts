import type { StorageClients } from '../store/clients';
import { claimIdentities, type IdentityClaim } from '../store/identity-claims';
import {
  readLogState,
  writeLogState,
  type PartitionLogState,
  type SequenceGap,
} from '../store/log-state';
import { deleteRows, submitUpserts, writeNewRows } from '../store/table-batch';
import { appendToSegment, stageFrame } from '../store/archive';
import { writeDeadLetter } from '../store/deadletter';
import { ConcurrentWriteError } from '../store/errors';
import { registerTenants } from '../store/tenants';
import type { Redactor } from '../redact';
import type { DeliveredEvent, EventOutcome } from './delivered';
import { prepareEvents, type PreparedEvent } from './prepare';
import { buildWriteSet, type Retention, type WriteSet } from './write-set';

export interface IngestDependencies {
  clients: StorageClients;
  /** Redaction for the event's tenant (the redactor picks the tenant's rules itself). */
  redact: Redactor;
  clock: () => Date;
  /** Region whose log this deployment writes, recorded in every record when set. */
  region?: string;
  /** Retention classes and the blob index tags the lifecycle policy selects archive segments on. */
  retention: Retention;
  /**
   * Extends the Merkle frontier with the batch's leaves and persists the tree nodes proofs will need; runs
   * before the log state advances. Returns the new serialized frontier.
   */
  appendLeaves?: (
    partitionId: string,
    state: PartitionLogState,
    leafHashes: Buffer[],
  ) => Promise<string>;
  /** Tenants this process has already registered in the tenant list; only new ones cost a write. */
  knownTenants?: Set<string>;
}

/** How often a batch restarts after losing a race for its partition's log state before giving up (and throwing). */
const MAX_STATE_RACES = 10;

/**
 * Ingests one batch of one Event Hubs partition. Returns only when every event is durably accepted,
 * recognised as a duplicate, or dead-lettered; throws on any storage failure so the trigger's retry policy
 * re-runs the whole batch. Every write is idempotent on the event's coordinates and identity, and the log
 * state advances last, under its ETag: a crash or a rerun at any point loses and duplicates nothing.
 */
export async function ingestPartitionBatch(
  deps: IngestDependencies,
  partitionId: string,
  delivered: readonly DeliveredEvent[],
): Promise<EventOutcome[]> {
  const ordered = [...delivered].sort((a, b) => a.sequenceNumber - b.sequenceNumber);
  for (const item of ordered) {
    if (item.partitionId !== partitionId) {
      throw new Error(
        `event ${item.sequenceNumber} belongs to partition ${item.partitionId}, not ${partitionId}`,
      );
    }
  }
  for (let race = 1; ; race++) {
    try {
      return await attempt(deps, partitionId, ordered);
    } catch (error) {
      if (error instanceof ConcurrentWriteError && race < MAX_STATE_RACES) continue;
      throw error;
    }
  }
}

async function attempt(
  deps: IngestDependencies,
  partitionId: string,
  ordered: readonly DeliveredEvent[],
): Promise<EventOutcome[]> {
  const { clients } = deps;
  const state = await readLogState(clients.tables.state, partitionId);
  const outcomes = new Map<number, EventOutcome>();

  // Already handled by an earlier delivery of this partition: nothing to write, nothing to count again.
  const fresh: DeliveredEvent[] = [];
  for (const item of ordered) {
    if (item.sequenceNumber <= state.lastSequenceNumber) {
      outcomes.set(item.sequenceNumber, {
        sequenceNumber: item.sequenceNumber,
        status: 'duplicate',
        duplicateOf: { partitionId, sequenceNumber: item.sequenceNumber },
      });
    } else {
      fresh.push(item);
    }
  }
  if (fresh.length === 0)
    return ordered.map((item) => outcomes.get(item.sequenceNumber) as EventOutcome);

  const { prepared, rejected } = prepareEvents(fresh, deps.redact);

  // Producer retries inside this batch: the first delivery wins.
  const firstByIdentity = new Map<string, PreparedEvent>();
  const candidates: PreparedEvent[] = [];
  for (const item of prepared) {
    const key = `${item.event.tenantid}\n${item.event.source}\n${item.event.id}`;
    const first = firstByIdentity.get(key);
    if (first) {
      outcomes.set(
        item.delivered.sequenceNumber,
        duplicateOutcome(item, partitionId, first.delivered.sequenceNumber),
      );
    } else {
      firstByIdentity.set(key, item);
      candidates.push(item);
    }
  }

  // Producer retries across batches and partitions: the identity claim decides. Duplicates are rare, so
  // the batch is written as if every candidate were new while the claims are in flight: hot rows are
  // keyed by delivery coordinates and a rerun rewrites them the same (insert, or upsert where a row is
  // already there), and a staged block stays invisible until committed, so a
  // guess that turns out wrong is repaired below (or by the rerun, if this one dies first). Only what
  // cannot be taken back, the segment commits and the log state, waits for the claims.
  const claims: IdentityClaim[] = candidates.map((item) => ({
    tenant: item.event.tenantid,
    eventId: item.event.id,
    source: item.event.source,
    partitionId,
    sequenceNumber: item.delivered.sequenceNumber,
    eventPartitionKey: item.eventPartitionKey,
    eventRowKey: item.eventRowKey,
  }));
  const claiming = claimIdentities(clients.tables.ids, claims);
  const now = deps.clock();
  const guess = buildWriteSet(
    candidates,
    partitionId,
    state.nextIndex,
    deps.region,
    deps.retention,
  );
  const [claimOutcomes] = await Promise.all([
    claiming,
    ...[...guess.entities.values()].map((actions) => writeNewRows(clients.tables.events, actions)),
    ...guess.segments.map((segment) => stageFrame(clients.containers.archive, segment)),
    ...rejected.map((item) =>
      writeDeadLetter(
        clients.containers.deadletter,
        {
          tenant: item.tenant,
          partitionId,
          sequenceNumber: item.delivered.sequenceNumber,
          offset: item.delivered.offset,
          enqueuedTime: item.delivered.enqueuedTime,
          reason: item.reason,
          body: item.delivered.body,
        },
        now,
      ),
    ),
  ]);
  const accepted: PreparedEvent[] = [];
  const duplicates: PreparedEvent[] = [];
  candidates.forEach((item, i) => {
    const outcome = claimOutcomes[i];
    if (outcome?.status === 'duplicate') {
      outcomes.set(
        item.delivered.sequenceNumber,
        duplicateOutcome(item, outcome.original.partitionId, outcome.original.sequenceNumber),
      );
      duplicates.push(item);
    } else {
      accepted.push(item);
    }
  });

  let writeSet = guess;
  if (duplicates.length > 0) {
    // The guess gave duplicates rows and log indexes: remove their rows, then rewrite the batch with the
    // indexes of the events actually accepted (rows of later events move down; same keys, new content).
    writeSet = buildWriteSet(accepted, partitionId, state.nextIndex, deps.region, deps.retention);
    await deleteRows(
      clients.tables.events,
      duplicates.map((item) => ({
        partitionKey: item.eventPartitionKey,
        rowKey: item.eventRowKey,
      })),
    );
    await Promise.all(upsertAll(clients, writeSet));
  }
  await Promise.all(
    writeSet.segments.map((segment) =>
      appendToSegment(
        clients.containers.archive,
        {
          blobName: segment.blobName,
          records: segment.records,
          frame: segment.frame,
          tags: segment.tags,
        },
        { staged: writeSet === guess },
      ),
    ),
  );

  accepted.forEach((item, i) => {
    outcomes.set(item.delivered.sequenceNumber, {
      sequenceNumber: item.delivered.sequenceNumber,
      status: 'accepted',
      eventId: item.event.id,
      tenant: item.event.tenantid,
      logIndex: writeSet.indexes[i] as number,
    });
  });
  for (const item of rejected) {
    outcomes.set(item.delivered.sequenceNumber, {
      sequenceNumber: item.delivered.sequenceNumber,
      status: 'rejected',
      ...(item.tenant === undefined ? {} : { tenant: item.tenant }),
      reason: item.reason,
    });
  }

  const newTenants = new Set(
    accepted.map((item) => item.event.tenantid).filter((t) => !deps.knownTenants?.has(t)),
  );
  if (newTenants.size > 0) {
    await registerTenants(clients.tables.state, newTenants, now);
    for (const tenant of newTenants) deps.knownTenants?.add(tenant);
  }

  const frontier =
    deps.appendLeaves && writeSet.leafHashes.length > 0
      ? await deps.appendLeaves(partitionId, state, writeSet.leafHashes)
      : state.frontier;
  const lastFresh = fresh[fresh.length - 1] as DeliveredEvent;
  const duplicatesNow = fresh.length - accepted.length - rejected.length;
  const next: PartitionLogState = {
    ...state,
    nextIndex: state.nextIndex + accepted.length,
    lastSequenceNumber: lastFresh.sequenceNumber,
    accepted: state.accepted + accepted.length,
    duplicates: state.duplicates + duplicatesNow,
    deadLettered: state.deadLettered + rejected.length,
    gaps: [...state.gaps, ...sequenceGaps(state.lastSequenceNumber, fresh, now)],
    frontier,
    lastIngestAt: now.toISOString(),
  };
  await writeLogState(clients.tables.state, state, next);
  return ordered.map((item) => outcomes.get(item.sequenceNumber) as EventOutcome);
}

function duplicateOutcome(
  item: PreparedEvent,
  partitionId: string,
  sequenceNumber: number,
): EventOutcome {
  return {
    sequenceNumber: item.delivered.sequenceNumber,
    status: 'duplicate',
    eventId: item.event.id,
    tenant: item.event.tenantid,
    duplicateOf: { partitionId, sequenceNumber },
  };
}

/**
 * Sequence numbers this consumer never saw, recorded rather than ignored (a hub's retention expiring
 * before the consumer caught up, or a consumer starting at the latest offset). The first batch a partition
 * ever sees starts the log wherever it starts.
 */
function sequenceGaps(
  lastHandled: number,
  fresh: readonly DeliveredEvent[],
  now: Date,
): SequenceGap[] {
  const gaps: SequenceGap[] = [];
  let previous = lastHandled;
  for (const item of fresh) {
    if (previous >= 0 && item.sequenceNumber > previous + 1) {
      gaps.push({ from: previous + 1, to: item.sequenceNumber - 1, detectedAt: now.toISOString() });
    }
    previous = item.sequenceNumber;
  }
  return gaps;
}

function upsertAll(clients: StorageClients, writeSet: WriteSet): Promise<void>[] {
  return [...writeSet.entities.values()].map((actions) =>
    submitUpserts(clients.tables.events, actions),
  );
}
