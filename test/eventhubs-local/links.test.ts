/**
 * Link-level behaviour of the local Event Hubs endpoint, mostly driven with a bare rhea AMQP
 * client for what @azure/event-hubs v6 producers never do (skip CBS, ask for idempotent
 * publishing, SASL PLAIN), plus the real EventHubConsumerClient meeting the consumer refusal.
 * This is a local AMQP endpoint speaking the Event Hubs protocol, not Azure.
 */
import {
  create_container,
  type AmqpError,
  type Connection,
  type ConnectionOptions,
  type EventContext,
  type Receiver,
  type Sender,
} from 'rhea';
import { EventHubConsumerClient } from '@azure/event-hubs';
import { LOCAL_EVENT_HUBS_KEY, LOCAL_EVENT_HUBS_KEY_NAME } from '../../src/eventhubs-local';
import { Cleanup, NO_RETRIES, startEndpoint } from './harness';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Opens a rhea connection; resolves when open, rejects with the error the connection ended with. */
function connect(
  port: number,
  credentials: { username?: string; password?: string } = {},
): Promise<Connection> {
  const container = create_container();
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, reconnect: false, ...credentials };
    const connection = container.connect(options as ConnectionOptions);
    connection.once('connection_open', () => {
      cleanup.add({ close: async () => connection.close() });
      resolve(connection);
    });
    connection.once('connection_error', (context: EventContext) =>
      reject(context.connection.get_error()),
    );
    connection.once('disconnected', (context: EventContext) =>
      reject(context.error ?? new Error('disconnected')),
    );
  });
}

/** Resolves with the error a link was detached with (undefined if it closed cleanly). */
function detachError(link: Sender | Receiver): Promise<AmqpError | undefined> {
  return new Promise((resolve) => {
    link.once(link.is_sender() ? 'sender_close' : 'receiver_close', () =>
      resolve(link.error as AmqpError | undefined),
    );
  });
}

function errorOf(error: AmqpError | undefined): { condition?: string; description?: string } {
  return { condition: error?.condition, description: error?.description };
}

async function endpointPort(): Promise<number> {
  const { endpoint } = await startEndpoint();
  cleanup.add(endpoint);
  return endpoint.port;
}

describe('links the endpoint refuses', () => {
  it('refuses a consumer with amqp:not-implemented', async () => {
    const connection = await connect(await endpointPort());
    const receiver = connection.open_receiver('audit/ConsumerGroups/$default/Partitions/0');
    expect(errorOf(await detachError(receiver))).toEqual({
      condition: 'amqp:not-implemented',
      description:
        "Receiving events is not implemented by the local Event Hubs endpoint; it accepts publishers only (link source 'audit/ConsumerGroups/$default/Partitions/0').",
    });
  });

  it("reports the refusal to an EventHubConsumerClient's processError", async () => {
    const { endpoint } = await startEndpoint();
    cleanup.add(endpoint);
    const consumer = cleanup.add(
      new EventHubConsumerClient('$Default', endpoint.connectionString, NO_RETRIES),
    );
    const firstError = new Promise<unknown>((resolve) => {
      const subscription = consumer.subscribe('0', {
        processEvents: async () => undefined,
        processError: async (error) => resolve(error),
      });
      cleanup.add(subscription);
    });
    expect(await firstError).toMatchObject({
      code: 'NotImplementedError',
      retryable: false,
      message:
        "Receiving events is not implemented by the local Event Hubs endpoint; it accepts publishers only (link source 'audit/ConsumerGroups/$Default/Partitions/0').",
    });
  });

  it('refuses a publisher that asks for idempotent publishing', async () => {
    const connection = await connect(await endpointPort());
    const sender = connection.open_sender({
      target: { address: 'audit/Partitions/0' },
      desired_capabilities: ['com.microsoft:idempotent-producer'],
    });
    expect(errorOf(await detachError(sender))).toEqual({
      condition: 'amqp:not-implemented',
      description:
        'Idempotent publishing (enableIdempotentRetries) is not implemented by the local Event Hubs endpoint; publish without it.',
    });
  });

  it('refuses a publisher that put no token on $cbs', async () => {
    const connection = await connect(await endpointPort());
    const sender = connection.open_sender('audit');
    expect(errorOf(await detachError(sender))).toEqual({
      condition: 'amqp:unauthorized-access',
      description:
        "Unauthorized access to 'audit': put a SharedAccessSignature token for it on $cbs before attaching.",
    });
  });

  it('refuses a link to another event hub', async () => {
    const connection = await connect(await endpointPort());
    const sender = connection.open_sender('orders');
    expect(errorOf(await detachError(sender))).toEqual({
      condition: 'amqp:not-found',
      description:
        "The messaging entity 'orders' could not be found or cannot be published to. This endpoint accepts 'audit', 'audit/Partitions/<id>', '$cbs' and '$management'.",
    });
  });
});

describe('SASL', () => {
  it('lets a client in with ANONYMOUS', async () => {
    const connection = await connect(await endpointPort());
    expect(connection.is_open()).toBe(true);
  });

  it("lets a client in with PLAIN and the endpoint's key", async () => {
    const connection = await connect(await endpointPort(), {
      username: LOCAL_EVENT_HUBS_KEY_NAME,
      password: LOCAL_EVENT_HUBS_KEY,
    });
    expect(connection.is_open()).toBe(true);
  });

  it('turns away PLAIN with a wrong key', async () => {
    const port = await endpointPort();
    await expect(
      connect(port, { username: LOCAL_EVENT_HUBS_KEY_NAME, password: 'wrong' }),
    ).rejects.toMatchObject({
      condition: 'amqp:unauthorized-access',
      message: 'Failed to authenticate: 1',
    });
  });
});
