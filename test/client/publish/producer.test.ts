/**
 * The producer against the local AMQP endpoint that speaks the Event Hubs protocol (not Azure),
 * through the real EventHubProducerClient.
 */
import { partitionForKey } from '../../../src/eventhubs-local';
import {
  AuditProducer,
  ConnectionSettingError,
  EventHubsUnavailableError,
  InvalidAuditEventError,
  connectionFromSettings,
  type AuditEvent,
} from '../../../client';
import { createProducerClient } from '../../../client/publish/connection';
import {
  actor,
  builderFor,
  Cleanup,
  FAST_RETRIES,
  numbered,
  numberOf,
  PARTITIONS,
  startEndpoint,
  unreachablePort,
  connectionStringFor,
} from '../support/hub';

jest.setTimeout(30_000);
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function openProducer(
  connectionString: string,
  options: Partial<Parameters<typeof AuditProducer.open>[0]> = {},
) {
  return cleanup.add(
    await AuditProducer.open({
      connection: { connectionString },
      retryOptions: FAST_RETRIES,
      ...options,
    }),
  );
}

describe('publishing', () => {
  it('sends an event with its exact bytes, content type, message id and tenant partition key', async () => {
    const { hub, recorder } = await startEndpoint();
    cleanup.add(hub);
    const producer = await openProducer(hub.connectionString);
    const event = numbered(builderFor(), 1);
    expect(await producer.publish(event)).toEqual({
      eventId: event.id,
      partitionKey: 'contoso',
      delivery: 'sent',
    });
    const [received] = recorder.events;
    expect(Buffer.from(received!.body).toString('utf8')).toBe(JSON.stringify(event));
    expect([
      received!.contentType,
      received!.messageId,
      received!.partitionKey,
      received!.partitionId,
    ]).toEqual([
      'application/cloudevents+json',
      event.id,
      'contoso',
      partitionForKey('contoso', PARTITIONS),
    ]);
    expect(producer.stats()).toEqual({
      state: 'online',
      sent: 1,
      spooled: 0,
      replayed: 0,
      rejected: 0,
      gaps: 0,
      queued: 0,
      spoolPending: 0,
      spoolBytes: 0,
    });
  });

  it('sends events published together as one batch', async () => {
    const { hub, recorder } = await startEndpoint();
    cleanup.add(hub);
    const producer = await openProducer(hub.connectionString);
    const builder = builderFor();
    const events = Array.from({ length: 200 }, (_, n) => numbered(builder, n));
    await Promise.all(events.map((event) => producer.publish(event)));
    expect(recorder.calls.map((call) => call.length)).toEqual([200]);
    expect(recorder.bodies.map(numberOf)).toEqual(events.map((_, n) => n));
  });

  it('splits events into batches the size the SDK allows', async () => {
    const { hub, recorder } = await startEndpoint();
    cleanup.add(hub);
    const producer = await openProducer(hub.connectionString);
    const builder = builderFor();
    // About 240 KB each: four fit in the endpoint's 1 MiB batches, a fifth does not.
    const big = (n: number): AuditEvent =>
      builder.toolInvoked({
        actor,
        tool: {
          name: 'write_query',
          arguments: {
            n,
            a: 'a'.repeat(60_000),
            b: 'b'.repeat(60_000),
            c: 'c'.repeat(60_000),
            d: 'd'.repeat(60_000),
          },
        },
        outcome: { status: 'success' },
      });
    const events = Array.from({ length: 10 }, (_, n) => big(n));
    await Promise.all(events.map((event) => producer.publish(event)));
    expect(recorder.calls.map((call) => call.length)).toEqual([4, 4, 2]);
    expect(recorder.bodies.map(numberOf)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('routes each tenant by its partition key, keeping each tenant in order', async () => {
    const { hub, recorder } = await startEndpoint();
    cleanup.add(hub);
    const producer = await openProducer(hub.connectionString);
    const builder = builderFor();
    const tenants = ['contoso', 'fabrikam', 'northwind', 'tailspin'];
    const events = Array.from({ length: 40 }, (_, n) => numbered(builder, n, tenants[n % 4]));
    await Promise.all(events.map((event) => producer.publish(event)));
    for (const tenant of tenants) {
      const received = recorder.events.filter((e) => e.partitionKey === tenant);
      expect(new Set(received.map((e) => e.partitionId))).toEqual(
        new Set([partitionForKey(tenant, PARTITIONS)]),
      );
      expect(received.map((e) => numberOf(JSON.parse(Buffer.from(e.body).toString())))).toEqual(
        events.map((_, n) => n).filter((n) => n % 4 === tenants.indexOf(tenant)),
      );
    }
  });

  it('uses the partition key function it is given', async () => {
    const { hub, recorder } = await startEndpoint();
    cleanup.add(hub);
    const producer = await openProducer(hub.connectionString, {
      partitionKey: (event) => `${event.tenantid}:${event.data.session?.id ?? '-'}`,
    });
    const event = builderFor().sessionEnded({ actor, session: { id: 's-42' } });
    expect((await producer.publish(event)).partitionKey).toBe('contoso:s-42');
    expect([recorder.events[0]!.partitionKey, recorder.events[0]!.partitionId]).toEqual([
      'contoso:s-42',
      partitionForKey('contoso:s-42', PARTITIONS),
    ]);
  });

  it('refuses an invalid event at once, sending nothing', async () => {
    const { hub, recorder } = await startEndpoint();
    cleanup.add(hub);
    const producer = await openProducer(hub.connectionString);
    const event = { ...numbered(builderFor(), 1), tenantid: 'Contoso' };
    const publishing = producer.publish(event);
    await expect(publishing).rejects.toBeInstanceOf(InvalidAuditEventError);
    await expect(publishing).rejects.toMatchObject({
      rejection: { code: 'invalid-tenant', pointer: '/tenantid' },
    });
    await producer.flush();
    expect(recorder.events).toEqual([]);
    expect(producer.stats().rejected).toBe(1);
  });
});

describe('reconnection', () => {
  it('sends again once the endpoint restarts on the same port', async () => {
    const first = await startEndpoint();
    const producer = await openProducer(first.hub.connectionString);
    const builder = builderFor();
    await producer.publish(numbered(builder, 0));
    await first.hub.close();
    const second = await startEndpoint(first.hub.port, undefined, {
      [partitionForKey('contoso', PARTITIONS)]: 1,
    });
    cleanup.add(second.hub);
    expect((await producer.publish(numbered(builder, 1))).delivery).toBe('sent');
    expect(
      second.recorder.events.map((e) => [
        numberOf(JSON.parse(Buffer.from(e.body).toString())),
        e.sequenceNumber,
      ]),
    ).toEqual([[1, 1]]);
  });

  it('fails with EventHubsUnavailableError while the endpoint is down and there is no spool', async () => {
    const producer = await openProducer(connectionStringFor(await unreachablePort()));
    const publishing = producer.publish(numbered(builderFor(), 0));
    await expect(publishing).rejects.toBeInstanceOf(EventHubsUnavailableError);
    await expect(publishing).rejects.toThrow(
      /^Event Hubs did not accept the event and no spool is configured \(/,
    );
    expect(producer.stats()).toMatchObject({ state: 'online', sent: 0, rejected: 1 });
  });
});

describe('connections', () => {
  it('reads a connection string from EVENTHUB_CONNECTION with the hub from EVENTHUB_NAME', () => {
    expect(
      connectionFromSettings({
        EVENTHUB_CONNECTION: 'Endpoint=sb://x/;SharedAccessKeyName=k;SharedAccessKey=s',
        EVENTHUB_NAME: 'events',
      }),
    ).toEqual({
      connectionString: 'Endpoint=sb://x/;SharedAccessKeyName=k;SharedAccessKey=s',
      eventHubName: 'events',
    });
  });

  it('reads a namespace for identity-based access, with the given credential and hub audit', () => {
    const credential = { getToken: async () => null };
    expect(
      connectionFromSettings(
        { EVENTHUB_CONNECTION__fullyQualifiedNamespace: 'ns.servicebus.windows.net' },
        credential,
      ),
    ).toEqual({
      fullyQualifiedNamespace: 'ns.servicebus.windows.net',
      eventHubName: 'audit',
      credential,
    });
  });

  it('names the missing setting', () => {
    expect(() => connectionFromSettings({})).toThrow(
      new ConnectionSettingError(
        'EVENTHUB_CONNECTION',
        'is not set: set it to an Event Hubs connection string, or set EVENTHUB_CONNECTION__fullyQualifiedNamespace for identity-based access',
      ),
    );
  });

  it('refuses something that is not a connection string', async () => {
    await expect(
      AuditProducer.open({ connection: { connectionString: 'http://x' } }),
    ).rejects.toThrow(
      'connectionString is not an Event Hubs connection string (expected Endpoint=sb://…)',
    );
  });

  it('requires a hub name when the connection string has no EntityPath', async () => {
    await expect(
      AuditProducer.open({
        connection: {
          connectionString: 'Endpoint=sb://x/;SharedAccessKeyName=k;SharedAccessKey=s',
        },
      }),
    ).rejects.toThrow('eventHubName is required: the connection string has no EntityPath');
  });

  it('builds a client for a namespace and credential', async () => {
    // The local endpoint takes neither TLS nor Entra tokens, so this stops short of the network.
    const credential = { getToken: async () => null };
    const client = createProducerClient(
      {
        fullyQualifiedNamespace: 'audit-prod.servicebus.windows.net',
        eventHubName: 'audit',
        credential,
      },
      { retryOptions: FAST_RETRIES },
    );
    expect([client.fullyQualifiedNamespace, client.eventHubName]).toEqual([
      'audit-prod.servicebus.windows.net',
      'audit',
    ]);
    await client.close();
  });

  it('refuses a namespace connection without a hub name', () => {
    const credential = { getToken: async () => null };
    expect(() =>
      createProducerClient(
        { fullyQualifiedNamespace: 'ns.servicebus.windows.net', eventHubName: '', credential },
        {},
      ),
    ).toThrow('eventHubName must not be empty');
  });
});
