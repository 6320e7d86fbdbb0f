import { describeError } from '../shared/describe-error';

/** Event Hubs did not accept the events and there is no spool to keep them. */
export class EventHubsUnavailableError extends Error {
  constructor(override readonly cause: unknown) {
    super(
      `Event Hubs did not accept the event and no spool is configured (${describeError(cause)})`,
    );
    this.name = 'EventHubsUnavailableError';
  }
}

/** An event larger than an empty Event Hubs batch: it can never be sent. */
export class AuditEventTooLargeError extends Error {
  constructor(
    readonly eventId: string,
    readonly bytes: number,
    readonly maxBatchBytes: number,
  ) {
    super(
      `audit event ${eventId} (${bytes} bytes) does not fit in an empty Event Hubs batch of ${maxBatchBytes} bytes`,
    );
    this.name = 'AuditEventTooLargeError';
  }
}

/** publish() after close(). */
export class ProducerClosedError extends Error {
  constructor() {
    super('the audit producer is closed');
    this.name = 'ProducerClosedError';
  }
}
