/**
 * Hub and partition properties from the local Event Hubs endpoint's $management node, read with
 * the real @azure/event-hubs producer. This is a local AMQP endpoint speaking the Event Hubs
 * protocol, not Azure.
 */
import { Cleanup, HUB, NO_RETRIES, producerFor, startEndpoint } from './harness';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function started(overrides = {}) {
  const before = Date.now();
  const { endpoint, recorder } = await startEndpoint(overrides);
  cleanup.add(endpoint);
  const producer = cleanup.add(producerFor(endpoint.connectionString, NO_RETRIES));
  return { before, recorder, producer };
}

describe('management requests to the local endpoint', () => {
  it('reports the hub name, partition ids and a creation time at start-up', async () => {
    const { before, producer } = await started({ partitionCount: 3 });
    const properties = await producer.getEventHubProperties();
    expect(properties).toEqual({
      name: HUB,
      partitionIds: ['0', '1', '2'],
      createdOn: expect.any(Date),
      isGeoDrEnabled: false,
    });
    expect(properties.createdOn.getTime()).toBeGreaterThanOrEqual(before);
    expect(properties.createdOn.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('lists the partition ids', async () => {
    const { producer } = await started({ partitionCount: 5 });
    expect(await producer.getPartitionIds()).toEqual(['0', '1', '2', '3', '4']);
  });

  it('reports an empty partition', async () => {
    const { producer } = await started();
    expect(await producer.getPartitionProperties('2')).toEqual({
      eventHubName: HUB,
      partitionId: '2',
      beginningSequenceNumber: 0,
      lastEnqueuedSequenceNumber: -1,
      lastEnqueuedOffset: '-1',
      lastEnqueuedOnUtc: new Date(0),
      isEmpty: true,
    });
  });

  it('reports the last event stored in a partition', async () => {
    const { recorder, producer } = await started();
    await producer.sendBatch([{ body: 'a' }, { body: 'b' }, { body: 'c' }], { partitionId: '1' });
    const last = recorder.inPartition('1').at(-1);
    expect(await producer.getPartitionProperties('1')).toEqual({
      eventHubName: HUB,
      partitionId: '1',
      beginningSequenceNumber: 0,
      lastEnqueuedSequenceNumber: 2,
      lastEnqueuedOffset: '2',
      lastEnqueuedOnUtc: last?.enqueuedTimeUtc,
      isEmpty: false,
    });
  });

  it('does not count events whose storage failed', async () => {
    const { recorder, producer } = await started();
    await producer.sendBatch([{ body: 'kept' }], { partitionId: '0' });
    recorder.failNext(new Error('disk full'));
    await expect(producer.sendBatch([{ body: 'lost' }], { partitionId: '0' })).rejects.toThrow();
    const properties = await producer.getPartitionProperties('0');
    expect([properties.lastEnqueuedSequenceNumber, properties.lastEnqueuedOffset]).toEqual([
      0,
      '0',
    ]);
  });

  it('reports numbering continued from initialSequenceNumbers', async () => {
    const { producer } = await started({ initialSequenceNumbers: { '3': 10 } });
    const properties = await producer.getPartitionProperties('3');
    expect([
      properties.lastEnqueuedSequenceNumber,
      properties.lastEnqueuedOffset,
      properties.isEmpty,
    ]).toEqual([9, '9', false]);
  });

  it('refuses an unknown partition id', async () => {
    const { producer } = await started();
    await expect(producer.getPartitionProperties('7')).rejects.toMatchObject({
      code: 'ArgumentOutOfRangeError',
      message:
        "The specified partition '7' is invalid for event hub 'audit'. It should be between 0 and 3.",
    });
  });
});
