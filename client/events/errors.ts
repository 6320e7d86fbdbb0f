import type { Rejection } from '../../src/schema/parse';

/**
 * An event the ingest pipeline would refuse, caught before it is sent. `rejection` is exactly what
 * the pipeline's parseEvent reports (code, JSON pointer, message); docs/schema.md lists the codes.
 */
export class InvalidAuditEventError extends Error {
  constructor(
    readonly rejection: Rejection,
    readonly eventType: string | undefined,
    readonly eventId: string | undefined,
  ) {
    super(
      `invalid audit event${eventType === undefined ? '' : ` ${eventType}`}${eventId === undefined ? '' : ` ${eventId}`}: ${rejection.message} (${rejection.code})`,
    );
    this.name = 'InvalidAuditEventError';
  }
}
