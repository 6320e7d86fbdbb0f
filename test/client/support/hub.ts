/**
 * The local AMQP endpoint that speaks the Event Hubs protocol (src/eventhubs-local, not Azure), with
 * a recorder standing in for durable storage, for tests of the producer client.
 */
import {
  LOCAL_EVENT_HUBS_KEY,
  LOCAL_EVENT_HUBS_KEY_NAME,
  startLocalEventHubs,
  type LocalEventHubs,
  type ReceivedEvent,
} from '../../../src/eventhubs-local';
import type { RetryOptions } from '@azure/event-hubs';
import { AuditEventBuilder } from '../../../client';

export const HUB = 'audit';
export const PARTITIONS = 4;

/** SDK retries short enough that an unreachable endpoint is noticed in well under a second. */
export const FAST_RETRIES: RetryOptions = {
  maxRetries: 1,
  retryDelayInMs: 20,
  maxRetryDelayInMs: 50,
  timeoutInMs: 2000,
};

export class Recorder {
  readonly calls: ReceivedEvent[][] = [];

  readonly onEvents = async (batch: ReceivedEvent[]): Promise<void> => {
    this.calls.push(batch);
  };

  get events(): ReceivedEvent[] {
    return this.calls.flat();
  }

  /** The received bodies as parsed JSON. */
  get bodies(): Array<{
    id: string;
    tenantid: string;
    type: string;
    data: Record<string, unknown>;
  }> {
    return this.events.map((event) => JSON.parse(Buffer.from(event.body).toString('utf8')));
  }
}

export interface Endpoint {
  hub: LocalEventHubs;
  recorder: Recorder;
}

export async function startEndpoint(
  port = 0,
  recorder = new Recorder(),
  initialSequenceNumbers?: Record<string, number>,
): Promise<Endpoint> {
  const hub = await startLocalEventHubs({
    port,
    eventHubName: HUB,
    partitionCount: PARTITIONS,
    onEvents: recorder.onEvents,
    ...(initialSequenceNumbers ? { initialSequenceNumbers } : {}),
  });
  return { hub, recorder };
}

/** The connection string the endpoint would give on `port`, also when nothing listens there. */
export function connectionStringFor(port: number): string {
  return `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=${LOCAL_EVENT_HUBS_KEY_NAME};SharedAccessKey=${LOCAL_EVENT_HUBS_KEY};EntityPath=${HUB};UseDevelopmentEmulator=true`;
}

/** A port on which nothing listens: an endpoint started and stopped. */
export async function unreachablePort(): Promise<number> {
  const { hub } = await startEndpoint();
  await hub.close();
  return hub.port;
}

export const actor = { id: 'agent-7f3a', type: 'agent' as const };

export function builderFor(tenantId = 'contoso'): AuditEventBuilder {
  return new AuditEventBuilder({ source: '/sqlmcp/servers/test-01', tenantId });
}

/** A tool.invoked event numbered `n` (in data.tool.arguments.n), for ordering checks. */
export function numbered(builder: AuditEventBuilder, n: number, tenantId?: string) {
  return builder.toolInvoked(
    { actor, tool: { name: 'read_query', arguments: { n } }, outcome: { status: 'success' } },
    tenantId === undefined ? {} : { tenantId },
  );
}

export function numberOf(body: { data: Record<string, unknown> }): number {
  return (body.data['tool'] as { arguments: { n: number } }).arguments.n;
}

/** Closes what a test opened, last first, whatever the test did. */
export class Cleanup {
  private readonly steps: Array<() => Promise<unknown>> = [];

  add<T extends { close(): Promise<unknown> }>(closable: T): T {
    this.steps.push(() => closable.close());
    return closable;
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step().catch(() => undefined);
  }
}
