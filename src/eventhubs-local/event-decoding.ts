import { message as amqpMessage, type Message } from 'rhea';
import type { ReceivedEvent } from './types';

/**
 * Message format of an Event Hubs batch: one AMQP transfer whose body is a sequence of data
 * sections, each holding one complete encoded AMQP message (an event). @azure/event-hubs sends
 * everything this way, even a single event.
 */
export const BATCH_MESSAGE_FORMAT = 0x80013700;

export const PARTITION_KEY_ANNOTATION = 'x-opt-partition-key';

const DATA_SECTION_TYPECODE = 0x75;
const SEQUENCE_SECTION_TYPECODE = 0x76;

/** rhea keeps data/sequence bodies as instances of an internal Section class; take it from rhea itself. */
const SECTION_CLASS = (amqpMessage.data_section(Buffer.alloc(0)) as object).constructor;

interface BodySection {
  readonly typecode: number;
  readonly content: unknown;
  readonly multiple?: boolean;
}

export type DecodedEvent = Omit<
  ReceivedEvent,
  'partitionId' | 'enqueuedTimeUtc' | 'sequenceNumber' | 'offset'
>;

export interface DecodedTransfer {
  /** The batch's partition key (envelope annotation, else the first event's). */
  readonly partitionKey: string | undefined;
  readonly events: DecodedEvent[];
}

export class TransferDecodeError extends Error {
  constructor(
    readonly condition: 'amqp:decode-error' | 'amqp:not-implemented',
    message: string,
  ) {
    super(message);
    this.name = 'TransferDecodeError';
  }
}

/**
 * Turns one received transfer into the events it carries.
 * `payload` is what rhea hands over: a decoded Message for format 0, the raw bytes otherwise.
 */
export function decodeTransfer(format: number, payload: Message | Buffer): DecodedTransfer {
  if (format === 0) {
    const event = toDecodedEvent(payload as Message);
    return { partitionKey: event.partitionKey, events: [event] };
  }
  if (format !== BATCH_MESSAGE_FORMAT) {
    throw new TransferDecodeError(
      'amqp:not-implemented',
      `message format 0x${format.toString(16)} is not supported; send format 0 or the Event Hubs batch format 0x80013700`,
    );
  }
  if (!Buffer.isBuffer(payload)) {
    throw new TransferDecodeError('amqp:decode-error', 'the batch transfer carried no bytes');
  }
  const envelope = decodeMessage(payload, 'the batch envelope');
  const body = asBodySection(envelope.body);
  if (body === undefined || body.typecode !== DATA_SECTION_TYPECODE) {
    throw new TransferDecodeError(
      'amqp:decode-error',
      'the batch envelope body is not a sequence of data sections',
    );
  }
  const encodedEvents = body.multiple ? (body.content as unknown[]) : [body.content];
  const events = encodedEvents.map((encoded, index) => {
    if (!Buffer.isBuffer(encoded)) {
      throw new TransferDecodeError(
        'amqp:decode-error',
        `data section ${index} of the batch envelope holds no bytes`,
      );
    }
    return toDecodedEvent(decodeMessage(encoded, `event ${index} of the batch`));
  });
  return { partitionKey: partitionKeyOf(envelope) ?? events[0]?.partitionKey, events };
}

function decodeMessage(bytes: Buffer, what: string): Message {
  try {
    // rhea's typings give decode() a looser Message type than the one its events carry.
    return amqpMessage.decode(bytes) as unknown as Message;
  } catch (error) {
    throw new TransferDecodeError(
      'amqp:decode-error',
      `${what} is not a valid AMQP message: ${(error as Error).message}`,
    );
  }
}

function toDecodedEvent(message: Message): DecodedEvent {
  const event: DecodedEvent = {
    body: bodyBytes(message.body),
    properties: { ...(message.application_properties ?? {}) },
  };
  const partitionKey = partitionKeyOf(message);
  if (partitionKey !== undefined) event.partitionKey = partitionKey;
  if (message.content_type !== undefined && message.content_type !== null) {
    event.contentType = String(message.content_type);
  }
  const messageId = messageIdText(message.message_id);
  if (messageId !== undefined) event.messageId = messageId;
  return event;
}

function partitionKeyOf(message: Message): string | undefined {
  const value: unknown = message.message_annotations?.[PARTITION_KEY_ANNOTATION];
  return value === undefined || value === null ? undefined : String(value);
}

function asBodySection(body: unknown): BodySection | undefined {
  return body instanceof SECTION_CLASS ? (body as BodySection) : undefined;
}

/** Data sections keep their exact bytes (several sections are concatenated); anything else is JSON. */
function bodyBytes(body: unknown): Uint8Array {
  const section = asBodySection(body);
  if (section?.typecode === DATA_SECTION_TYPECODE) {
    const parts = (section.multiple ? (section.content as unknown[]) : [section.content]).map(
      (part) => (Buffer.isBuffer(part) ? part : Buffer.alloc(0)),
    );
    // Copy: rhea's buffers may be slices of the whole frame.
    return new Uint8Array(Buffer.concat(parts));
  }
  if (section?.typecode === SEQUENCE_SECTION_TYPECODE) {
    return jsonBytes(section.content);
  }
  if (body === undefined) {
    return new Uint8Array(0);
  }
  return jsonBytes(body);
}

function jsonBytes(value: unknown): Uint8Array {
  return new Uint8Array(Buffer.from(JSON.stringify(toJsonCompatible(value)) ?? 'null', 'utf8'));
}

/** Binary becomes base64 text, Dates ISO text, Maps objects: JSON has no such types. */
function toJsonCompatible(value: unknown): unknown {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    return Buffer.from(value).toString('base64');
  }
  if (value instanceof Date) {
    return value.toISOString();
  }
  if (typeof value === 'bigint') {
    return value.toString();
  }
  if (Array.isArray(value)) {
    return value.map(toJsonCompatible);
  }
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonCompatible(v)]));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonCompatible(v)]));
  }
  return value;
}

function messageIdText(id: unknown): string | undefined {
  if (id === undefined || id === null) return undefined;
  if (typeof id === 'string') return id;
  if (typeof id === 'number' || typeof id === 'bigint') return id.toString();
  if (Buffer.isBuffer(id)) {
    // rhea encodes a Buffer message-id as an AMQP uuid, and decodes a uuid back to 16 bytes.
    return id.length === 16 ? formatUuid(id) : id.toString('hex');
  }
  return String(id);
}

function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
