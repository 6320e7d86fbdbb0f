import { freshStorage } from '../support/storage';
import { subscriptionRoutes } from '../../src/http/subscriptions';
import type { ApiResponse } from '../../src/http/types';
import type { StorageClients } from '../../src/store/clients';
import { listSubscriptions } from '../../src/subscriptions/store';
import type { CallbackPolicy } from '../../src/subscriptions/callback-url';
import { apiDependencies, apiRequest, BASE_URL, fixedResolver, KEYS } from './support';

const NOW = new Date('2026-11-26T11:00:00.000Z');
const policy: CallbackPolicy = {
  allowLoopback: false,
  resolver: fixedResolver({
    'hooks.example.com': ['93.184.216.34'],
    'intranet.example.com': ['10.0.0.7'],
  }),
};
const routes = subscriptionRoutes(policy);
const CALLBACK = 'https://hooks.example.com/flows/1?sig=secret-signature';

describe('subscription routes', () => {
  let clients: StorageClients;
  beforeEach(async () => {
    clients = await freshStorage();
  });
  const deps = () => apiDependencies(clients, () => NOW);

  const create = (key: string | undefined, body: unknown): Promise<ApiResponse> =>
    routes.createSubscription(
      apiRequest('POST', `${BASE_URL}/subscriptions`, { ...(key ? { key } : {}), body }),
      deps(),
    );

  async function created(
    key: string,
    body: Record<string, unknown>,
  ): Promise<{ id: string; tenant: string }> {
    const response = await create(key, { callbackUrl: CALLBACK, ...body });
    expect(response.status).toBe(201);
    return response.jsonBody as { id: string; tenant: string };
  }

  const byId = (method: 'GET' | 'DELETE', id: string, key: string, suffix = '') =>
    apiRequest(method, `${BASE_URL}/subscriptions/${id}${suffix}`, { key, params: { id } });

  describe('POST /api/subscriptions', () => {
    it('answers 201 with the Location of the new subscription', async () => {
      const response = await create(KEYS.acme, { callbackUrl: CALLBACK, filter: 'status:denied' });
      const body = response.jsonBody as { id: string };
      expect([response.status, response.headers?.location]).toEqual([
        201,
        `${BASE_URL}/subscriptions/${body.id}`,
      ]);
    });

    it('returns the subscription with its secret, once, and the signature scheme', async () => {
      const response = await create(KEYS.acme, {
        callbackUrl: CALLBACK,
        filter: 'status:denied',
        description: 'SOC',
      });
      expect(response.jsonBody).toEqual({
        id: expect.stringMatching(/^sub_[A-Za-z0-9_-]{16}$/),
        tenant: 'acme',
        callbackUrl: 'https://hooks.example.com/flows/1?sig=***',
        filter: 'status:denied',
        description: 'SOC',
        createdAt: '2026-11-26T11:00:00.000Z',
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
        signature: {
          algorithm: 'HMAC-SHA256',
          signedContent: '<timestamp>.<body>',
          headers: {
            deliveryId: 'x-mcp-audit-delivery',
            timestamp: 'x-mcp-audit-timestamp',
            signature: 'x-mcp-audit-signature',
          },
        },
      });
    });

    it('names the public host in Location behind a proxy', async () => {
      const response = await routes.createSubscription(
        apiRequest('POST', 'http://func-internal:80/api/subscriptions', {
          key: KEYS.acme,
          body: { callbackUrl: CALLBACK },
          headers: { 'x-forwarded-host': 'audit.contoso.com', 'x-forwarded-proto': 'https' },
        }),
        deps(),
      );
      expect(response.headers?.location).toMatch(
        /^https:\/\/audit\.contoso\.com\/api\/subscriptions\/sub_/,
      );
    });

    it('points at the bad token of a filter that does not parse', async () => {
      const response = await create(KEYS.acme, { callbackUrl: CALLBACK, filter: 'databse:sales' });
      expect([
        response.status,
        (response.jsonBody as Record<string, unknown>).position,
        (response.jsonBody as Record<string, unknown>).token,
        (response.jsonBody as Record<string, unknown>).caret,
      ]).toEqual([400, 0, 'databse', 'databse:sales\n^^^^^^^']);
    });

    it('refuses time terms in a filter, pointing at them', async () => {
      const response = await create(KEYS.acme, {
        callbackUrl: CALLBACK,
        filter: 'status:denied since:24h',
      });
      expect([response.status, response.jsonBody]).toEqual([
        400,
        {
          error: 'invalid-filter',
          message:
            '"since:24h" at 14 selects past events by time; a subscription filter is applied to each new event as it arrives: remove it',
          position: 14,
          token: 'since:24h',
          caret: 'status:denied since:24h\n              ^^^^^^^^^',
        },
      ]);
    });

    it('refuses a callback URL that resolves to a private address, naming it', async () => {
      const response = await create(KEYS.acme, {
        callbackUrl: 'https://intranet.example.com/hook',
      });
      expect([response.status, response.jsonBody]).toEqual([
        400,
        {
          error: 'invalid-callback-url',
          message:
            'the callback host "intranet.example.com" resolves to 10.0.0.7, a private address: webhooks go only to public addresses',
          reason: 'address-not-allowed',
          address: '10.0.0.7',
        },
      ]);
    });

    it('refuses a loopback callback outside development mode', async () => {
      const response = await create(KEYS.acme, { callbackUrl: 'http://127.0.0.1:9000/hook' });
      expect([response.status, (response.jsonBody as { reason: string }).reason]).toEqual([
        400,
        'scheme-not-allowed',
      ]);
    });

    it('requires a callback URL', async () => {
      const response = await create(KEYS.acme, { filter: 'status:denied' });
      expect([response.status, response.jsonBody]).toEqual([
        400,
        {
          error: 'invalid-subscription',
          message: 'callbackUrl is required: the https URL deliveries are POSTed to',
        },
      ]);
    });

    it('refuses a body that is not JSON', async () => {
      const response = await create(KEYS.acme, '{callbackUrl');
      expect([response.status, (response.jsonBody as { error: string }).error]).toEqual([
        400,
        'invalid-json',
      ]);
    });

    it('needs a key', async () => {
      expect((await create(undefined, { callbackUrl: CALLBACK })).status).toBe(401);
    });

    it('takes the tenant from a key that may use only one', async () => {
      expect((await created(KEYS.globex, {})).tenant).toBe('globex');
    });

    it('takes the tenant from the filter for a key that may use several', async () => {
      expect((await created(KEYS.both, { filter: 'tenant:globex AND status:denied' })).tenant).toBe(
        'globex',
      );
    });

    it('asks a key for several tenants to name one', async () => {
      const response = await create(KEYS.both, { callbackUrl: CALLBACK });
      expect([response.status, (response.jsonBody as { error: string }).error]).toEqual([
        400,
        'tenant-required',
      ]);
    });

    it('refuses a filter whose tenant term excludes the subscription tenant', async () => {
      const response = await create(KEYS.both, {
        callbackUrl: CALLBACK,
        tenant: 'acme',
        filter: 'tenant:globex',
      });
      expect([response.status, response.jsonBody]).toEqual([
        400,
        {
          error: 'invalid-filter',
          message: `the filter's tenant term (globex) excludes the subscription's tenant "acme": it would never match`,
        },
      ]);
    });

    it('refuses more than 100 subscriptions per tenant', async () => {
      for (let i = 0; i < 100; i++) await created(KEYS.acme, {});
      const response = await create(KEYS.acme, { callbackUrl: CALLBACK });
      expect([response.status, response.jsonBody]).toEqual([
        409,
        {
          error: 'too-many-subscriptions',
          message: 'tenant "acme" has 100 subscriptions, the most it may hold: delete one first',
        },
      ]);
    });
  });

  describe('tenant isolation', () => {
    it('forbids subscribing to another tenant (403)', async () => {
      const response = await create(KEYS.acme, { callbackUrl: CALLBACK, tenant: 'globex' });
      expect([response.status, response.jsonBody]).toEqual([
        403,
        { error: 'forbidden', message: 'this key may not use tenant "globex"', tenant: 'globex' },
      ]);
    });

    it('forbids subscribing to another tenant through the filter (403)', async () => {
      const response = await create(KEYS.acme, { callbackUrl: CALLBACK, filter: 'tenant:globex' });
      expect(response.status).toBe(403);
    });

    it('forbids naming another tenant in the filter beside its own (403)', async () => {
      const response = await create(KEYS.acme, {
        callbackUrl: CALLBACK,
        tenant: 'acme',
        filter: 'tenant:acme,globex',
      });
      expect([response.status, (response.jsonBody as { tenant: string }).tenant]).toEqual([
        403,
        'globex',
      ]);
    });

    it('lists only the key’s own tenants', async () => {
      await created(KEYS.acme, { description: 'a' });
      await created(KEYS.globex, { description: 'g' });
      const response = await routes.listSubscriptions(
        apiRequest('GET', `${BASE_URL}/subscriptions`, { key: KEYS.acme }),
        deps(),
      );
      expect(
        (response.jsonBody as { subscriptions: { tenant: string }[] }).subscriptions.map(
          (s) => s.tenant,
        ),
      ).toEqual(['acme']);
    });

    it('forbids listing another tenant (403)', async () => {
      const response = await routes.listSubscriptions(
        apiRequest('GET', `${BASE_URL}/subscriptions?tenant=globex`, { key: KEYS.acme }),
        deps(),
      );
      expect(response.status).toBe(403);
    });

    it('lets an admin key list every tenant', async () => {
      await created(KEYS.acme, {});
      await created(KEYS.globex, {});
      const response = await routes.listSubscriptions(
        apiRequest('GET', `${BASE_URL}/subscriptions`, { key: KEYS.admin }),
        deps(),
      );
      expect(
        (response.jsonBody as { subscriptions: { tenant: string }[] }).subscriptions.map(
          (s) => s.tenant,
        ),
      ).toEqual(['acme', 'globex']);
    });

    it('does not show another tenant’s subscription (404)', async () => {
      const { id } = await created(KEYS.globex, {});
      const response = await routes.getSubscription(byId('GET', id, KEYS.acme), deps());
      expect([response.status, response.jsonBody]).toEqual([
        404,
        { error: 'not-found', message: `no subscription "${id}" in the tenants this key may use` },
      ]);
    });

    it('does not delete another tenant’s subscription (404), which stays', async () => {
      const { id } = await created(KEYS.globex, {});
      const response = await routes.deleteSubscription(byId('DELETE', id, KEYS.acme), deps());
      const left = await listSubscriptions(clients.tables.state, ['globex']);
      expect([response.status, left.map((s) => s.id)]).toEqual([404, [id]]);
    });

    it('does not list another tenant’s failed deliveries (404)', async () => {
      const { id } = await created(KEYS.globex, {});
      const response = await routes.listFailedDeliveries(
        byId('GET', id, KEYS.acme, '/deadletters'),
        deps(),
      );
      expect(response.status).toBe(404);
    });

    it('forbids naming another tenant when reading by id (403)', async () => {
      const { id } = await created(KEYS.acme, {});
      const response = await routes.getSubscription(
        apiRequest('GET', `${BASE_URL}/subscriptions/${id}?tenant=globex`, {
          key: KEYS.acme,
          params: { id },
        }),
        deps(),
      );
      expect(response.status).toBe(403);
    });

    it('never shows the secret after creation', async () => {
      const { id } = await created(KEYS.acme, {});
      const one = await routes.getSubscription(byId('GET', id, KEYS.acme), deps());
      const all = await routes.listSubscriptions(
        apiRequest('GET', `${BASE_URL}/subscriptions`, { key: KEYS.acme }),
        deps(),
      );
      expect([
        JSON.stringify(one.jsonBody).includes('whsec_'),
        JSON.stringify(all.jsonBody).includes('whsec_'),
      ]).toEqual([false, false]);
    });
  });

  describe('DELETE /api/subscriptions/{id}', () => {
    it('answers 204 and removes the subscription', async () => {
      const { id } = await created(KEYS.acme, {});
      const response = await routes.deleteSubscription(byId('DELETE', id, KEYS.acme), deps());
      const again = await routes.getSubscription(byId('GET', id, KEYS.acme), deps());
      expect([response.status, again.status]).toEqual([204, 404]);
    });

    it('answers 404 for an id that does not exist', async () => {
      expect(
        (
          await routes.deleteSubscription(
            byId('DELETE', 'sub_AAAAAAAAAAAAAAAA', KEYS.admin),
            deps(),
          )
        ).status,
      ).toBe(404);
    });
  });

  describe('GET /api/subscriptions/{id}/deadletters', () => {
    it('refuses a continuation token it did not hand out', async () => {
      const { id } = await created(KEYS.acme, {});
      const response = await routes.listFailedDeliveries(
        apiRequest(
          'GET',
          `${BASE_URL}/subscriptions/${id}/deadletters?continuationToken=not-a-token`,
          { key: KEYS.acme, params: { id } },
        ),
        deps(),
      );
      expect([response.status, (response.jsonBody as { error: string }).error]).toEqual([
        400,
        'invalid-continuation-token',
      ]);
    });

    it('refuses a limit out of range', async () => {
      const { id } = await created(KEYS.acme, {});
      const response = await routes.listFailedDeliveries(
        apiRequest('GET', `${BASE_URL}/subscriptions/${id}/deadletters?limit=0`, {
          key: KEYS.acme,
          params: { id },
        }),
        deps(),
      );
      expect([response.status, (response.jsonBody as { error: string }).error]).toEqual([
        400,
        'invalid-limit',
      ]);
    });
  });
});
