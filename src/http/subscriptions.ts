import { mayUseTenant, permittedTenants, type TenantGrant } from '../auth/api-keys';
import { nextLinkOf, publicUrlOf } from '../connector/next-link';
import { QuerySyntaxError, TENANT_ID_PATTERN } from '../query/ql';
import { listLogStates } from '../store/log-state';
import {
  CallbackUrlError,
  redactCallbackUrl,
  resolveCallback,
  type CallbackPolicy,
} from '../subscriptions/callback-url';
import { parseSubscriptionFilter, type SubscriptionFilter } from '../subscriptions/filter';
import { clearOutbox, listFailedDeliveries, type Delivery } from '../subscriptions/outbox';
import { WEBHOOK_HEADERS } from '../subscriptions/signature';
import {
  deleteSubscription,
  findSubscription,
  listSubscriptions,
  MAX_SUBSCRIPTIONS_PER_TENANT,
  newSubscriptionId,
  newSubscriptionSecret,
  saveSubscription,
  type Subscription,
} from '../subscriptions/store';
import { authorize, forbiddenTenant } from './authorize';
import type { ApiDependencies } from './dependencies';
import { parseLimit } from './events';
import { json, problem, type ApiRequest, type ApiResponse } from './types';

type ApiHandler = (request: ApiRequest, deps: ApiDependencies) => Promise<ApiResponse>;

export interface SubscriptionRoutes {
  /** POST /api/subscriptions */
  createSubscription: ApiHandler;
  /** GET /api/subscriptions */
  listSubscriptions: ApiHandler;
  /** GET /api/subscriptions/{id} */
  getSubscription: ApiHandler;
  /** DELETE /api/subscriptions/{id} */
  deleteSubscription: ApiHandler;
  /** GET /api/subscriptions/{id}/deadletters */
  listFailedDeliveries: ApiHandler;
}

/** A subscription as the API shows it: never its secret, and its callback URL without query values. */
export interface SubscriptionView {
  id: string;
  tenant: string;
  callbackUrl: string;
  filter: string;
  description?: string;
  createdAt: string;
}

export const MAX_SUBSCRIPTION_BODY_BYTES = 16 * 1024;
export const MAX_DESCRIPTION_LENGTH = 256;

/**
 * The subscription routes. Callback URLs are checked under `policy` (https, public addresses; loopback
 * only in development mode). Subscriptions belong to one tenant; a key reaches only its tenants'
 * subscriptions, and an id of another tenant's subscription answers 404, as event ids do.
 */
export function subscriptionRoutes(policy: CallbackPolicy): SubscriptionRoutes {
  return {
    createSubscription: (request, deps) => create(request, deps, policy),
    listSubscriptions: list,
    getSubscription: async (request, deps) => {
      const found = await subscriptionOf(request, deps);
      return 'response' in found ? found.response : json(200, viewOf(found.subscription));
    },
    deleteSubscription: async (request, deps) => {
      const found = await subscriptionOf(request, deps);
      if ('response' in found) return found.response;
      // The subscription first: once it is gone the dispatcher neither matches nor sends for it.
      await deleteSubscription(deps.clients.tables.state, found.subscription);
      await clearOutbox(deps.clients.tables.state, found.subscription.id);
      return { status: 204 };
    },
    listFailedDeliveries: failedDeliveries,
  };
}

