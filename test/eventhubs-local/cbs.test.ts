/**
 * The $cbs put-token handling of the local Event Hubs endpoint (a local AMQP endpoint speaking
 * the Event Hubs protocol, not Azure), without a network.
 */
import type { Message } from 'rhea';
import { claimsCover, handleCbsRequest, type CbsContext } from '../../src/eventhubs-local/cbs';
import { signSasResource } from '../../src/eventhubs-local/sas-token';

const NOW_MS = Date.UTC(2030, 0, 1);
const CONTEXT: CbsContext = {
  eventHubName: 'audit',
  audienceHosts: new Set(['127.0.0.1']),
  key: { keyName: 'RootManageSharedAccessKey', key: 'a2V5' },
  nowMs: NOW_MS,
};

function sas(audience: string, expirySeconds = NOW_MS / 1000 + 60): string {
  const resource = encodeURIComponent(audience);
  const sig = encodeURIComponent(signSasResource('a2V5', resource, expirySeconds));
  return `SharedAccessSignature sr=${resource}&sig=${sig}&se=${expirySeconds}&skn=RootManageSharedAccessKey`;
}

function putToken(
  audience: string,
  token: unknown,
  type = 'servicebus.windows.net:sastoken',
): Message {
  return {
    body: token,
    application_properties: { operation: 'put-token', name: audience, type },
  } as Message;
}

describe('handleCbsRequest', () => {
  it('grants a claim on the audience path until the token expires', () => {
    const audience = 'sb://127.0.0.1:5672/audit/Partitions/1';
    expect(handleCbsRequest(putToken(audience, sas(audience)), CONTEXT)).toEqual({
      statusCode: 202,
      statusDescription: 'Accepted',
      claim: { path: 'audit/partitions/1', expiresAtMs: NOW_MS + 60_000 },
    });
  });

  it('refuses a token that is not a SharedAccessSignature string', () => {
    expect(handleCbsRequest(putToken('sb://127.0.0.1/audit', { jwt: 1 }, 'jwt'), CONTEXT)).toEqual({
      statusCode: 401,
      statusDescription:
        'the put-token body must be a SharedAccessSignature string; token type "jwt" cannot be checked by the local endpoint',
      errorCondition: 'amqp:unauthorized-access',
    });
  });

  it('refuses an audience for another event hub', () => {
    const audience = 'sb://127.0.0.1/orders';
    expect(handleCbsRequest(putToken(audience, sas(audience)), CONTEXT)).toMatchObject({
      statusCode: 401,
      statusDescription:
        'audience "sb://127.0.0.1/orders" does not name this endpoint (hosts 127.0.0.1; event hub "audit")',
    });
  });

  it('refuses an operation other than put-token', () => {
    const request = { body: '', application_properties: { operation: 'delete-token' } } as Message;
    expect(handleCbsRequest(request, CONTEXT)).toEqual({
      statusCode: 501,
      statusDescription: 'operation "delete-token" is not supported by $cbs; only "put-token" is',
      errorCondition: 'amqp:not-implemented',
    });
  });

  it('refuses a put-token without an audience', () => {
    const request = { body: 'x', application_properties: { operation: 'put-token' } } as Message;
    expect(handleCbsRequest(request, CONTEXT)).toEqual({
      statusCode: 400,
      statusDescription: 'put-token needs the audience in application property "name"',
      errorCondition: 'com.microsoft:argument-error',
    });
  });
});

describe('claimsCover', () => {
  const claims = [{ path: 'audit', expiresAtMs: NOW_MS + 1 }];

  it('lets a hub claim cover a partition of the hub', () => {
    expect(claimsCover(claims, 'audit/partitions/0', NOW_MS)).toBe(true);
  });

  it('does not let a hub claim cover a hub whose name starts the same way', () => {
    expect(claimsCover(claims, 'auditlog', NOW_MS)).toBe(false);
  });

  it('ignores an expired claim', () => {
    expect(claimsCover(claims, 'audit', NOW_MS + 1)).toBe(false);
  });
});
