import type { DeliveredEvent } from './delivered';

/**
 * Turns an Event Hubs trigger invocation (cardinality many) into delivered events. The payload and
 * metadata are `unknown` until checked here. The metadata arrives camel-cased: `partitionContext`
 * (`partitionId`), `sequenceNumberArray`, `offsetArray`, `enqueuedTimeUtcArray`, `partitionKeyArray`.
 */
export class TriggerMetadataError extends Error {
  constructor(message: string) {
    super(`Event Hubs trigger metadata: ${message}`);
    this.name = 'TriggerMetadataError';
  }
}

export function deliveredFromTrigger(
  messages: unknown,
  triggerMetadata: Record<string, unknown> | undefined,
): DeliveredEvent[] {
  if (!Array.isArray(messages))
    throw new TriggerMetadataError('expected an array of messages (cardinality many)');
  const metadata = triggerMetadata ?? {};
  const partitionId = partitionIdOf(metadata);
  const sequenceNumbers = arrayOf(metadata, 'sequenceNumberArray', messages.length);
  const offsets = arrayOf(metadata, 'offsetArray', messages.length);
  const enqueuedTimes = arrayOf(metadata, 'enqueuedTimeUtcArray', messages.length);
  const partitionKeys = optionalArrayOf(metadata, 'partitionKeyArray');
  return messages.map((message, i) => {
    const sequenceNumber = Number(sequenceNumbers[i]);
    if (!Number.isSafeInteger(sequenceNumber) || sequenceNumber < 0) {
      throw new TriggerMetadataError(
        `sequenceNumberArray[${i}] is not a sequence number: ${String(sequenceNumbers[i])}`,
      );
    }
    const enqueuedTime = new Date(String(enqueuedTimes[i]));
    if (Number.isNaN(enqueuedTime.getTime())) {
      throw new TriggerMetadataError(
        `enqueuedTimeUtcArray[${i}] is not a time: ${String(enqueuedTimes[i])}`,
      );
    }
    const partitionKey = partitionKeys?.[i];
    return {
      body: bodyBytes(message),
      partitionId,
      sequenceNumber,
      offset: String(offsets[i]),
      enqueuedTime,
      ...(typeof partitionKey === 'string' && partitionKey !== '' ? { partitionKey } : {}),
    };
  });
}

function partitionIdOf(metadata: Record<string, unknown>): string {
  // The exact shape of partitionContext is not documented for Node; accept the known spellings.
  const context = metadata.partitionContext as Record<string, unknown> | undefined;
  const value = context?.partitionId ?? context?.PartitionId ?? metadata.partitionId;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new TriggerMetadataError('partitionContext.partitionId is missing');
  }
  const id = String(value);
  if (!/^[0-9]{1,4}$/.test(id))
    throw new TriggerMetadataError(`partition id "${id}" is not a partition number`);
  return id;
}

function arrayOf(metadata: Record<string, unknown>, name: string, length: number): unknown[] {
  const value = metadata[name];
  if (!Array.isArray(value)) throw new TriggerMetadataError(`${name} is missing`);
  if (value.length !== length)
    throw new TriggerMetadataError(`${name} has ${value.length} entries for ${length} messages`);
  return value;
}

function optionalArrayOf(metadata: Record<string, unknown>, name: string): unknown[] | undefined {
  const value = metadata[name];
  return Array.isArray(value) ? value : undefined;
}

/**
 * The trigger is bound with dataType "binary", so bodies arrive as bytes; strings and already-parsed JSON
 * are accepted too (other bindings, older hosts) and turned back into bytes.
 */
function bodyBytes(message: unknown): Uint8Array {
  if (message instanceof Uint8Array) return message;
  if (message instanceof ArrayBuffer) return new Uint8Array(message);
  if (typeof message === 'string') return Buffer.from(message, 'utf8');
  return Buffer.from(JSON.stringify(message) ?? 'null', 'utf8');
}
