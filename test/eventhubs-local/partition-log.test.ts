/**
 * Per-partition numbering of the local Event Hubs endpoint (a local AMQP endpoint speaking the
 * Event Hubs protocol, not Azure), without a network.
 */
import type { DecodedEvent } from '../../src/eventhubs-local/event-decoding';
import { PartitionLog } from '../../src/eventhubs-local/partition-log';
import type { ReceivedEvent } from '../../src/eventhubs-local';

const AT = new Date(Date.UTC(2030, 0, 1));
const now = (): Date => AT;

function events(...labels: string[]): DecodedEvent[] {
  return labels.map((label) => ({ body: new Uint8Array(Buffer.from(label)), properties: {} }));
}

describe('PartitionLog', () => {
  it('numbers appended events from the initial sequence number', async () => {
    const log = new PartitionLog('2', 7);
    const stored: ReceivedEvent[][] = [];
    await log.append(events('a', 'b'), async (batch) => void stored.push(batch), now);
    expect(
      stored[0]!.map((e) => [e.partitionId, e.sequenceNumber, e.offset, e.enqueuedTimeUtc]),
    ).toEqual([
      ['2', 7, '7', AT],
      ['2', 8, '8', AT],
    ]);
  });

  it('runs appends one at a time, in the order they were made', async () => {
    const log = new PartitionLog('0', 0);
    const order: string[] = [];
    let releaseFirst: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const first = log.append(
      events('a'),
      async () => {
        order.push('first started');
        await firstHeld;
        order.push('first stored');
      },
      now,
    );
    const second = log.append(events('b'), async () => void order.push('second stored'), now);
    await new Promise((resolve) => setImmediate(resolve));
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first started', 'first stored', 'second stored']);
  });

  it('hands the numbers of a failed append to the next one', async () => {
    const log = new PartitionLog('0', 0);
    const stored: number[] = [];
    await expect(
      log.append(events('a', 'b'), async () => Promise.reject(new Error('disk full')), now),
    ).rejects.toThrow('disk full');
    await log.append(
      events('c'),
      async (batch) => void stored.push(...batch.map((e) => e.sequenceNumber)),
      now,
    );
    expect(stored).toEqual([0]);
  });

  it('reports an empty partition', () => {
    expect(new PartitionLog('1', 0).state()).toEqual({
      partitionId: '1',
      beginningSequenceNumber: 0,
      lastEnqueuedSequenceNumber: -1,
      lastEnqueuedOffset: '-1',
      lastEnqueuedTimeUtc: new Date(0),
      isEmpty: true,
    });
  });

  it('reports the last stored event', async () => {
    const log = new PartitionLog('1', 0);
    await log.append(events('a', 'b'), async () => undefined, now);
    expect(log.state()).toEqual({
      partitionId: '1',
      beginningSequenceNumber: 0,
      lastEnqueuedSequenceNumber: 1,
      lastEnqueuedOffset: '1',
      lastEnqueuedTimeUtc: AT,
      isEmpty: false,
    });
  });

  it('treats a store that throws synchronously like one that rejects', async () => {
    const log = new PartitionLog('0', 0);
    const throwing = (): Promise<void> => {
      throw new Error('bad state');
    };
    await expect(log.append(events('a'), throwing, now)).rejects.toThrow('bad state');
    expect(log.state().isEmpty).toBe(true);
  });
});
