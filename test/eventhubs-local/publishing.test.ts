/**
 * Publishing to the local Event Hubs endpoint with the real @azure/event-hubs producers.
 * This is a local AMQP endpoint speaking the Event Hubs protocol, not Azure.
 */
import { randomBytes } from 'node:crypto';
import { partitionForKey } from '../../src/eventhubs-local';
import { bufferedProducerFor, Cleanup, producerFor, startEndpoint } from './harness';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function started(overrides = {}) {
  const { endpoint, recorder } = await startEndpoint(overrides);
  cleanup.add(endpoint);
  const producer = cleanup.add(producerFor(endpoint.connectionString));
  return { endpoint, recorder, producer };
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8');
}

describe('a producer sending to the local endpoint', () => {
  it('delivers a single event with its body, properties, content type and message id', async () => {
    const { recorder, producer } = await started();
    const before = Date.now();
    await producer.sendBatch(
      [
        {
          body: { id: 'e-1', type: 'com.sqlmcp.tool.invoked' },
          contentType: 'application/cloudevents+json',
          messageId: 'msg-1',
          properties: { tenantid: 't1', attempt: 2, replay: false },
        },
      ],
      { partitionId: '1' },
    );
    expect(recorder.calls).toHaveLength(1);
    const [event] = recorder.events;
    expect(event).toEqual({
      partitionId: '1',
      body: new Uint8Array(Buffer.from('{"id":"e-1","type":"com.sqlmcp.tool.invoked"}')),
      contentType: 'application/cloudevents+json',
      messageId: 'msg-1',
      properties: { tenantid: 't1', attempt: 2, replay: false },
      enqueuedTimeUtc: expect.any(Date),
      sequenceNumber: 0,
      offset: '0',
    });
    expect(event?.enqueuedTimeUtc.getTime()).toBeGreaterThanOrEqual(before);
    expect(event?.enqueuedTimeUtc.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('delivers a binary body with its exact bytes', async () => {
    const { recorder, producer } = await started();
    const bytes = Buffer.concat([Buffer.from([0x00, 0xff, 0x7f, 0x80]), randomBytes(100_000)]);
    await producer.sendBatch([{ body: bytes }]);
    expect(Buffer.from(recorder.events[0]!.body).equals(bytes)).toBe(true);
  });

  it('delivers a JSON body as the UTF-8 JSON text the client encoded', async () => {
    const { recorder, producer } = await started();
    const body = { text: 'ünïcødé ✓', n: 1.5, list: [1, null, true], nested: { empty: {} } };
    await producer.sendBatch([{ body }]);
    expect(text(recorder.events[0]!.body)).toBe(JSON.stringify(body));
  });

  it('delivers an amqp-value body as JSON, with binary as base64', async () => {
    const { recorder, producer } = await started();
    await producer.sendBatch([
      { body: { answer: 42, raw: Buffer.from('hi'), tags: ['a'] }, bodyType: 'value' },
    ]);
    expect(text(recorder.events[0]!.body)).toBe('{"answer":42,"raw":"aGk=","tags":["a"]}');
  });

  it('delivers an amqp-sequence body as a JSON array', async () => {
    const { recorder, producer } = await started();
    await producer.sendBatch([{ body: [1, 'two'], bodyType: 'sequence' }]);
    expect(text(recorder.events[0]!.body)).toBe('[1,"two"]');
  });

  it('hands a createBatch batch to onEvents as one call with contiguous sequence numbers', async () => {
    const { recorder, producer } = await started();
    const batch = await producer.createBatch({ partitionId: '2' });
    for (let i = 0; i < 25; i++) {
      expect(batch.tryAdd({ body: { i } })).toBe(true);
    }
    await producer.sendBatch(batch);
    expect(recorder.calls).toHaveLength(1);
    expect(
      recorder.calls[0]!.map((e) => [e.partitionId, e.sequenceNumber, e.offset, text(e.body)]),
    ).toEqual(Array.from({ length: 25 }, (_, i) => ['2', i, String(i), `{"i":${i}}`]));
  });

  it('stamps one enqueued time on every event of a batch', async () => {
    const { recorder, producer } = await started();
    await producer.sendBatch([{ body: 1 }, { body: 2 }, { body: 3 }], { partitionId: '0' });
    const times = new Set(recorder.events.map((e) => e.enqueuedTimeUtc.getTime()));
    expect(times.size).toBe(1);
  });

  it('routes a batch with a partition key to partitionForKey of that key, keeping the key on each event', async () => {
    const { recorder, producer } = await started();
    for (const key of ['tenant-1', 'tenant-2', 'tenant-3', 'db:orders', '']) {
      await producer.sendBatch([{ body: key }, { body: `${key}!` }], { partitionKey: key });
    }
    expect(recorder.events.map((e) => [e.partitionKey, e.partitionId])).toEqual(
      ['tenant-1', 'tenant-2', 'tenant-3', 'db:orders', ''].flatMap((key) => [
        [key, partitionForKey(key, 4)],
        [key, partitionForKey(key, 4)],
      ]),
    );
  });

  it('routes a createBatch batch with a partition key as one call to the key partition', async () => {
    const { recorder, producer } = await started();
    const batch = await producer.createBatch({ partitionKey: 'tenant-42' });
    batch.tryAdd({ body: 'a' });
    batch.tryAdd({ body: 'b' });
    await producer.sendBatch(batch);
    expect(recorder.calls.map((call) => call.map((e) => e.partitionId))).toEqual([
      [partitionForKey('tenant-42', 4), partitionForKey('tenant-42', 4)],
    ]);
  });

  it('delivers to the partition named by partitionId', async () => {
    const { recorder, producer } = await started();
    await producer.sendBatch([{ body: 'x' }], { partitionId: '3' });
    expect(recorder.events.map((e) => [e.partitionId, e.partitionKey])).toEqual([['3', undefined]]);
  });

  it('spreads batches without key or partition round-robin, one partition per batch', async () => {
    const { recorder, producer } = await started();
    for (let i = 0; i < 8; i++) {
      await producer.sendBatch([{ body: i }, { body: i }]);
    }
    expect(recorder.calls.map((call) => call.map((e) => e.partitionId))).toEqual(
      ['0', '1', '2', '3', '0', '1', '2', '3'].map((p) => [p, p]),
    );
  });

  it('numbers each partition contiguously from 0 under concurrent sends', async () => {
    const { recorder, producer } = await started();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        producer.sendBatch([{ body: i }, { body: i }], { partitionId: String(i % 4) }),
      ),
    );
    for (const partitionId of ['0', '1', '2', '3']) {
      expect(recorder.inPartition(partitionId).map((e) => e.sequenceNumber)).toEqual(
        Array.from({ length: 20 }, (_, i) => i),
      );
    }
  });

  it('continues numbering from initialSequenceNumbers', async () => {
    const { recorder, producer } = await started({ initialSequenceNumbers: { '1': 500 } });
    await producer.sendBatch([{ body: 'a' }, { body: 'b' }], { partitionId: '1' });
    await producer.sendBatch([{ body: 'c' }], { partitionId: '0' });
    expect(recorder.events.map((e) => [e.partitionId, e.sequenceNumber, e.offset])).toEqual([
      ['1', 500, '500'],
      ['1', 501, '501'],
      ['0', 0, '0'],
    ]);
  });

  it('offers a 1 MiB batch size, as a Standard-tier hub does', async () => {
    const { producer } = await started();
    const batch = await producer.createBatch();
    expect(batch.maxSizeInBytes).toBe(1024 * 1024);
  });

  it('renders a Buffer message id (sent as an AMQP uuid) in UUID form', async () => {
    const { recorder, producer } = await started();
    const uuid = Buffer.from('3f2504e04f8911d39a0c0305e82c3301', 'hex');
    await producer.sendBatch([
      { body: 'x', messageId: uuid },
      { body: 'y', messageId: 7 },
    ]);
    expect(recorder.events.map((e) => e.messageId)).toEqual([
      '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
      '7',
    ]);
  });
});

describe('a buffered producer sending to the local endpoint', () => {
  it('lands events with a partition key on partitionForKey of that key, without the key annotation', async () => {
    const { endpoint, recorder } = await startEndpoint();
    cleanup.add(endpoint);
    const producer = cleanup.add(bufferedProducerFor(endpoint.connectionString));
    const keys = ['tenant-1', 'tenant-2', 'tenant-3', 'tenant-4', 'tenant-5'];
    for (const key of keys) {
      await producer.enqueueEvent({ body: key }, { partitionKey: key });
    }
    await producer.flush();
    // The buffered producer hashes the key itself and sends to that partition's link, dropping the key.
    const landed = Object.fromEntries(
      recorder.events.map((e) => [text(e.body), [e.partitionId, e.partitionKey]]),
    );
    expect(landed).toEqual(
      Object.fromEntries(
        keys.map((key) => [JSON.stringify(key), [partitionForKey(key, 4), undefined]]),
      ),
    );
  });

  it('delivers events enqueued for a partition id to that partition in order', async () => {
    const { endpoint, recorder } = await startEndpoint();
    cleanup.add(endpoint);
    const producer = cleanup.add(bufferedProducerFor(endpoint.connectionString));
    await producer.enqueueEvents(
      Array.from({ length: 10 }, (_, i) => ({ body: i })),
      { partitionId: '2' },
    );
    await producer.flush();
    expect(recorder.inPartition('2').map((e) => [e.sequenceNumber, text(e.body)])).toEqual(
      Array.from({ length: 10 }, (_, i) => [i, String(i)]),
    );
  });
});
