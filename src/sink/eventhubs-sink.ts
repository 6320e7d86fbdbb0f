import { EventHubProducerClient, type EventData } from '@azure/event-hubs';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { SettingsError } from '../config/settings';
import { parseEvent } from '../schema/parse';
import type { EventSink, OutgoingEvent, PublishOutcome } from './types';

/**
 * The Azure sink: events go to the hub with their partition key, in SDK-sized batches; the HTTP caller
 * learns at once whether each event is valid (the ingest function dead-letters invalid ones from the hub,
 * so they are kept either way) and that it is durably in the hub.
 */
export class EventHubsSink implements EventSink {
  constructor(private readonly producer: EventHubProducerClient) {}

  async publish(events: readonly OutgoingEvent[]): Promise<PublishOutcome[]> {
    const byKey = new Map<string, { indexes: number[]; data: EventData[] }>();
    events.forEach((event, i) => {
      const key = event.partitionKey ?? '';
      const group = byKey.get(key) ?? { indexes: [], data: [] };
      group.indexes.push(i);
      group.data.push({ body: event.body, contentType: 'application/cloudevents+json' });
      byKey.set(key, group);
    });
    for (const [key, group] of byKey) {
      let batch = await this.producer.createBatch(key === '' ? {} : { partitionKey: key });
      for (const data of group.data) {
        if (!batch.tryAdd(data)) {
          await this.producer.sendBatch(batch);
          batch = await this.producer.createBatch(key === '' ? {} : { partitionKey: key });
          if (!batch.tryAdd(data))
            throw new Error('an event is larger than the largest batch Event Hubs accepts');
        }
      }
      if (batch.count > 0) await this.producer.sendBatch(batch);
    }
    return events.map((event) => {
      const parsed = parseEvent(event.body);
      if (!parsed.ok) return { status: 'rejected', reason: parsed.rejection, queued: true };
      return {
        status: 'accepted',
        eventId: parsed.event.id,
        tenant: parsed.event.tenantid,
        queued: true,
      };
    });
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}

/**
 * The connection setting the Event Hubs trigger uses (`EVENTHUB_CONNECTION`): a connection string, or
 * `EVENTHUB_CONNECTION__fullyQualifiedNamespace` for identity-based access.
 */
export function eventHubsSinkFromSettings(
  env: NodeJS.ProcessEnv,
  credential?: TokenCredential,
): EventHubsSink | undefined {
  const hub = env.EVENTHUB_NAME?.trim() || 'audit';
  const connectionString = env.EVENTHUB_CONNECTION?.trim();
  if (connectionString) {
    if (!/Endpoint=sb:\/\//i.test(connectionString)) {
      throw new SettingsError(
        'EVENTHUB_CONNECTION',
        'is not an Event Hubs connection string (expected Endpoint=sb://…)',
      );
    }
    return new EventHubsSink(new EventHubProducerClient(connectionString, hub));
  }
  const namespace = env.EVENTHUB_CONNECTION__fullyQualifiedNamespace?.trim();
  if (namespace) {
    return new EventHubsSink(
      new EventHubProducerClient(namespace, hub, credential ?? new DefaultAzureCredential()),
    );
  }
  return undefined;
}
