/**
 * Failure handling of the local Event Hubs endpoint seen through the real @azure/event-hubs
 * producer: storage failures, bad credentials, unsupported features, restarts and shutdown.
 * This is a local AMQP endpoint speaking the Event Hubs protocol, not Azure.
 */
import { partitionForKey } from '../../src/eventhubs-local';
import {
  Cleanup,
  FAST_RETRIES,
  HUB,
  NO_RETRIES,
  producerFor,
  Recorder,
  startEndpoint,
} from './harness';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const SHUTTING_DOWN =
  'The local Event Hubs endpoint is shutting down; retry against the next instance.';

function withKey(connectionString: string, key: string): string {
  return connectionString.replace(/SharedAccessKey=[^;]*/, `SharedAccessKey=${key}`);
}

async function eventually(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('when onEvents fails', () => {
  it('rejects the send with the storage error and stores nothing', async () => {
    const { endpoint, recorder } = await startEndpoint();
    cleanup.add(endpoint);
    const producer = cleanup.add(producerFor(endpoint.connectionString, NO_RETRIES));
    recorder.failNext(new Error('table storage unavailable'));
    await expect(producer.sendBatch([{ body: 'a' }], { partitionId: '0' })).rejects.toMatchObject({
      code: 'InternalServerError',
      retryable: true,
      message: 'The events were not stored (partition 0): table storage unavailable',
    });
    expect(recorder.calls).toEqual([]);
  });

  it('delivers on the next attempt without a gap in sequence numbers', async () => {
    const { endpoint, recorder } = await startEndpoint();
    cleanup.add(endpoint);
    const producer = cleanup.add(producerFor(endpoint.connectionString, NO_RETRIES));
    await producer.sendBatch([{ body: 'first' }], { partitionId: '0' });
    recorder.failNext(new Error('table storage unavailable'));
    await expect(producer.sendBatch([{ body: 'second' }], { partitionId: '0' })).rejects.toThrow();
    await producer.sendBatch([{ body: 'second' }], { partitionId: '0' });
    expect(recorder.events.map((e) => [Buffer.from(e.body).toString(), e.sequenceNumber])).toEqual([
      ['"first"', 0],
      ['"second"', 1],
    ]);
  });

  it("is retried by the producer's own retry policy", async () => {
    const { endpoint, recorder } = await startEndpoint();
    cleanup.add(endpoint);
    const producer = cleanup.add(producerFor(endpoint.connectionString, FAST_RETRIES));
    recorder.failNext(new Error('throttled'));
    await producer.sendBatch([{ body: 'a' }, { body: 'b' }], { partitionId: '2' });
    expect(recorder.calls.map((call) => call.map((e) => e.sequenceNumber))).toEqual([[0, 1]]);
  });
});

describe('credentials', () => {
  it('refuses a producer whose key is wrong', async () => {
    const { endpoint, recorder } = await startEndpoint();
    cleanup.add(endpoint);
    const producer = cleanup.add(
      producerFor(withKey(endpoint.connectionString, 'd3Jvbmcta2V5'), NO_RETRIES),
    );
    await expect(producer.sendBatch([{ body: 'a' }])).rejects.toMatchObject({
      code: 'UnauthorizedError',
      message:
        'the SharedAccessSignature was refused: the token\'s signature does not match key "RootManageSharedAccessKey" of this endpoint',
    });
    expect(recorder.calls).toEqual([]);
  });

  it('refuses management requests from a producer whose key is wrong', async () => {
    const { endpoint } = await startEndpoint();
    cleanup.add(endpoint);
    const producer = cleanup.add(
      producerFor(withKey(endpoint.connectionString, 'd3Jvbmcta2V5'), NO_RETRIES),
    );
    await expect(producer.getEventHubProperties()).rejects.toMatchObject({
      code: 'UnauthorizedError',
    });
  });

  it('accepts a configured key', async () => {
    const { endpoint, recorder } = await startEndpoint({
      sharedAccessKeyName: 'send',
      sharedAccessKey: 'c2VuZC1rZXk=',
    });
    cleanup.add(endpoint);
    expect(endpoint.connectionString).toBe(
      `Endpoint=sb://127.0.0.1:${endpoint.port};SharedAccessKeyName=send;SharedAccessKey=c2VuZC1rZXk=;EntityPath=${HUB};UseDevelopmentEmulator=true`,
    );
    const producer = cleanup.add(producerFor(endpoint.connectionString, NO_RETRIES));
    await producer.sendBatch([{ body: 'a' }]);
    expect(recorder.events).toHaveLength(1);
  });

  it('accepts a client naming the configured namespace through customEndpointAddress', async () => {
    const { endpoint, recorder } = await startEndpoint({
      namespace: 'audit-local.servicebus.windows.net',
    });
    cleanup.add(endpoint);
    const connectionString = endpoint.connectionString.replace(
      /Endpoint=[^;]*/,
      'Endpoint=sb://audit-local.servicebus.windows.net',
    );
    const producer = cleanup.add(
      producerFor(connectionString, {
        ...NO_RETRIES,
        customEndpointAddress: `sb://127.0.0.1:${endpoint.port}`,
      }),
    );
    await producer.sendBatch([{ body: 'a' }], { partitionKey: 'k' });
    expect(recorder.events.map((e) => e.partitionId)).toEqual([partitionForKey('k', 4)]);
  });

  it('refuses a client naming a namespace the endpoint does not answer to', async () => {
    const { endpoint } = await startEndpoint();
    cleanup.add(endpoint);
    const connectionString = endpoint.connectionString.replace(
      /Endpoint=[^;]*/,
      'Endpoint=sb://elsewhere.servicebus.windows.net',
    );
    const producer = cleanup.add(
      producerFor(connectionString, {
        ...NO_RETRIES,
        customEndpointAddress: `sb://127.0.0.1:${endpoint.port}`,
      }),
    );
    await expect(producer.sendBatch([{ body: 'a' }])).rejects.toMatchObject({
      code: 'UnauthorizedError',
      message: `audience "sb://elsewhere.servicebus.windows.net/${HUB}" does not name this endpoint (hosts 127.0.0.1, localhost, ::1; event hub "${HUB}")`,
    });
  });
});

describe('unsupported requests', () => {
  it('refuses a transfer larger than the advertised 1 MiB', async () => {
    const { endpoint, recorder } = await startEndpoint();
    cleanup.add(endpoint);
    const producer = cleanup.add(producerFor(endpoint.connectionString, NO_RETRIES));
    const rejection = producer.sendBatch([{ body: Buffer.alloc(1024 * 1024) }], {
      partitionId: '0',
    });
    await expect(rejection).rejects.toMatchObject({
      code: 'MessageTooLargeError',
      retryable: false,
      // 1 MiB of body plus the event's and the batch envelope's AMQP framing (56 bytes).
      message:
        'The transfer is 1048632 bytes; this endpoint accepts at most 1048576 bytes per event or batch.',
    });
    expect(recorder.calls).toEqual([]);
  });

  it('refuses a partition the hub does not have', async () => {
    const { endpoint } = await startEndpoint();
    cleanup.add(endpoint);
    const producer = cleanup.add(producerFor(endpoint.connectionString, NO_RETRIES));
    await expect(producer.sendBatch([{ body: 'a' }], { partitionId: '9' })).rejects.toMatchObject({
      code: 'MessagingEntityNotFoundError',
      message:
        "The messaging entity 'audit/Partitions/9' could not be found: event hub 'audit' has partitions 0..3.",
    });
  });
});

describe('restarts', () => {
  it('lets a producer reconnect when the endpoint restarts on the same port', async () => {
    const first = await startEndpoint();
    const producer = cleanup.add(producerFor(first.endpoint.connectionString, FAST_RETRIES));
    await producer.sendBatch([{ body: 'before' }], { partitionId: '0' });
    await first.endpoint.close();

    const second = await startEndpoint({
      port: first.endpoint.port,
      initialSequenceNumbers: { '0': 1 },
    });
    cleanup.add(second.endpoint);
    await producer.sendBatch([{ body: 'after' }], { partitionId: '0' });
    expect(
      second.recorder.events.map((e) => [Buffer.from(e.body).toString(), e.sequenceNumber]),
    ).toEqual([['"after"', 1]]);
  });

  it('completes a send started while the endpoint is down once it is back', async () => {
    const first = await startEndpoint();
    const port = first.endpoint.port;
    const producer = cleanup.add(
      producerFor(first.endpoint.connectionString, {
        retryOptions: {
          maxRetries: 20,
          retryDelayInMs: 50,
          maxRetryDelayInMs: 50,
          timeoutInMs: 5000,
        },
      }),
    );
    await producer.sendBatch([{ body: 'before' }], { partitionId: '1' });
    await first.endpoint.close();

    const sending = producer.sendBatch([{ body: 'during' }], { partitionId: '1' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await startEndpoint({ port });
    cleanup.add(second.endpoint);
    await sending;
    expect(second.recorder.events.map((e) => Buffer.from(e.body).toString())).toEqual(['"during"']);
  });
});

describe('close()', () => {
  it('waits for onEvents calls in flight and lets their sends succeed', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const recorder = new Recorder();
    let entered = 0;
    const { endpoint } = await startEndpoint({
      onEvents: async (batch) => {
        entered += 1;
        await gate;
        await recorder.onEvents(batch);
      },
    });
    const producer = cleanup.add(producerFor(endpoint.connectionString, NO_RETRIES));
    const sending = producer.sendBatch([{ body: 'in flight' }], { partitionId: '0' });
    await eventually(() => entered === 1, 'the batch to reach onEvents');
    let closed = false;
    const closing = endpoint.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(false);
    release();
    await sending;
    await closing;
    expect(recorder.events.map((e) => Buffer.from(e.body).toString())).toEqual(['"in flight"']);
  });

  it('rejects sends that arrive while it is closing', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let storeCalls = 0;
    const { endpoint } = await startEndpoint({
      onEvents: async () => {
        storeCalls += 1;
        await gate;
      },
    });
    const producer = cleanup.add(producerFor(endpoint.connectionString, NO_RETRIES));
    const first = producer.sendBatch([{ body: 'first' }], { partitionId: '0' });
    await eventually(() => storeCalls === 1, 'the first batch to reach onEvents');
    const closing = endpoint.close();
    await expect(
      producer.sendBatch([{ body: 'late' }], { partitionId: '0' }),
    ).rejects.toMatchObject({
      code: 'ServerBusyError',
      message: SHUTTING_DOWN,
    });
    release();
    await first;
    await closing;
    expect(storeCalls).toBe(1);
  });

  it('resolves the same promise when called twice', async () => {
    const { endpoint } = await startEndpoint();
    const a = endpoint.close();
    const b = endpoint.close();
    expect(a).toBe(b);
    await a;
  });
});
