/**
 * Shared set-up for the local Event Hubs endpoint tests: a local AMQP endpoint speaking the Event
 * Hubs protocol (not Azure), a recorder standing in for the durable store, and real
 * @azure/event-hubs clients with short retry delays so failures surface quickly.
 */
import {
  EventHubBufferedProducerClient,
  EventHubProducerClient,
  type EventHubBufferedProducerClientOptions,
  type EventHubClientOptions,
} from '@azure/event-hubs';
import {
  startLocalEventHubs,
  type LocalEventHubs,
  type LocalEventHubsOptions,
  type ReceivedEvent,
} from '../../src/eventhubs-local';

export const HUB = 'audit';

export const FAST_RETRIES: EventHubClientOptions = {
  retryOptions: { maxRetries: 2, retryDelayInMs: 20, maxRetryDelayInMs: 50, timeoutInMs: 5000 },
};

export const NO_RETRIES: EventHubClientOptions = {
  retryOptions: { maxRetries: 0, retryDelayInMs: 20, timeoutInMs: 5000 },
};

/** Records every onEvents call; `failNext` makes the next calls reject (nothing stored). */
export class Recorder {
  readonly calls: ReceivedEvent[][] = [];
  private failures: Error[] = [];

  failNext(...errors: Error[]): void {
    this.failures.push(...errors);
  }

  readonly onEvents = async (batch: ReceivedEvent[]): Promise<void> => {
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    this.calls.push(batch);
  };

  get events(): ReceivedEvent[] {
    return this.calls.flat();
  }

  inPartition(partitionId: string): ReceivedEvent[] {
    return this.events.filter((event) => event.partitionId === partitionId);
  }
}

export interface Started {
  endpoint: LocalEventHubs;
  recorder: Recorder;
}

export async function startEndpoint(
  overrides: Partial<LocalEventHubsOptions> = {},
  recorder = new Recorder(),
): Promise<Started> {
  const endpoint = await startLocalEventHubs({
    port: 0,
    eventHubName: HUB,
    partitionCount: 4,
    onEvents: recorder.onEvents,
    ...overrides,
  });
  return { endpoint, recorder };
}

export function producerFor(
  connectionString: string,
  options: EventHubClientOptions = FAST_RETRIES,
): EventHubProducerClient {
  return new EventHubProducerClient(connectionString, options);
}

export function bufferedProducerFor(
  connectionString: string,
  options: Partial<EventHubBufferedProducerClientOptions> = {},
): EventHubBufferedProducerClient {
  const client = new EventHubBufferedProducerClient(connectionString, {
    ...FAST_RETRIES,
    onSendEventsErrorHandler: () => undefined,
    maxWaitTimeInMs: 20,
    ...options,
  });
  // close() does not cancel the client's partition-id refresh timer (a 10 s delay() awaited
  // without the abort signal in _startPartitionIdsUpdateLoop, @azure/event-hubs 6.0.4), which
  // would keep Jest alive after the tests; a short interval lets it lapse at once.
  (client as unknown as { _backgroundManagementInterval: number })._backgroundManagementInterval =
    50;
  return client;
}

/** Closes clients and endpoints whatever the test did; each is closed once. */
export class Cleanup {
  private readonly steps: Array<() => Promise<unknown>> = [];

  add<T extends { close(): Promise<unknown> }>(closable: T): T {
    this.steps.push(() => closable.close());
    return closable;
  }

  async run(): Promise<void> {
    const steps = this.steps.splice(0).reverse();
    for (const step of steps) {
      await step().catch(() => undefined);
    }
  }
}
