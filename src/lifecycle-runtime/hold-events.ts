import type { LegalHold } from '../../lifecycle';
import type { EventSink, PublishOutcome } from '../sink/types';

/**
 * Placing or lifting a legal hold is itself audited: a `com.sqlmcp.config.changed` event per tenant
 * the hold covers, published through the same sink as every other event, so it is validated,
 * hashed into the log and covered by checkpoints like any tool call.
 *
 * Event ids are derived from the hold id and the change, so publishing again (a retried request, or
 * the lifecycle timer completing an interrupted one) is recognised as a duplicate, never a second record.
 */

export const HOLD_EVENT_SOURCE = '/sql-mcp-audit/lifecycle';
export const HOLD_CONFIG_KEY_PREFIX = 'legalHolds.';

export type HoldChange = 'placed' | 'released';

/** A hold event the pipeline refused: the event this code builds is invalid, which is a defect. */
export class HoldEventRejectedError extends Error {
  constructor(
    readonly holdId: string,
    readonly tenant: string | undefined,
    readonly reason: unknown,
  ) {
    super(
      `the audit event for legal hold ${holdId} (tenant ${tenant ?? 'unknown'}) was rejected: ${JSON.stringify(reason)}`,
    );
    this.name = 'HoldEventRejectedError';
  }
}

/** The CloudEvent recording one change of a hold, for one tenant. */
export function holdChangeEvent(
  hold: LegalHold,
  change: HoldChange,
  tenant: string,
): Record<string, unknown> {
  const placed: LegalHold = {
    id: hold.id,
    reason: hold.reason,
    placedBy: hold.placedBy,
    placedAt: hold.placedAt,
    scope: hold.scope,
  };
  const actor = change === 'placed' ? hold.placedBy : (hold.releasedBy ?? hold.placedBy);
  return {
    specversion: '1.0',
    id: `legalhold-${hold.id}-${change}`,
    source: HOLD_EVENT_SOURCE,
    type: 'com.sqlmcp.config.changed',
    time: change === 'placed' ? hold.placedAt : (hold.releasedAt ?? hold.placedAt),
    subject: `legalhold/${hold.id}`,
    datacontenttype: 'application/json',
    tenantid: tenant,
    data: {
      actor: { id: actor, type: 'user' },
      config: {
        key: `${HOLD_CONFIG_KEY_PREFIX}${hold.id}`,
        oldValue: change === 'placed' ? null : placed,
        newValue: change === 'placed' ? placed : hold,
      },
    },
  };
}

export interface RecordedHoldEvent {
  tenant: string;
  change: HoldChange;
  /** `accepted` the first time, `duplicate` when it was recorded before. */
  status: PublishOutcome['status'];
}

/**
 * Publishes the events of `changes` for every tenant and resolves once the sink has them durably.
 * @throws HoldEventRejectedError when the pipeline rejects one (nothing is retried then).
 */
export async function recordHoldChanges(
  sink: EventSink,
  hold: LegalHold,
  changes: readonly HoldChange[],
  tenants: readonly string[],
): Promise<RecordedHoldEvent[]> {
  const planned = changes.flatMap((change) => tenants.map((tenant) => ({ change, tenant })));
  if (planned.length === 0) return [];
  const outcomes = await sink.publish(
    planned.map(({ change, tenant }) => ({
      body: Buffer.from(JSON.stringify(holdChangeEvent(hold, change, tenant)), 'utf8'),
      partitionKey: tenant,
    })),
  );
  return planned.map(({ change, tenant }, index) => {
    const outcome = outcomes[index];
    if (outcome === undefined || outcome.status === 'rejected') {
      throw new HoldEventRejectedError(hold.id, tenant, outcome?.reason ?? 'no outcome');
    }
    return { tenant, change, status: outcome.status };
  });
}