async function create(
  request: ApiRequest,
  deps: ApiDependencies,
  policy: CallbackPolicy,
): Promise<ApiResponse> {
  const auth = authorize(request, deps.keyring);
  if ('response' in auth) return auth.response;
  const body = await readBody(request);
  if ('response' in body) return body.response;
  const { callbackUrl, filter: filterText = '', tenant: named, description } = body.value;
  if (typeof callbackUrl !== 'string' || callbackUrl === '') {
    return problem(
      400,
      'invalid-subscription',
      'callbackUrl is required: the https URL deliveries are POSTed to',
    );
  }
  if (typeof filterText !== 'string')
    return problem(400, 'invalid-subscription', 'filter must be a string in the query language');
  if (named !== undefined && (typeof named !== 'string' || !TENANT_ID_PATTERN.test(named))) {
    return problem(
      400,
      'invalid-subscription',
      `tenant must be a tenant id (e.g. "acme"), got ${JSON.stringify(named)}`,
    );
  }
  if (
    description !== undefined &&
    (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH)
  ) {
    return problem(
      400,
      'invalid-subscription',
      `description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`,
    );
  }
  const now = deps.clock();
  let filter: SubscriptionFilter;
  try {
    filter = parseSubscriptionFilter(filterText, now);
  } catch (error) {
    if (!(error instanceof QuerySyntaxError)) throw error;
    return problem(400, 'invalid-filter', error.message, {
      position: error.position,
      token: error.token,
      caret: error.caret(),
    });
  }
  const tenant = tenantFor(auth.grant, named, filter);
  if ('response' in tenant) return tenant.response;
  try {
    await resolveCallback(callbackUrl, policy);
  } catch (error) {
    if (!(error instanceof CallbackUrlError)) throw error;
    return problem(400, 'invalid-callback-url', error.message, {
      reason: error.reason,
      ...(error.address === undefined ? {} : { address: error.address }),
    });
  }
  const table = deps.clients.tables.state;
  const existing = await listSubscriptions(table, [tenant.value]);
  if (existing.length >= MAX_SUBSCRIPTIONS_PER_TENANT) {
    return problem(
      409,
      'too-many-subscriptions',
      `tenant "${tenant.value}" has ${existing.length} subscriptions, the most it may hold: delete one first`,
    );
  }
  // Read before the subscription is written: an event counted after this read is delivered to it.
  const startIndexes: Record<string, number> = {};
  for (const state of await listLogStates(table)) startIndexes[state.partitionId] = state.nextIndex;
  const subscription: Subscription = {
    id: newSubscriptionId(),
    tenant: tenant.value,
    callbackUrl,
    filter: filterText,
    ...(description === undefined ? {} : { description: description as string }),
    secret: newSubscriptionSecret(),
    createdAt: now.toISOString(),
    startIndexes,
  };
  await saveSubscription(table, subscription);
  const location = publicUrlOf(request);
  location.pathname = `${location.pathname.replace(/\/+$/, '')}/${subscription.id}`;
  location.search = '';
  return json(
    201,
    {
      ...viewOf(subscription),
      secret: subscription.secret,
      signature: {
        algorithm: 'HMAC-SHA256',
        signedContent: '<timestamp>.<body>',
        headers: WEBHOOK_HEADERS,
      },
    },
    { location: location.toString() },
  );
}

async function list(request: ApiRequest, deps: ApiDependencies): Promise<ApiResponse> {
  const auth = authorize(request, deps.keyring);
  if ('response' in auth) return auth.response;
  const requested = request.query.get('tenant') || undefined;
  if (requested !== undefined && !mayUseTenant(auth.grant, requested))
    return forbiddenTenant(requested);
  const tenants = permittedTenants(auth.grant, requested === undefined ? undefined : [requested]);
  const subscriptions = await listSubscriptions(deps.clients.tables.state, tenants);
  return json(200, { subscriptions: subscriptions.map(viewOf) });
}

async function failedDeliveries(request: ApiRequest, deps: ApiDependencies): Promise<ApiResponse> {
  const found = await subscriptionOf(request, deps);
  if ('response' in found) return found.response;
  const limit = parseLimit(request.query.get('limit'));
  if (typeof limit === 'string') return problem(400, 'invalid-limit', limit);
  const token = request.query.get('continuationToken') || undefined;
  if (token !== undefined && !isTableToken(token)) {
    return problem(
      400,
      'invalid-continuation-token',
      'the continuation token is not one this list handed out: start again without it',
    );
  }
  const page = await listFailedDeliveries(
    deps.clients.tables.state,
    found.subscription.id,
    limit,
    token,
  );
  return json(200, {
    deliveries: page.deliveries.map(deliveryViewOf),
    ...(page.continuationToken === undefined
      ? {}
      : {
          continuationToken: page.continuationToken,
          nextLink: nextLinkOf(request, page.continuationToken),
        }),
  });
}

