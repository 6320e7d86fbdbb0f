import { startLocalEventHubs, type LocalEventHubs, type ReceivedEvent } from '../eventhubs-local';
import type { LocalHub } from './local-hub';

export interface AmqpBridgeOptions {
  port: number;
  eventHubName: string;
  hub: LocalHub;
  partitionCount: number;
  /** Next sequence number per partition, so the endpoint's partition properties agree with the log. */
  nextSequenceNumbers: ReadonlyMap<string, number>;
}

/**
 * The local AMQP Event Hubs endpoint, feeding what producers send into the local hub on the partition the
 * endpoint routed it to. The endpoint settles a delivery once its promise resolves, so a producer's send
 * succeeds only when every event of it is durably accepted, a duplicate, or dead-lettered; a storage
 * failure rejects the delivery and the producer retries.
 */
export async function startAmqpBridge(options: AmqpBridgeOptions): Promise<LocalEventHubs> {
  const initialSequenceNumbers: Record<string, number> = {};
  for (let p = 0; p < options.partitionCount; p++) {
    initialSequenceNumbers[String(p)] = options.nextSequenceNumbers.get(String(p)) ?? 0;
  }
  return startLocalEventHubs({
    port: options.port,
    eventHubName: options.eventHubName,
    partitionCount: options.partitionCount,
    initialSequenceNumbers,
    onEvents: async (batch: ReceivedEvent[]) => {
      const first = batch[0];
      if (first === undefined) return;
      await options.hub.publishToPartition(
        first.partitionId,
        batch.map((event) => ({ body: event.body, partitionKey: event.partitionKey })),
      );
    },
  });
}
