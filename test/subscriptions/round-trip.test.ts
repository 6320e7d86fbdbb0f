import { ingestHarness, type Harness } from '../support/ingest-harness';
import { testBody } from '../support/events';
import { subscriptionRoutes } from '../../src/http/subscriptions';
import { dispatchOnce, type WebhookDelivery } from '../../src/subscriptions/dispatcher';
import { verifyWebhookSignature, WEBHOOK_HEADERS } from '../../src/subscriptions/signature';
import type { CallbackPolicy } from '../../src/subscriptions/callback-url';
import {
  apiDependencies,
  apiRequest,
  BASE_URL,
  fixedResolver,
  KEYS,
  startReceiver,
  type Receiver,
} from './support';

/**
 * The whole path: subscribe with a receiver on 127.0.0.1 (development mode), ingest through the real
 * ingest function, run the dispatcher, receive a signed delivery, unsubscribe, receive nothing more.
 */
describe('webhook round trip', () => {
  const now = new Date('2026-11-26T11:00:05.000Z');
  const devMode: CallbackPolicy = { resolver: fixedResolver({}), allowLoopback: true };
  const routes = subscriptionRoutes(devMode);
  let harness: Harness;
  let receiver: Receiver;

  beforeEach(async () => {
    harness = await ingestHarness();
    receiver = await startReceiver();
  });
  afterEach(() => receiver.close());

  const deps = () => apiDependencies(harness.clients, () => now);
  const dispatch = () =>
    dispatchOnce({
      state: harness.clients.tables.state,
      archive: harness.clients.containers.archive,
      clock: () => now,
      policy: devMode,
    });

  async function subscribe(
    filter: string,
  ): Promise<{ id: string; secret: string; location: string }> {
    const response = await routes.createSubscription(
      apiRequest('POST', `${BASE_URL}/subscriptions`, {
        key: KEYS.acme,
        body: { callbackUrl: `${receiver.origin}/hooks/audit`, filter },
      }),
      deps(),
    );
    expect(response.status).toBe(201);
    const body = response.jsonBody as { id: string; secret: string };
    return { id: body.id, secret: body.secret, location: response.headers?.location ?? '' };
  }

  it('delivers a matching event with a signature verifyWebhookSignature accepts', async () => {
    const { secret } = await subscribe('database:sales AND rows>5');
    await harness.deliver('0', [
      { sequenceNumber: 0, body: testBody(1, { database: 'sales', rows: 10 }) },
    ]);

    const summary = await dispatch();

    expect([
      summary.matched,
      summary.enqueued,
      summary.delivered,
      receiver.received.length,
    ]).toEqual([1, 1, 1, 1]);
    const [delivery] = receiver.received;
    const verified = verifyWebhookSignature(secret, delivery!.headers, delivery!.body, now);
    expect(verified.deliveryId).toBe(delivery!.headers[WEBHOOK_HEADERS.deliveryId]);
  });

  it('sends the event as GET /api/events/{id} shows it, to the callback path, as JSON', async () => {
    const { id } = await subscribe('database:sales');
    await harness.deliver('0', [{ sequenceNumber: 0, body: testBody(1, { database: 'sales' }) }]);

    await dispatch();

    const [delivery] = receiver.received;
    const body = JSON.parse(delivery!.body.toString('utf8')) as WebhookDelivery;
    expect([delivery!.method, delivery!.url, delivery!.headers['content-type']]).toEqual([
      'POST',
      '/hooks/audit',
      'application/json',
    ]);
    expect([
      body.subscriptionId,
      body.deliveryId,
      body.tenant,
      body.event.id,
      body.event.record.log.index,
    ]).toEqual([id, `${id}.0.0`, 'acme', 'evt-000001', 0]);
  });

  it('does not deliver events the filter does not match', async () => {
    await subscribe('database:sales');
    await harness.deliver('0', [
      { sequenceNumber: 0, body: testBody(1, { database: 'hr' }) },
      { sequenceNumber: 1, body: testBody(2, { database: 'sales' }) },
      { sequenceNumber: 2, body: testBody(3, { database: 'finance' }) },
    ]);

    await dispatch();

    expect(
      receiver.received.map((r) => (JSON.parse(r.body.toString()) as WebhookDelivery).event.id),
    ).toEqual(['evt-000002']);
  });

  it('does not deliver events of another tenant', async () => {
    await subscribe('');
    await harness.deliver('0', [{ sequenceNumber: 0, body: testBody(1, { tenant: 'globex' }) }]);

    const summary = await dispatch();

    expect([summary.enqueued, receiver.received.length]).toEqual([0, 0]);
  });

  it('does not deliver events accepted before the subscription was created', async () => {
    await harness.deliver('0', [{ sequenceNumber: 0, body: testBody(1) }]);
    await subscribe('');
    await harness.deliver('0', [{ sequenceNumber: 1, body: testBody(2) }]);

    await dispatch();

    expect(
      receiver.received.map((r) => (JSON.parse(r.body.toString()) as WebhookDelivery).event.id),
    ).toEqual(['evt-000002']);
  });

  it('delivers each event once across dispatcher runs', async () => {
    await subscribe('');
    await harness.deliver('0', [{ sequenceNumber: 0, body: testBody(1) }]);
    await dispatch();
    await harness.deliver('0', [{ sequenceNumber: 1, body: testBody(2) }]);

    await dispatch();
    await dispatch();

    expect(receiver.received.map((r) => r.headers[WEBHOOK_HEADERS.deliveryId])).toEqual([
      expect.stringMatching(/\.0\.0$/),
      expect.stringMatching(/\.0\.1$/),
    ]);
  });

  it('delivers events of every partition', async () => {
    await subscribe('');
    await harness.deliver('0', [{ sequenceNumber: 0, body: testBody(1) }]);
    await harness.deliver('3', [{ sequenceNumber: 0, body: testBody(2) }]);

    await dispatch();

    expect(
      receiver.received
        .map((r) => String(r.headers[WEBHOOK_HEADERS.deliveryId]).split('.').slice(1))
        .sort(),
    ).toEqual([
      ['0', '0'],
      ['3', '0'],
    ]);
  });

  it('delivers nothing more once DELETE on the Location removed the subscription', async () => {
    const { id, location } = await subscribe('');
    await harness.deliver('0', [{ sequenceNumber: 0, body: testBody(1) }]);
    await dispatch();

    expect(location).toBe(`${BASE_URL}/subscriptions/${id}`);
    const removed = await routes.deleteSubscription(
      apiRequest('DELETE', location, { key: KEYS.acme, params: { id } }),
      deps(),
    );
    await harness.deliver('0', [{ sequenceNumber: 1, body: testBody(2) }]);
    const summary = await dispatch();

    expect([removed.status, summary.enqueued, receiver.received.length]).toEqual([204, 0, 1]);
  });

  it('drops deliveries still pending when the subscription is deleted', async () => {
    const { id, location } = await subscribe('');
    receiver.respond = (_request, response) => {
      response.statusCode = 503;
      response.end();
    };
    await harness.deliver('0', [{ sequenceNumber: 0, body: testBody(1) }]);
    await dispatch();
    receiver.respond = (_request, response) => {
      response.statusCode = 204;
      response.end();
    };

    await routes.deleteSubscription(
      apiRequest('DELETE', location, { key: KEYS.acme, params: { id } }),
      deps(),
    );
    const later = dispatchOnce({
      state: harness.clients.tables.state,
      archive: harness.clients.containers.archive,
      clock: () => new Date(now.getTime() + 3600_000),
      policy: devMode,
    });

    expect([(await later).delivered, receiver.received.length]).toEqual([0, 1]);
  });
});
