import { parseEvent } from '../../src/schema/parse';
import type { AuditEvent } from '../../src/schema/types';
import { InvalidAuditEventError } from './errors';

/** An event together with the exact bytes that will be sent, both checked by the pipeline's parser. */
export interface EncodedEvent {
  event: AuditEvent;
  body: Buffer;
}

/**
 * Serializes `value` as the JSON body Event Hubs will carry and validates those bytes with the same
 * parseEvent the ingest function runs, so a producer learns at once about an event the pipeline would
 * dead-letter. JSON.stringify drops undefined members and turns NaN into null (which the schema then
 * refuses), so what is validated is what is sent.
 *
 * Throws InvalidAuditEventError with the pipeline's rejection.
 */
export function encodeEvent(value: unknown): EncodedEvent {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidAuditEventError(
      {
        code: 'invalid-json',
        pointer: '',
        message: `event body: must be JSON (${(error as Error).message})`,
      },
      attribute(value, 'type'),
      attribute(value, 'id'),
    );
  }
  const body = Buffer.from(text ?? 'undefined', 'utf8');
  const parsed = parseEvent(body);
  if (!parsed.ok) {
    throw new InvalidAuditEventError(
      parsed.rejection,
      attribute(value, 'type'),
      attribute(value, 'id'),
    );
  }
  return { event: parsed.event, body };
}

function attribute(value: unknown, name: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const found = (value as Record<string, unknown>)[name];
  return typeof found === 'string' ? found : undefined;
}