/** The subscription named by the route, if the key may use its tenant (404 otherwise, as for events). */
async function subscriptionOf(
  request: ApiRequest,
  deps: ApiDependencies,
): Promise<{ subscription: Subscription } | { response: ApiResponse }> {
  const auth = authorize(request, deps.keyring);
  if ('response' in auth) return auth;
  const id = request.params.id ?? '';
  const requested = request.query.get('tenant') || undefined;
  if (requested !== undefined && !mayUseTenant(auth.grant, requested))
    return { response: forbiddenTenant(requested) };
  const tenants = permittedTenants(auth.grant, requested === undefined ? undefined : [requested]);
  const subscription = await findSubscription(deps.clients.tables.state, id, tenants);
  if (subscription === undefined) {
    return {
      response: problem(
        404,
        'not-found',
        `no subscription "${id}" in the tenants this key may use`,
      ),
    };
  }
  return { subscription };
}

/**
 * The subscription's tenant: named in the body, else the filter's single `tenant:` term, else the key's
 * only tenant. A key for several tenants must name one; every tenant named must be the key's (403).
 */
function tenantFor(
  grant: TenantGrant,
  named: string | undefined,
  filter: SubscriptionFilter,
): { value: string } | { response: ApiResponse } {
  let tenant = named;
  if (tenant === undefined && filter.tenants?.length === 1) tenant = filter.tenants[0];
  if (tenant === undefined && !grant.all && grant.tenants.size === 1)
    tenant = [...grant.tenants][0];
  if (tenant === undefined) {
    return {
      response: problem(
        400,
        'tenant-required',
        'this key may use several tenants: name the subscription\'s tenant in "tenant"',
      ),
    };
  }
  for (const wanted of [tenant, ...(filter.tenants ?? [])]) {
    if (!mayUseTenant(grant, wanted)) return { response: forbiddenTenant(wanted) };
  }
  if (filter.tenants !== undefined && !filter.tenants.includes(tenant)) {
    return {
      response: problem(
        400,
        'invalid-filter',
        `the filter's tenant term (${filter.tenants.join(',')}) excludes the subscription's tenant "${tenant}": it would never match`,
      ),
    };
  }
  return { value: tenant };
}

async function readBody(
  request: ApiRequest,
): Promise<{ value: Record<string, unknown> } | { response: ApiResponse }> {
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > MAX_SUBSCRIPTION_BODY_BYTES) {
    return {
      response: problem(
        413,
        'too-large',
        `request body is ${bytes.length} bytes; the limit is ${MAX_SUBSCRIPTION_BODY_BYTES}`,
      ),
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return {
      response: problem(400, 'invalid-json', `the body is not JSON: ${(error as Error).message}`),
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      response: problem(
        400,
        'invalid-subscription',
        'the body must be a JSON object with callbackUrl and filter',
      ),
    };
  }
  return { value: value as Record<string, unknown> };
}

/**
 * Whether a token is shaped like the Table continuation tokens this list hands out (base64 JSON with the
 * next partition and row keys, themselves opaque). It cannot widen the list: the query stays filtered on
 * the subscription's outbox partition, wherever a token says to resume.
 */
function isTableToken(token: string): boolean {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as unknown;
    return (
      typeof decoded === 'object' &&
      decoded !== null &&
      typeof (decoded as { nextPartitionKey?: unknown }).nextPartitionKey === 'string'
    );
  } catch {
    return false;
  }
}

export function viewOf(subscription: Subscription): SubscriptionView {
  return {
    id: subscription.id,
    tenant: subscription.tenant,
    callbackUrl: redactCallbackUrl(subscription.callbackUrl),
    filter: subscription.filter,
    ...(subscription.description === undefined ? {} : { description: subscription.description }),
    createdAt: subscription.createdAt,
  };
}

function deliveryViewOf(delivery: Delivery): Record<string, unknown> {
  return {
    deliveryId: delivery.deliveryId,
    eventId: delivery.eventId,
    partition: delivery.partition,
    logIndex: delivery.logIndex,
    attempts: delivery.attempts,
    createdAt: delivery.createdAt,
    ...(delivery.lastAttemptAt === undefined ? {} : { lastAttemptAt: delivery.lastAttemptAt }),
    ...(delivery.lastStatus === undefined ? {} : { lastStatus: delivery.lastStatus }),
    ...(delivery.lastError === undefined ? {} : { lastError: delivery.lastError }),
    ...(delivery.failedAt === undefined ? {} : { failedAt: delivery.failedAt }),
  };
}
