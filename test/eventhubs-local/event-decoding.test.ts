/**
 * Decoding of transfers received by the local Event Hubs endpoint (a local AMQP endpoint speaking
 * the Event Hubs protocol, not Azure). Batches are built the way @azure/event-hubs builds them:
 * an envelope whose data sections are whole encoded messages.
 */
import { message as amqpMessage, type Message } from 'rhea';
import {
  BATCH_MESSAGE_FORMAT,
  decodeTransfer,
  TransferDecodeError,
} from '../../src/eventhubs-local/event-decoding';

function batch(events: object[], envelopeAnnotations?: Record<string, unknown>): Buffer {
  const envelope: Record<string, unknown> = {
    body: amqpMessage.data_sections(events.map((event) => amqpMessage.encode(event))),
  };
  if (envelopeAnnotations !== undefined) envelope.message_annotations = envelopeAnnotations;
  return amqpMessage.encode(envelope);
}

describe('decodeTransfer', () => {
  it('splits a batch into its events, keeping data bytes, properties and ids', () => {
    const transfer = decodeTransfer(
      BATCH_MESSAGE_FORMAT,
      batch(
        [
          {
            body: amqpMessage.data_section(Buffer.from([0, 1, 255])),
            message_id: 'm-1',
            content_type: 'application/octet-stream',
            application_properties: { tenantid: 't1' },
            message_annotations: { 'x-opt-partition-key': 'k' },
          },
          { body: amqpMessage.data_section(Buffer.from('{}')) },
        ],
        { 'x-opt-partition-key': 'k' },
      ),
    );
    expect(transfer).toEqual({
      partitionKey: 'k',
      events: [
        {
          body: new Uint8Array([0, 1, 255]),
          messageId: 'm-1',
          contentType: 'application/octet-stream',
          properties: { tenantid: 't1' },
          partitionKey: 'k',
        },
        { body: new Uint8Array(Buffer.from('{}')), properties: {} },
      ],
    });
  });

  it('reads a batch of one event (a single data section)', () => {
    const transfer = decodeTransfer(
      BATCH_MESSAGE_FORMAT,
      amqpMessage.encode({
        body: amqpMessage.data_section(
          amqpMessage.encode({ body: amqpMessage.data_section(Buffer.from('x')) }),
        ),
      }),
    );
    expect(transfer.events.map((event) => Buffer.from(event.body).toString())).toEqual(['x']);
  });

  it('takes the partition key from the first event when the envelope has none', () => {
    const transfer = decodeTransfer(
      BATCH_MESSAGE_FORMAT,
      batch([{ body: 'a', message_annotations: { 'x-opt-partition-key': 'inner' } }]),
    );
    expect(transfer.partitionKey).toBe('inner');
  });

  it('treats a format-0 message as a single event', () => {
    const message = { body: { hello: 'world' }, message_id: 12 } as unknown as Message;
    expect(decodeTransfer(0, message)).toEqual({
      partitionKey: undefined,
      events: [
        { body: new Uint8Array(Buffer.from('{"hello":"world"}')), messageId: '12', properties: {} },
      ],
    });
  });

  it("gives an event with a null data section (the SDK's undefined body) an empty body", () => {
    const transfer = decodeTransfer(
      BATCH_MESSAGE_FORMAT,
      batch([{ body: amqpMessage.data_section(null) }]),
    );
    expect(transfer.events[0]?.body).toEqual(new Uint8Array(0));
  });

  it('gives an event with an amqp-value null body the JSON text null', () => {
    const transfer = decodeTransfer(BATCH_MESSAGE_FORMAT, batch([{ body: null }]));
    expect(Buffer.from(transfer.events[0]!.body).toString()).toBe('null');
  });

  it('refuses another message format', () => {
    expect(() => decodeTransfer(0x1234, Buffer.alloc(0))).toThrow(
      new TransferDecodeError(
        'amqp:not-implemented',
        'message format 0x1234 is not supported; send format 0 or the Event Hubs batch format 0x80013700',
      ),
    );
  });

  it('refuses a batch envelope whose body is not data sections', () => {
    expect(() =>
      decodeTransfer(BATCH_MESSAGE_FORMAT, amqpMessage.encode({ body: 'not sections' })),
    ).toThrow('the batch envelope body is not a sequence of data sections');
  });

  it('refuses a data section that is not an AMQP message', () => {
    const envelope = amqpMessage.encode({ body: amqpMessage.data_sections([Buffer.from([0xff])]) });
    expect(() => decodeTransfer(BATCH_MESSAGE_FORMAT, envelope)).toThrow(
      /^event 0 of the batch is not a valid AMQP message: /,
    );
  });
});
