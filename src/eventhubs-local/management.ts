import { types as amqpTypes, type Message } from 'rhea';
import type { PartitionRuntimeState } from './partition-log';

/**
 * The `$management` node's READ operation, in the shape @azure/event-hubs parses:
 * application properties `operation: "READ"`, `name: <hub>`, `type: "com.microsoft:eventhub"`
 * (hub runtime information) or `"com.microsoft:partition"` plus `partition: <id>` (partition
 * runtime information). The reply body is an AMQP map; sequence numbers are longs and times
 * timestamps, as the service sends them.
 */

export const MANAGEMENT_OPERATION_READ = 'READ';
export const HUB_ENTITY_TYPE = 'com.microsoft:eventhub';
export const PARTITION_ENTITY_TYPE = 'com.microsoft:partition';

export interface ManagementOutcome {
  readonly statusCode: number;
  readonly statusDescription: string;
  readonly errorCondition?: string;
  readonly body?: Record<string, unknown>;
}

export interface ManagementContext {
  readonly eventHubName: string;
  readonly createdAt: Date;
  readonly partitionIds: readonly string[];
  partitionState(partitionId: string): PartitionRuntimeState | undefined;
}

export function handleManagementRequest(
  request: Message,
  context: ManagementContext,
): ManagementOutcome {
  const properties = request.application_properties ?? {};
  const operation: unknown = properties.operation;
  const type: unknown = properties.type;
  if (operation !== MANAGEMENT_OPERATION_READ) {
    return {
      statusCode: 501,
      statusDescription: `operation "${String(operation)}" is not supported by $management; only "${MANAGEMENT_OPERATION_READ}" is`,
      errorCondition: 'amqp:not-implemented',
    };
  }
  const name: unknown = properties.name;
  if (typeof name !== 'string' || name.toLowerCase() !== context.eventHubName.toLowerCase()) {
    return {
      statusCode: 404,
      statusDescription: `The messaging entity '${String(name)}' could not be found. This endpoint serves event hub '${context.eventHubName}'.`,
      errorCondition: 'amqp:not-found',
    };
  }
  if (type === HUB_ENTITY_TYPE) {
    return ok({
      name: context.eventHubName,
      type: HUB_ENTITY_TYPE,
      created_at: context.createdAt,
      partition_count: amqpTypes.wrap_int(context.partitionIds.length),
      partition_ids: [...context.partitionIds],
    });
  }
  if (type === PARTITION_ENTITY_TYPE) {
    const partitionId = String(properties.partition);
    const state = context.partitionState(partitionId);
    if (state === undefined) {
      return {
        statusCode: 400,
        statusDescription: `The specified partition '${partitionId}' is invalid for event hub '${context.eventHubName}'. It should be between 0 and ${context.partitionIds.length - 1}.`,
        errorCondition: 'com.microsoft:argument-out-of-range',
      };
    }
    return ok({
      name: context.eventHubName,
      type: PARTITION_ENTITY_TYPE,
      partition: state.partitionId,
      begin_sequence_number: amqpTypes.wrap_long(state.beginningSequenceNumber),
      last_enqueued_sequence_number: amqpTypes.wrap_long(state.lastEnqueuedSequenceNumber),
      last_enqueued_offset: state.lastEnqueuedOffset,
      last_enqueued_time_utc: state.lastEnqueuedTimeUtc,
      is_partition_empty: state.isEmpty,
    });
  }
  return {
    statusCode: 400,
    statusDescription: `entity type "${String(type)}" is not known; use "${HUB_ENTITY_TYPE}" or "${PARTITION_ENTITY_TYPE}"`,
    errorCondition: 'com.microsoft:argument-error',
  };
}

function ok(body: Record<string, unknown>): ManagementOutcome {
  return { statusCode: 200, statusDescription: 'OK', body };
}
