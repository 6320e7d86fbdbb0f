import { ingestHarness, type Harness } from '../support/ingest-harness';
import { testBody } from '../support/events';
import { subscriptionRoutes } from '../../src/http/subscriptions';
import {
  dispatchOnce,
  retryDelayMs,
  DEFAULT_RETRY,
  type RetrySchedule,
} from '../../src/subscriptions/dispatcher';
import { dueDeliveries } from '../../src/subscriptions/outbox';
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

describe('retryDelayMs', () => {
  it.each([
    [1, 30_000],
    [2, 60_000],
    [7, 1_920_000],
    [8, 3_600_000],
    [11, 3_600_000],
  ])('waits, after %i failed attempts, %i ms by default (no jitter)', (failed, expected) => {
    expect(retryDelayMs(DEFAULT_RETRY, failed, 0)).toBe(expected);
  });

  it('adds at most the jitter fraction', () => {
    expect(retryDelayMs(DEFAULT_RETRY, 1, 0.999)).toBe(32_997);
  });
});

describe('delivery retries', () => {
  const start = new Date('2026-11-26T11:00:00.000Z');
  const schedule: RetrySchedule = {
    maxAttempts: 4,
    firstDelayMs: 1000,
    maxDelayMs: 3000,
    jitter: 0,
  };
  const policy: CallbackPolicy = { resolver: fixedResolver({}), allowLoopback: true };
  const routes = subscriptionRoutes(policy);
  let harness: Harness;
  let receiver: Receiver;
  let subscriptionId: string;

  beforeEach(async () => {
    harness = await ingestHarness();
    receiver = await startReceiver();
    receiver.respond = (_request, response) => {
      response.writeHead(500);
      response.end('try later');
    };
    const created = await routes.createSubscription(
      apiRequest('POST', `${BASE_URL}/subscriptions`, {
        key: KEYS.acme,
        body: { callbackUrl: `${receiver.origin}/hook` },
      }),
      apiDependencies(harness.clients, () => start),
    );
    subscriptionId = (created.jsonBody as { id: string }).id;
    await harness.deliver('0', [{ sequenceNumber: 0, body: testBody(1) }]);
  });
  afterEach(() => receiver.close());

  const at = (ms: number) =>
    dispatchOnce({
      state: harness.clients.tables.state,
      archive: harness.clients.containers.archive,
      clock: () => new Date(start.getTime() + ms),
      policy,
      retry: schedule,
      random: () => 0,
    });

  const pending = async () =>
    (
      await dueDeliveries(
        harness.clients.tables.state,
        subscriptionId,
        new Date(start.getTime() + 86_400_000),
        10,
      )
    ).map((d) => [d.attempts, d.nextAttemptAt]);

  const failed = async () => {
    const response = await routes.listFailedDeliveries(
      apiRequest('GET', `${BASE_URL}/subscriptions/${subscriptionId}/deadletters`, {
        key: KEYS.acme,
        params: { id: subscriptionId },
      }),
      apiDependencies(harness.clients, () => start),
    );
    return (response.jsonBody as { deliveries: Record<string, unknown>[] }).deliveries;
  };

  it('schedules the next attempt after a failure with exponential backoff', async () => {
    await at(0);
    await at(1000);
    expect(await pending()).toEqual([[2, '2026-11-26T11:00:03.000Z']]);
  });

  it('does not retry before the delivery is due', async () => {
    await at(0);
    await at(999);
    expect(receiver.received.length).toBe(1);
  });

  it('caps the wait at maxDelayMs', async () => {
    await at(0);
    await at(1000);
    await at(3000);
    expect(await pending()).toEqual([[3, '2026-11-26T11:00:06.000Z']]);
  });

  it('keeps the delivery as failed after the last attempt, with its last error', async () => {
    for (const ms of [0, 1000, 3000, 6000]) await at(ms);
    expect(await failed()).toEqual([
      {
        deliveryId: `${subscriptionId}.0.0`,
        eventId: 'evt-000001',
        partition: '0',
        logIndex: 0,
        attempts: 4,
        createdAt: '2026-11-26T11:00:00.000Z',
        lastAttemptAt: '2026-11-26T11:00:06.000Z',
        lastStatus: 500,
        lastError: 'HTTP 500: try later',
        failedAt: '2026-11-26T11:00:06.000Z',
      },
    ]);
  });

  it('makes no attempt after the delivery failed for good', async () => {
    for (const ms of [0, 1000, 3000, 6000, 60_000, 3_600_000]) await at(ms);
    expect([receiver.received.length, await pending()]).toEqual([4, []]);
  });

  it('sends every attempt with the same delivery id and body', async () => {
    for (const ms of [0, 1000, 3000]) await at(ms);
    const ids = new Set(receiver.received.map((r) => r.headers['x-mcp-audit-delivery']));
    const bodies = new Set(receiver.received.map((r) => r.body.toString()));
    expect([receiver.received.length, ids.size, bodies.size]).toEqual([3, 1, 1]);
  });

  it('delivers once the receiver is back, and keeps nothing as failed', async () => {
    await at(0);
    receiver.respond = (_request, response) => {
      response.writeHead(200);
      response.end();
    };
    const summary = await at(1000);
    expect([summary.delivered, await pending(), await failed()]).toEqual([1, [], []]);
  });

  it('sends nothing more to a subscription in a run after one of its deliveries failed', async () => {
    await harness.deliver('0', [{ sequenceNumber: 1, body: testBody(2) }]);
    const summary = await at(0);
    expect([summary.enqueued, summary.retrying, receiver.received.length]).toEqual([2, 1, 1]);
  });

  it('pages failed deliveries with a continuation token and a nextLink', async () => {
    receiver.respond = (_request, response) => {
      response.writeHead(410);
      response.end();
    };
    await harness.deliver('0', [
      { sequenceNumber: 1, body: testBody(2) },
      { sequenceNumber: 2, body: testBody(3) },
    ]);
    const oneAttempt: RetrySchedule = { ...schedule, maxAttempts: 1 };
    for (let run = 0; run < 3; run++) {
      await dispatchOnce({
        state: harness.clients.tables.state,
        archive: harness.clients.containers.archive,
        clock: () => start,
        policy,
        retry: oneAttempt,
      });
    }
    const deps = apiDependencies(harness.clients, () => start);
    const url = `${BASE_URL}/subscriptions/${subscriptionId}/deadletters?limit=2&code=${KEYS.acme}`;
    const first = await routes.listFailedDeliveries(
      apiRequest('GET', url, { params: { id: subscriptionId } }),
      deps,
    );
    const page = first.jsonBody as {
      deliveries: { logIndex: number }[];
      continuationToken: string;
      nextLink: string;
    };
    const second = await routes.listFailedDeliveries(
      apiRequest('GET', page.nextLink, { key: KEYS.acme, params: { id: subscriptionId } }),
      deps,
    );
    const rest = second.jsonBody as { deliveries: { logIndex: number }[]; nextLink?: string };
    expect([
      page.deliveries.map((d) => d.logIndex),
      new URL(page.nextLink).searchParams.get('code'),
      new URL(page.nextLink).searchParams.get('continuationToken'),
      rest.deliveries.map((d) => d.logIndex),
      rest.nextLink,
    ]).toEqual([[0, 1], null, page.continuationToken, [2], undefined]);
  });
});
