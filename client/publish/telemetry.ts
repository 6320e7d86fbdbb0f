import { metrics, type Counter } from '@opentelemetry/api';
import { InvalidAuditEventError } from '../events/errors';
import { SpoolCorruptError, SpoolFullError, SpoolWriteError } from '../spool/errors';
import { AuditEventTooLargeError, EventHubsUnavailableError, ProducerClosedError } from './errors';

/** Why an audit event was never recorded. */
export type GapReason =
  | 'invalid'
  | 'too-large'
  | 'unavailable'
  | 'spool-full'
  | 'spool-write-failed'
  | 'spool-corrupt'
  | 'closed'
  | 'error';

/** An audit event that will never reach Event Hubs: what was lost and why. */
export interface AuditGap {
  reason: GapReason;
  error: Error;
  /** The event's id and type, when the event got far enough to have them. */
  eventId?: string;
  eventType?: string;
  at: Date;
}

export function gapReasonOf(error: unknown): GapReason {
  if (error instanceof InvalidAuditEventError) return 'invalid';
  if (error instanceof AuditEventTooLargeError) return 'too-large';
  if (error instanceof EventHubsUnavailableError) return 'unavailable';
  if (error instanceof SpoolFullError) return 'spool-full';
  if (error instanceof SpoolWriteError) return 'spool-write-failed';
  if (error instanceof SpoolCorruptError) return 'spool-corrupt';
  if (error instanceof ProducerClosedError) return 'closed';
  return 'error';
}

/** How events left the producer. */
export type Delivery = 'sent' | 'spooled' | 'replayed';

/**
 * The producer's OpenTelemetry counters. They record nothing until the application registers a
 * MeterProvider; the producer's stats() counts the same things either way.
 */
export class ProducerMetrics {
  private readonly events: Counter;
  private readonly gaps: Counter;
  private readonly rejected: Counter;

  constructor() {
    const meter = metrics.getMeter('sql-mcp-audit.client');
    this.events = meter.createCounter('sqlmcp.audit.client.events', {
      description: 'Audit events made durable, by delivery (sent, spooled, replayed)',
    });
    this.gaps = meter.createCounter('sqlmcp.audit.client.gaps', {
      description: 'Audit events that were never recorded (fail-open), by reason',
    });
    this.rejected = meter.createCounter('sqlmcp.audit.client.rejected', {
      description: 'publish() calls that failed, by reason',
    });
  }

  delivered(delivery: Delivery, count: number): void {
    if (count > 0) this.events.add(count, { delivery });
  }

  gap(reason: GapReason): void {
    this.gaps.add(1, { reason });
  }

  rejection(reason: GapReason): void {
    this.rejected.add(1, { reason });
  }
}
