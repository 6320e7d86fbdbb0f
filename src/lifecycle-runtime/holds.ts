import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import {
  isActiveHold,
  RetentionPolicyError,
  type HeldEvent,
  type HoldScope,
  type LegalHold,
  type RetentionPolicy,
  type ValidationIssue,
} from '../../lifecycle';
import type { EventSink } from '../sink/types';
import { statusOf } from '../store/errors';
import { findByEventId } from '../store/identity-claims';
import { listTenants } from '../store/tenants';
import type { ClassifiedContainers } from './blob-facts';
import { recordHoldChanges, type RecordedHoldEvent } from './hold-events';
import {
  HoldConflictError,
  insertHold,
  listStoredHolds,
  markRecorded,
  holdState,
  markTagsApplied,
  policyWithHolds,
  readStoredHold,
  releaseStoredHold,
  sameHold,
  tagsPending,
  unrecordedChanges,
  type StoredHold,
} from './holds-store';
import { retagForHolds, type RetagReport } from './retag';

/** What placing, lifting and settling legal holds needs. */
export interface HoldsDependencies {
  readonly tables: { readonly state: TableClient; readonly ids: TableClient };
  readonly containers: ClassifiedContainers;
  /** The shipped policy (lifecycle/policy.json) the stored holds are merged into. */
  readonly basePolicy: RetentionPolicy;
  /** Where hold events go. Without one they stay unrecorded until a run that has one records them. */
  readonly sink?: EventSink;
  readonly clock: () => Date;
}

/** A request to place a hold: one tenant, a time range (of one tenant or all), or events by id. */
export interface HoldRequest {
  id?: string;
  reason: string;
  placedBy: string;
  tenant?: string;
  from?: string;
  to?: string;
  /** CloudEvents ids of events of `tenant`; their times are read from their identity claims. */
  eventIds?: string[];
}

/** A request the caller must correct; `status` is the HTTP status that says so. */
export class HoldRequestError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
    readonly issues?: readonly ValidationIssue[],
  ) {
    super(message);
    this.name = 'HoldRequestError';
  }
}

export interface SettledHold {
  hold: LegalHold;
  /** The audit events written for this change (empty when none was owed or no sink was given). */
  events: RecordedHoldEvent[];
  retagged: RetagReport | undefined;
  /** Work left for the lifecycle timer. */
  pending: { record: boolean; retag: boolean };
}

export interface ListedHold {
  hold: LegalHold;
  /** `policy`: declared in lifecycle/policy.json; `storage`: placed at run time. */
  source: 'policy' | 'storage';
  active: boolean;
  pending: { record: boolean; retag: boolean };
}

function generatedHoldId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `hold-${stamp}-${randomBytes(3).toString('hex')}`;
}

function requireText(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new HoldRequestError(400, 'invalid-hold', `${name} is required: a non-empty string`);
  }
  return value.trim();
}

/** The time of each event, from its identity claim (whose row key starts with the event time). */
async function heldEvents(
  ids: TableClient,
  tenant: string,
  eventIds: readonly string[],
): Promise<HeldEvent[]> {
  const events: HeldEvent[] = [];
  for (const id of eventIds) {
    const claims = await findByEventId(ids, tenant, id);
    if (claims.length === 0) {
      throw new HoldRequestError(
        404,
        'unknown-event',
        `no event with id "${id}" in tenant "${tenant}": a hold by event id needs an accepted event`,
      );
    }
    for (const claim of claims) {
      events.push({ id, time: new Date(Number(claim.eventRowKey.slice(0, 15))).toISOString() });
    }
  }
  return events;
}

