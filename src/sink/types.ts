import type { EventOutcome } from '../pipeline/delivered';

/** An event on its way into the hub: its exact bytes and the key that picks its partition. */
export interface OutgoingEvent {
  body: Uint8Array;
  partitionKey: string | undefined;
}

/**
 * What became of one published event. `queued` marks an event handed to Event Hubs whose ingest outcome is
 * decided later by the ingest function (its sequence number is then unknown to the publisher).
 */
export type PublishOutcome = Omit<EventOutcome, 'sequenceNumber'> & {
  partitionId?: string;
  sequenceNumber?: number;
  queued?: boolean;
};

/**
 * Where POST /api/events puts events. Locally, a hub that feeds the ingest handler and answers with each
 * event's outcome once it is durable; in Azure, Event Hubs itself (the outcome is then "accepted" into the
 * hub, and the ingest function decides duplicates and dead letters).
 */
export interface EventSink {
  publish(events: readonly OutgoingEvent[]): Promise<PublishOutcome[]>;
}
