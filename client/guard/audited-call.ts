import type { AuditEvent } from '../../src/schema/types';
import type { AuditProducer } from '../publish/producer';
import { describeError } from '../shared/describe-error';

/**
 * fail-closed: a call runs only when its audit event can be recorded, and its result is returned
 * only once the event is accepted by Event Hubs or written to the spool, within `timeoutMs`.
 * fail-open: the call always runs and returns; an event that is never recorded is a counted gap.
 */
export type AuditMode = 'fail-closed' | 'fail-open';

export interface AuditPolicy {
  mode: AuditMode;
  /** fail-closed: how long a call's result may wait for its audit event to be durable. */
  timeoutMs: number;
}

/** How the audited call ended, for building its event. */
export type CallOutcome<T> =
  | { status: 'returned'; value: T; durationMs: number }
  | { status: 'threw'; error: unknown; durationMs: number };

/** A fail-closed call refused because its audit event could not be recorded. */
export class AuditNotRecordedError extends Error {
  constructor(
    readonly callName: string,
    /** Whether the call ran (its result was withheld) or was refused before it ran. */
    readonly ran: boolean,
    readonly reason: string,
    readonly eventId?: string,
    override readonly cause?: unknown,
  ) {
    super(
      ran
        ? `the result of ${callName} is withheld: its audit event${eventId === undefined ? '' : ` ${eventId}`} was not recorded (${reason})`
        : `${callName} did not run: its audit event could not be recorded (${reason})`,
    );
    this.name = 'AuditNotRecordedError';
  }
}

/**
 * Runs `call` under `policy` and publishes the event `eventOf` builds from its outcome.
 *
 * fail-closed: the call is refused before it runs when the producer already knows the event
 * cannot be recorded (producer.readiness()); after it ran, its result (or its error) is passed on
 * only once the event is durable, and AuditNotRecordedError is thrown instead when that fails or
 * takes longer than `timeoutMs`. The wait never outlasts `timeoutMs`; an event still in flight then
 * may yet be recorded, so the record can show a call whose result the caller never saw.
 * fail-open: the event is published in the background and the call's own result is passed on at
 * once. In both modes, a call that ran but whose event fails to build or to be recorded is a gap
 * (producer.stats().gaps, the producer's onGap).
 */
export async function auditedCall<T>(
  producer: AuditProducer,
  policy: AuditPolicy,
  callName: string,
  call: () => Promise<T>,
  eventOf: (outcome: CallOutcome<T>) => AuditEvent,
): Promise<T> {
  if (policy.mode === 'fail-closed') {
    const readiness = producer.readiness();
    if (!readiness.ready) throw new AuditNotRecordedError(callName, false, readiness.reason);
  }
  const started = performance.now();
  let outcome: CallOutcome<T>;
  try {
    const value = await call();
    outcome = { status: 'returned', value, durationMs: performance.now() - started };
  } catch (error) {
    outcome = { status: 'threw', error, durationMs: performance.now() - started };
  }

  if (policy.mode === 'fail-open') {
    try {
      producer.record(eventOf(outcome));
    } catch (error) {
      producer.reportGap(error);
    }
  } else {
    let event: AuditEvent;
    try {
      event = eventOf(outcome);
    } catch (error) {
      producer.reportGap(error);
      throw new AuditNotRecordedError(callName, true, describeError(error), undefined, error);
    }
    await durableWithin(producer, event, policy.timeoutMs, callName);
  }
  if (outcome.status === 'threw') throw outcome.error;
  return outcome.value;
}

async function durableWithin(
  producer: AuditProducer,
  event: AuditEvent,
  timeoutMs: number,
  callName: string,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const publishing = producer.publish(event);
  try {
    const first = await Promise.race([publishing, timedOut]);
    if (first === 'timeout') {
      throw new AuditNotRecordedError(
        callName,
        true,
        `not accepted by Event Hubs or written to the spool within ${timeoutMs} ms`,
        event.id,
      );
    }
  } catch (error) {
    if (error instanceof AuditNotRecordedError) {
      // The publish goes on and may yet succeed; if it fails, the call ran without a record.
      publishing.catch((failure: unknown) => producer.reportGap(failure, event));
      throw error;
    }
    // The call ran (its result is withheld) and its event is lost: that is a gap too.
    producer.reportGap(error, event);
    throw new AuditNotRecordedError(callName, true, describeError(error), event.id, error);
  } finally {
    clearTimeout(timer);
  }
}
