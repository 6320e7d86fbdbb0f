import type { InvocationContext } from '@azure/functions';
import type { EventHubRegistration } from '../../functions/registrations';
import { createBatchInvoker, retryDelayMs } from '../../src/host/trigger-runner';
import type { DeliveredEvent, EventOutcome } from '../../src/pipeline/delivered';

const AT = new Date('2025-06-02T10:00:00.000Z');
const batch: DeliveredEvent[] = [0, 1].map((n) => ({
  partitionId: '2',
  sequenceNumber: 40 + n,
  offset: String(40 + n),
  enqueuedTime: AT,
  body: Buffer.from(`{"n":${n}}`),
  partitionKey: 'acme',
}));
const accepted = (messages: unknown): EventOutcome[] =>
  (messages as Buffer[]).map((_, i) => ({ sequenceNumber: 40 + i, status: 'accepted' }));

function registration(
  handler: (messages: unknown, context: InvocationContext) => Promise<EventOutcome[] | void>,
): EventHubRegistration {
  return {
    kind: 'eventHub',
    name: 'ingest',
    connection: 'EVENTHUB_CONNECTION',
    eventHubName: '%EVENTHUB_NAME%',
    consumerGroup: '%EVENTHUB_CONSUMER_GROUP%',
    retry: {
      strategy: 'exponentialBackoff',
      maxRetryCount: -1,
      minimumInterval: { seconds: 2 },
      maximumInterval: { seconds: 5 },
    },
    handler,
  };
}
const options = {
  eventHubName: 'audit',
  consumerGroup: '$Default',
  log: () => undefined,
  retryDelayScale: 0.001,
};

describe('createBatchInvoker', () => {
  it('hands the bodies as Buffers with cardinality-many trigger metadata', async () => {
    const seen: { messages: unknown; context: InvocationContext }[] = [];
    const invoke = createBatchInvoker(
      registration(async (messages, context) => {
        seen.push({ messages, context });
        return accepted(messages);
      }),
      options,
    );
    await invoke('2', batch);
    expect((seen[0]?.messages as Buffer[]).map((m) => m.toString())).toEqual([
      '{"n":0}',
      '{"n":1}',
    ]);
    expect(seen[0]?.context.triggerMetadata).toEqual({
      partitionContext: {
        partitionId: '2',
        eventHubName: 'audit',
        consumerGroup: '$Default',
        fullyQualifiedNamespace: 'localhost',
      },
      sequenceNumberArray: [40, 41],
      offsetArray: ['40', '41'],
      enqueuedTimeUtcArray: [AT.toISOString(), AT.toISOString()],
      partitionKeyArray: ['acme', 'acme'],
      propertiesArray: [{}, {}],
      systemPropertiesArray: [0, 1].map((n) => ({
        SequenceNumber: 40 + n,
        Offset: String(40 + n),
        EnqueuedTimeUtc: AT.toISOString(),
        PartitionKey: 'acme',
      })),
    });
  });

  it('retries a failing batch under the retry policy, with the retry context', async () => {
    const retries: (number | undefined)[] = [];
    const invoke = createBatchInvoker(
      registration(async (messages, context) => {
        retries.push(context.retryContext?.retryCount);
        if (retries.length < 3) throw new Error('storage down');
        return accepted(messages);
      }),
      options,
    );
    expect((await invoke('2', batch)).map((o) => o.status)).toEqual(['accepted', 'accepted']);
    expect(retries).toEqual([undefined, 1, 2]);
  });

  it('stops retrying when asked (the host is stopping)', async () => {
    let calls = 0;
    const invoke = createBatchInvoker(
      registration(async () => {
        calls++;
        throw new Error('storage down');
      }),
      { ...options, stopRetrying: () => true },
    );
    await expect(invoke('2', batch)).rejects.toThrow('storage down');
    expect(calls).toBe(1);
  });

  it('fails at once, without retrying, for a function that reports no outcomes', async () => {
    let calls = 0;
    const invoke = createBatchInvoker(
      registration(async () => {
        calls++;
      }),
      options,
    );
    await expect(invoke('2', batch)).rejects.toThrow('ingest does not report per-event outcomes');
    expect(calls).toBe(1);
  });
});

describe('retryDelayMs', () => {
  it('doubles from the minimum interval up to the maximum', () => {
    const retry = {
      strategy: 'exponentialBackoff' as const,
      maxRetryCount: -1,
      minimumInterval: { seconds: 2 },
      maximumInterval: { minutes: 5 },
    };
    expect([1, 2, 3, 8, 9, 20].map((n) => retryDelayMs(retry, n))).toEqual([
      2000, 4000, 8000, 256000, 300000, 300000,
    ]);
  });

  it('waits the same interval with a fixed delay', () => {
    expect(
      retryDelayMs({ strategy: 'fixedDelay', maxRetryCount: 3, delayInterval: { seconds: 10 } }, 3),
    ).toBe(10000);
  });
});
