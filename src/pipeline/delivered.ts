/** One event as Event Hubs delivered it: the exact body bytes and its coordinates in the hub. */
export interface DeliveredEvent {
  body: Uint8Array;
  partitionId: string;
  sequenceNumber: number;
  offset: string;
  enqueuedTime: Date;
  partitionKey?: string;
}

export type OutcomeStatus = 'accepted' | 'duplicate' | 'rejected';

/** What became of one delivered event; the HTTP ingest route answers with these. */
export interface EventOutcome {
  sequenceNumber: number;
  status: OutcomeStatus;
  eventId?: string;
  tenant?: string;
  logIndex?: number;
  /** For rejected events: why, with the JSON pointer of the bad field. */
  reason?: { code: string; pointer: string; message: string };
  /** For duplicates: a redelivery of an event already handled, or a producer retry of another delivery. */
  duplicateOf?: { partitionId: string; sequenceNumber: number };
}