async function scopeOf(ids: TableClient, request: HoldRequest): Promise<HoldScope> {
  const { tenant, from, to, eventIds } = request;
  if (eventIds !== undefined) {
    if (!Array.isArray(eventIds) || eventIds.length === 0) {
      throw new HoldRequestError(
        400,
        'invalid-hold',
        'eventIds must be a non-empty list of event ids',
      );
    }
    if (tenant === undefined) {
      throw new HoldRequestError(400, 'invalid-hold', 'a hold by event id needs tenant');
    }
    if (from !== undefined || to !== undefined) {
      throw new HoldRequestError(400, 'invalid-hold', 'give either eventIds or from/to, not both');
    }
    return {
      tenant,
      events: await heldEvents(
        ids,
        tenant,
        eventIds.map((id) => requireText(id, 'eventIds[]')),
      ),
    };
  }
  return {
    ...(tenant === undefined ? {} : { tenant }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  };
}

/** The shipped policy merged with every stored hold, validated. */
export async function effectivePolicy(
  deps: Pick<HoldsDependencies, 'tables' | 'basePolicy'>,
): Promise<{ policy: RetentionPolicy; stored: StoredHold[] }> {
  const stored = await listStoredHolds(deps.tables.state);
  return {
    policy: policyWithHolds(
      deps.basePolicy,
      stored.map((entry) => entry.hold),
    ),
    stored,
  };
}

function validated(base: RetentionPolicy, holds: readonly LegalHold[]): RetentionPolicy {
  try {
    return policyWithHolds(base, holds);
  } catch (error) {
    if (error instanceof RetentionPolicyError) {
      throw new HoldRequestError(400, 'invalid-hold', error.message, error.issues);
    }
    throw error;
  }
}

/**
 * Completes what a hold's latest change still owes, in this order: re-tag the blobs it covers (what
 * actually protects them from deletion), then record the change in the audit log. Each step is
 * marked done in the hold's row, so an interrupted settlement is finished by the next call.
 */
export async function settleHold(
  deps: HoldsDependencies,
  policy: RetentionPolicy,
  stored: StoredHold,
): Promise<SettledHold> {
  let retagged: RetagReport | undefined;
  if (tagsPending(stored)) {
    retagged = await retagForHolds(deps.containers, policy, [stored.hold.scope]);
    await markTagsApplied(deps.tables.state, stored.hold.id, holdState(stored.hold));
  }
  const changes = unrecordedChanges(stored);
  let events: RecordedHoldEvent[] = [];
  if (changes.length > 0 && deps.sink !== undefined) {
    const tenants =
      stored.hold.scope.tenant !== undefined
        ? [stored.hold.scope.tenant]
        : await listTenants(deps.tables.state);
    events = await recordHoldChanges(deps.sink, stored.hold, changes, tenants);
    await markRecorded(deps.tables.state, stored.hold.id, holdState(stored.hold));
  }
  return {
    hold: stored.hold,
    events,
    retagged,
    pending: { record: changes.length > 0 && deps.sink === undefined, retag: false },
  };
}

const SWEEP_PARTITION = 'lifecycle';
const SWEEP_ROW = 'holdsweep';
const DAY_MS = 86_400_000;

/**
 * Re-applies every active hold to the blobs it covers, at most once per `everyMs` (a day by
 * default). Segments written after a hold was placed are tagged by the ingest path from the shipped
 * policy, which does not know holds placed at run time; this sweep marks them held well before any
 * deletion day (the shortest class keeps data 90 days). Returns undefined when no sweep was due.
 */
export async function sweepActiveHolds(
  deps: Pick<HoldsDependencies, 'tables' | 'containers'>,
  policy: RetentionPolicy,
  now: Date,
  everyMs: number = DAY_MS,
): Promise<RetagReport | undefined> {
  let last: number | undefined;
  try {
    const row = await deps.tables.state.getEntity<{ sweptAt: string }>(SWEEP_PARTITION, SWEEP_ROW);
    last = Date.parse(row.sweptAt);
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  // A clock set back (a run with an earlier --now) sweeps again rather than waiting.
  if (last !== undefined && now.getTime() >= last && now.getTime() - last < everyMs) {
    return undefined;
  }
  const scopes = policy.legalHolds.filter(isActiveHold).map((hold) => hold.scope);
  const report = await retagForHolds(deps.containers, policy, scopes);
  await deps.tables.state.upsertEntity(
    { partitionKey: SWEEP_PARTITION, rowKey: SWEEP_ROW, sweptAt: now.toISOString() },
    'Replace',
  );
  return report;
}

/** Settles every stored hold that still owes work (the lifecycle timer's part). */
export async function settlePendingHolds(
  deps: HoldsDependencies,
  policy: RetentionPolicy,
  stored: readonly StoredHold[],
): Promise<SettledHold[]> {
  const settled: SettledHold[] = [];
  for (const entry of stored) {
    if (!tagsPending(entry) && unrecordedChanges(entry).length === 0) continue;
    settled.push(await settleHold(deps, policy, entry));
  }
  return settled;
}

/**
 * Places a legal hold: stores it, re-tags the blobs it covers and records the change as an audit
 * event. Repeating the same request (same id) settles the existing hold instead of failing.
 * @throws HoldRequestError for a request to correct (invalid, unknown event, id taken).
 */
export async function placeHold(
  deps: HoldsDependencies,
  request: HoldRequest,
): Promise<SettledHold & { created: boolean }> {
  const now = deps.clock();
  const hold: LegalHold = {
    id: request.id === undefined ? generatedHoldId(now) : requireText(request.id, 'id'),
    reason: requireText(request.reason, 'reason'),
    placedBy: requireText(request.placedBy, 'placedBy'),
    placedAt: now.toISOString(),
    scope: await scopeOf(deps.tables.ids, request),
  };
  if (deps.basePolicy.legalHolds.some((declared) => declared.id === hold.id)) {
    throw new HoldRequestError(
      409,
      'hold-exists',
      `hold id "${hold.id}" is declared in lifecycle/policy.json; choose another id`,
    );
  }
  const stored = await listStoredHolds(deps.tables.state);
  const existing = stored.find((entry) => entry.hold.id === hold.id);
  if (existing !== undefined && !sameHold(existing.hold, hold)) {
    throw new HoldRequestError(409, 'hold-exists', new HoldConflictError(existing).message);
  }
  const others = stored.filter((entry) => entry.hold.id !== hold.id).map((entry) => entry.hold);
  const policy = validated(deps.basePolicy, [...others, existing?.hold ?? hold]);
  let saved: StoredHold;
  try {
    saved = existing ?? (await insertHold(deps.tables.state, hold));
  } catch (error) {
    if (error instanceof HoldConflictError) {
      throw new HoldRequestError(409, 'hold-exists', error.message);
    }
    throw error;
  }
  return { ...(await settleHold(deps, policy, saved)), created: existing === undefined };
}

/**
 * Lifts a stored hold: records its release, re-tags the blobs it covered (a blob past its deletion
 * day is then deleted at the next lifecycle run) and records the change as an audit event.
 * Lifting a hold already lifted settles it again. Holds declared in lifecycle/policy.json are
 * lifted there.
 */
export async function releaseHold(
  deps: HoldsDependencies,
  id: string,
  releasedBy: string,
): Promise<SettledHold> {
  const by = requireText(releasedBy, 'releasedBy');
  let stored = await readStoredHold(deps.tables.state, id);
  if (stored === undefined) {
    if (deps.basePolicy.legalHolds.some((declared) => declared.id === id)) {
      throw new HoldRequestError(
        409,
        'hold-in-policy-file',
        `hold "${id}" is declared in lifecycle/policy.json: lift it there (releasedAt, releasedBy) and redeploy`,
      );
    }
    throw new HoldRequestError(404, 'unknown-hold', `no legal hold with id "${id}"`);
  }
  if (isActiveHold(stored.hold)) {
    stored = await releaseStoredHold(deps.tables.state, stored, by, deps.clock().toISOString());
  }
  const { policy } = await effectivePolicy(deps);
  return settleHold(deps, policy, stored);
}

/** Every hold, from the policy file and from storage, with the work each still owes. */
export async function listHolds(
  deps: Pick<HoldsDependencies, 'tables' | 'basePolicy'>,
): Promise<ListedHold[]> {
  const stored = await listStoredHolds(deps.tables.state);
  return [
    ...deps.basePolicy.legalHolds.map((hold): ListedHold => ({
      hold,
      source: 'policy',
      active: isActiveHold(hold),
      pending: { record: false, retag: false },
    })),
    ...stored.map((entry): ListedHold => ({
      hold: entry.hold,
      source: 'storage',
      active: isActiveHold(entry.hold),
      pending: { record: unrecordedChanges(entry).length > 0, retag: tagsPending(entry) },
    })),
  ];
}
