import type { InvocationContext, Timer } from '@azure/functions';
import type { Registration } from './registration-types';
import { httpTrigger } from './http';
import { getRuntime } from './runtime';
import type { ApiDependencies } from '../src/http/dependencies';
import { subscriptionRoutes, type SubscriptionRoutes } from '../src/http/subscriptions';
import type { ApiRequest, ApiResponse } from '../src/http/types';
import type { CallbackPolicy } from '../src/subscriptions/callback-url';
import { dispatchOnce } from '../src/subscriptions/dispatcher';
import { callbackPolicyFromSettings } from '../src/subscriptions/settings';

let policy: CallbackPolicy | undefined;
let routes: SubscriptionRoutes | undefined;

/**
 * Read on first use rather than at module load: the local host puts its settings (development mode
 * among them) in place before it invokes anything, but after the registration table is imported.
 */
function callbackPolicy(): CallbackPolicy {
  policy ??= callbackPolicyFromSettings(process.env);
  return policy;
}

function route(pick: (all: SubscriptionRoutes) => SubscriptionRoutes[keyof SubscriptionRoutes]) {
  return httpTrigger((request: ApiRequest, deps: ApiDependencies): Promise<ApiResponse> => {
    routes ??= subscriptionRoutes(callbackPolicy());
    return pick(routes)(request, deps);
  });
}

/**
 * The webhook dispatcher: matches the records accepted since its last run against every subscription
 * and sends what is due (src/subscriptions/dispatcher.ts). Its state is in Table storage, so a failed run
 * loses nothing: the next one picks up where this one stopped. A run that could not match some tenant
 * fails after sending, so the failure shows in the function's history.
 */
export async function dispatchWebhooks(_timer: Timer, context: InvocationContext): Promise<void> {
  const { clients, clock } = await getRuntime();
  const summary = await dispatchOnce({
    state: clients.tables.state,
    archive: clients.containers.archive,
    clock,
    policy: callbackPolicy(),
  });
  context.log(
    `webhooks: ${summary.matched} records matched, ${summary.enqueued} deliveries enqueued, ` +
      `${summary.delivered} delivered, ${summary.retrying} to retry, ${summary.failed} failed`,
  );
  if (summary.errors.length > 0) {
    throw new Error(`webhooks: could not match ${summary.errors.join('; ')}`);
  }
}

/** Webhook subscriptions (the connector's trigger) and their dispatcher. */
export const subscriptionRegistrations: readonly Registration[] = [
  {
    kind: 'http',
    name: 'createSubscription',
    route: 'subscriptions',
    methods: ['POST'],
    authLevel: 'function',
    handler: route((r) => r.createSubscription),
  },
  {
    kind: 'http',
    name: 'listSubscriptions',
    route: 'subscriptions',
    methods: ['GET'],
    authLevel: 'function',
    handler: route((r) => r.listSubscriptions),
  },
  {
    kind: 'http',
    name: 'getSubscription',
    route: 'subscriptions/{id}',
    methods: ['GET'],
    authLevel: 'function',
    handler: route((r) => r.getSubscription),
  },
  {
    kind: 'http',
    name: 'deleteSubscription',
    route: 'subscriptions/{id}',
    methods: ['DELETE'],
    authLevel: 'function',
    handler: route((r) => r.deleteSubscription),
  },
  {
    kind: 'http',
    name: 'listFailedDeliveries',
    route: 'subscriptions/{id}/deadletters',
    methods: ['GET'],
    authLevel: 'function',
    handler: route((r) => r.listFailedDeliveries),
  },
  // Every 15 seconds: a delivery goes out within about that long after its event is ingested.
  {
    kind: 'timer',
    name: 'dispatchWebhooks',
    schedule: '*/15 * * * * *',
    handler: dispatchWebhooks,
  },
];
