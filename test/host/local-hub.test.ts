import {
  HubClosedError,
  LocalHub,
  type BatchInvoker,
  type LocalHubOptions,
} from '../../src/host/local-hub';
import { partitionForKey } from '../../src/eventhubs-local';
import type { DeliveredEvent } from '../../src/pipeline/delivered';

const NOW = new Date('2025-06-02T10:00:00.000Z');
const event = (text: string, partitionKey?: string) => ({ body: Buffer.from(text), partitionKey });

/** An invoker that records batches and accepts every event (or fails while `failing` is set). */
function recorder() {
  const batches: { partitionId: string; batch: DeliveredEvent[] }[] = [];
  const state = {
    failing: undefined as Error | undefined,
    gate: undefined as Promise<void> | undefined,
  };
  const invoke: BatchInvoker = async (partitionId, batch) => {
    batches.push({ partitionId, batch });
    if (state.gate) await state.gate;
    if (state.failing) throw state.failing;
    return batch.map((item) => ({
      sequenceNumber: item.sequenceNumber,
      status: 'accepted' as const,
    }));
  };
  return { batches, state, invoke };
}

const hubWith = (
  invoke: BatchInvoker,
  next: [string, number][] = [],
  maxBatchSize = 100,
  journal?: LocalHubOptions['journal'],
) =>
  new LocalHub({
    partitionCount: 4,
    nextSequenceNumbers: new Map(next),
    invoke,
    maxBatchSize,
    clock: () => NOW,
    ...(journal ? { journal } : {}),
  });

/** A journal that records what the hub asks of it. */
function journalLog() {
  const calls: string[] = [];
  return {
    calls,
    journal: {
      append: async (partitionId: string, batch: readonly DeliveredEvent[]) => {
        calls.push(`append ${partitionId}:${batch.map((e) => e.sequenceNumber).join(',')}`);
      },
      clear: async (partitionId: string) => {
        calls.push(`clear ${partitionId}`);
      },
    },
  };
}

describe('LocalHub', () => {
  it('routes by the stable hash of the partition key and numbers each partition from its next sequence number', async () => {
    const { invoke } = recorder();
    const partition = partitionForKey('acme', 4);
    const hub = hubWith(invoke, [[partition, 42]]);
    const outcomes = await hub.publish([event('a', 'acme'), event('b', 'acme')]);
    expect(outcomes).toEqual([
      { sequenceNumber: 42, status: 'accepted', partitionId: partition },
      { sequenceNumber: 43, status: 'accepted', partitionId: partition },
    ]);
  });

  it('hands the ingest function the exact bytes, offset and enqueued time', async () => {
    const { invoke, batches } = recorder();
    const hub = hubWith(invoke);
    await hub.publish([event('{"x":1}', 'k')]);
    expect(batches[0]?.batch).toEqual([
      {
        body: Buffer.from('{"x":1}'),
        partitionId: partitionForKey('k', 4),
        sequenceNumber: 0,
        offset: '0',
        enqueuedTime: NOW,
        partitionKey: 'k',
      },
    ]);
  });

  it('cuts batches at maxBatchSize, in order', async () => {
    const { invoke, batches } = recorder();
    const hub = hubWith(invoke, [], 2);
    await hub.publish(['1', '2', '3', '4', '5'].map((text) => event(text, 'k')));
    expect(batches.map((b) => b.batch.map((item) => item.sequenceNumber))).toEqual([
      [0, 1],
      [2, 3],
      [4],
    ]);
  });

  it('publishes to the partition another front door chose, continuing the same numbering', async () => {
    const { invoke } = recorder();
    const hub = hubWith(invoke, [['3', 10]]);
    const [viaAmqp] = await hub.publishToPartition('3', [event('a', 'whatever')]);
    const keyFor3 = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].find(
      (key) => partitionForKey(key, 4) === '3',
    ) as string;
    const [viaHttp] = await hub.publish([event('b', keyFor3)]);
    expect([viaAmqp?.sequenceNumber, viaHttp?.sequenceNumber]).toEqual([10, 11]);
  });

  it('refuses a partition that does not exist', async () => {
    const { invoke } = recorder();
    await expect(hubWith(invoke).publishToPartition('9', [event('a')])).rejects.toThrow(
      'partition "9" does not exist; the hub has 4',
    );
  });

  it('spends the numbers of a failed batch, so they are never given to other events', async () => {
    const { invoke, state } = recorder();
    const hub = hubWith(invoke);
    state.failing = new Error('storage down');
    await expect(hub.publish([event('a', 'k'), event('b', 'k')])).rejects.toThrow('storage down');
    state.failing = undefined;
    const [outcome] = await hub.publish([event('c', 'k')]);
    expect(outcome?.sequenceNumber).toBe(2);
  });

  it('counts queued and ingesting events in flight', async () => {
    const { invoke, state } = recorder();
    let open: () => void = () => undefined;
    state.gate = new Promise((resolve) => (open = resolve));
    const hub = hubWith(invoke);
    const publishing = hub.publish([event('a', 'k'), event('b', 'k'), event('c', 'k')]);
    // All three are in one batch being ingested, none left in the queue.
    expect(hub.inFlight).toBe(3);
    open();
    await publishing;
    expect(hub.inFlight).toBe(0);
  });

  it('finishes queued batches on close and then refuses new events', async () => {
    const { invoke, state } = recorder();
    let open: () => void = () => undefined;
    state.gate = new Promise((resolve) => (open = resolve));
    const hub = hubWith(invoke, [], 1);
    const publishing = hub.publish([event('a', 'k'), event('b', 'k')]);
    const closing = hub.close();
    open();
    await closing;
    expect((await publishing).map((o) => o.status)).toEqual(['accepted', 'accepted']);
    await expect(hub.publish([event('c', 'k')])).rejects.toThrow(HubClosedError);
  });

  it('journals each batch before the ingest function sees it, and clears the journal once all is handled', async () => {
    const { invoke, batches } = recorder();
    const { calls, journal } = journalLog();
    const seenBeforeInvoke: number[] = [];
    const hub = hubWith(
      async (partitionId, batch) => {
        seenBeforeInvoke.push(calls.length);
        return invoke(partitionId, batch);
      },
      [['2', 7]],
      2,
      journal,
    );
    await hub.publishToPartition('2', [event('a'), event('b'), event('c')]);
    expect(calls).toEqual(['append 2:7,8', 'append 2:9', 'clear 2']);
    expect(seenBeforeInvoke).toEqual([1, 2]);
    expect(batches).toHaveLength(2);
  });

  it('keeps the journal of a partition whose batch failed, for the next start', async () => {
    const { invoke, state } = recorder();
    const { calls, journal } = journalLog();
    const hub = hubWith(invoke, [], 100, journal);
    state.failing = new Error('storage down');
    await expect(hub.publishToPartition('1', [event('a')])).rejects.toThrow('storage down');
    state.failing = undefined;
    await hub.publishToPartition('1', [event('b')]);
    expect(calls).toEqual(['append 1:0', 'append 1:1']);
  });
});
