import type { PipelineRequest } from '@azure/core-rest-pipeline';
import { ingestHarness, type Harness } from '../support/ingest-harness';
import { testBody } from '../support/events';
import { TestTransport } from '../support/storage';
import { subscriptionRoutes } from '../../src/http/subscriptions';
import { dispatchOnce } from '../../src/subscriptions/dispatcher';
import { readCursors } from '../../src/subscriptions/cursors';
import { dueDeliveries } from '../../src/subscriptions/outbox';
import { saveSubscription } from '../../src/subscriptions/store';
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

const NOW = new Date('2026-11-26T11:00:05.000Z');
const policy: CallbackPolicy = { resolver: fixedResolver({}), allowLoopback: true };
const routes = subscriptionRoutes(policy);

describe('dispatchOnce', () => {
  let harness: Harness;
  let receiver: Receiver;
  const transport = new TestTransport();

  beforeEach(async () => {
    transport.beforeRequest = undefined;
    harness = await ingestHarness(transport);
    receiver = await startReceiver();
  });
  afterEach(() => receiver.close());

  const dispatch = () =>
    dispatchOnce({
      state: harness.clients.tables.state,
      archive: harness.clients.containers.archive,
      clock: () => NOW,
      policy,
    });

  async function subscribe(key: string, filter: string, path = '/hook'): Promise<string> {
    const response = await routes.createSubscription(
      apiRequest('POST', `${BASE_URL}/subscriptions`, {
        key,
        body: { callbackUrl: `${receiver.origin}${path}`, filter },
      }),
      apiDependencies(harness.clients, () => NOW),
    );
    return (response.jsonBody as { id: string }).id;
  }

  it('moves the tenant’s cursor to the log size and the enqueued hour it read', async () => {
    await subscribe(KEYS.acme, '');
    await harness.deliver('2', [
      { sequenceNumber: 0, body: testBody(1) },
      { sequenceNumber: 1, body: testBody(2) },
    ]);
    await dispatch();
    const cursor = (await readCursors(harness.clients.tables.state)).get('acme|2');
    expect([cursor?.next, cursor?.floor]).toEqual([2, '2026/11/26/10']);
  });

  it('gives each matching subscription its own delivery', async () => {
    const denied = await subscribe(KEYS.acme, 'status:denied', '/denied');
    const sales = await subscribe(KEYS.acme, 'database:sales', '/sales');
    await harness.deliver('0', [
      { sequenceNumber: 0, body: testBody(1, { status: 'denied', database: 'sales' }) },
    ]);
    await dispatch();
    expect(receiver.received.map((r) => [r.url, r.headers['x-mcp-audit-delivery']]).sort()).toEqual(
      [
        ['/denied', `${denied}.0.0`],
        ['/sales', `${sales}.0.0`],
      ],
    );
  });

  it('reports a tenant whose stored filter no longer parses, and serves the other tenants', async () => {
    await saveSubscription(harness.clients.tables.state, {
      id: 'sub_BBBBBBBBBBBBBBBB',
      tenant: 'acme',
      callbackUrl: `${receiver.origin}/acme`,
      filter: 'nosuchfield:x',
      secret: 'whsec_x',
      createdAt: NOW.toISOString(),
      startIndexes: {},
    });
    await subscribe(KEYS.globex, '', '/globex');
    await harness.deliver('0', [
      { sequenceNumber: 0, body: testBody(1) },
      { sequenceNumber: 1, body: testBody(2, { tenant: 'globex' }) },
    ]);
    const summary = await dispatch();
    const cursors = await readCursors(harness.clients.tables.state);
    expect([
      summary.errors.length,
      summary.errors[0]?.startsWith('tenant acme: a subscription filter no longer parses: '),
      receiver.received.map((r) => r.url),
      cursors.has('acme|0'),
    ]).toEqual([1, true, ['/globex'], false]);
  });

  it('repeats a match whose cursor write failed without doubling or resetting its deliveries', async () => {
    const id = await subscribe(KEYS.acme, '');
    receiver.respond = (_request, response) => {
      response.writeHead(503);
      response.end();
    };
    await harness.deliver('0', [{ sequenceNumber: 0, body: testBody(1) }]);
    transport.beforeRequest = (_ordinal: number, request: PipelineRequest) => {
      if (request.method !== 'GET' && String(request.body ?? '').includes('"webhook-cursor"')) {
        throw new Error('connection reset');
      }
    };
    const failed = await dispatch();
    transport.beforeRequest = undefined;
    const repeated = await dispatchOnce({
      state: harness.clients.tables.state,
      archive: harness.clients.containers.archive,
      clock: () => NOW,
      policy,
    });
    const pending = await dueDeliveries(
      harness.clients.tables.state,
      id,
      new Date('2030-01-01T00:00:00Z'),
      10,
    );
    expect([
      failed.errors.length,
      failed.enqueued,
      repeated.enqueued,
      pending.map((d) => [d.deliveryId, d.attempts]),
    ]).toEqual([1, 1, 0, [[`${id}.0.0`, 1]]]);
  });
});
