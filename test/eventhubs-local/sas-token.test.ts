/**
 * SharedAccessSignature checks of the local Event Hubs endpoint (a local AMQP endpoint speaking
 * the Event Hubs protocol, not Azure). Tokens are made the way @azure/core-amqp makes them.
 */
import {
  normalizeResourceUri,
  parseSasToken,
  resourceCovers,
  signSasResource,
  verifySasToken,
} from '../../src/eventhubs-local/sas-token';

const KEY = { keyName: 'RootManageSharedAccessKey', key: 'c2VjcmV0LWtleQ==' };
const NOW_MS = Date.UTC(2030, 0, 1);
const EXPIRY_S = NOW_MS / 1000 + 3600;
const HUB_AUDIENCE = 'sb://127.0.0.1:5672/audit';

/** As @azure/core-amqp's createSasTokenProvider builds a token. */
function token(audience: string, key = KEY.key, keyName = KEY.keyName, expiry = EXPIRY_S): string {
  const resource = encodeURIComponent(audience);
  const signature = encodeURIComponent(signSasResource(key, resource, expiry));
  return `SharedAccessSignature sr=${resource}&sig=${signature}&se=${expiry}&skn=${encodeURIComponent(keyName)}`;
}

describe('verifySasToken', () => {
  it('accepts a token signed with the key for the audience', () => {
    expect(verifySasToken(token(HUB_AUDIENCE), HUB_AUDIENCE, KEY, NOW_MS)).toEqual({
      expiresAtMs: EXPIRY_S * 1000,
    });
  });

  it('accepts a hub token for a partition of the hub', () => {
    expect(
      verifySasToken(token(HUB_AUDIENCE), `${HUB_AUDIENCE}/Partitions/3`, KEY, NOW_MS),
    ).toEqual({ expiresAtMs: EXPIRY_S * 1000 });
  });

  it('accepts a namespace token for any entity', () => {
    expect(
      verifySasToken(token('sb://127.0.0.1:5672/'), `${HUB_AUDIENCE}/$management`, KEY, NOW_MS),
    ).toEqual({ expiresAtMs: EXPIRY_S * 1000 });
  });

  it('refuses a token signed with another key', () => {
    expect(() =>
      verifySasToken(token(HUB_AUDIENCE, 'd3Jvbmc='), HUB_AUDIENCE, KEY, NOW_MS),
    ).toThrow(
      `the token's signature does not match key "RootManageSharedAccessKey" of this endpoint`,
    );
  });

  it('refuses a token naming another key', () => {
    expect(() =>
      verifySasToken(token(HUB_AUDIENCE, KEY.key, 'send-only'), HUB_AUDIENCE, KEY, NOW_MS),
    ).toThrow(
      'the token is signed with key "send-only", but this endpoint only knows key "RootManageSharedAccessKey"',
    );
  });

  it('refuses an expired token', () => {
    const expired = NOW_MS / 1000 - 1;
    expect(() =>
      verifySasToken(token(HUB_AUDIENCE, KEY.key, KEY.keyName, expired), HUB_AUDIENCE, KEY, NOW_MS),
    ).toThrow('the token expired at 2029-12-31T23:59:59.000Z (now 2030-01-01T00:00:00.000Z)');
  });

  it('refuses a token for one hub presented for another', () => {
    expect(() =>
      verifySasToken(token(HUB_AUDIENCE), 'sb://127.0.0.1:5672/other', KEY, NOW_MS),
    ).toThrow(
      'the token is for "sb://127.0.0.1:5672/audit", which does not cover "sb://127.0.0.1:5672/other"',
    );
  });

  it('refuses a token for a hub whose name merely starts the same way', () => {
    expect(() =>
      verifySasToken(token(HUB_AUDIENCE), 'sb://127.0.0.1:5672/auditlog', KEY, NOW_MS),
    ).toThrow(
      'the token is for "sb://127.0.0.1:5672/audit", which does not cover "sb://127.0.0.1:5672/auditlog"',
    );
  });

  it('refuses a token whose resource was changed after signing', () => {
    const forged = token(HUB_AUDIENCE).replace('audit', 'other');
    expect(() => verifySasToken(forged, 'sb://127.0.0.1:5672/other', KEY, NOW_MS)).toThrow(
      `the token's signature does not match key "RootManageSharedAccessKey" of this endpoint`,
    );
  });
});

describe('parseSasToken', () => {
  it('reads the four fields, decoding all but the signed resource text', () => {
    expect(
      parseSasToken('SharedAccessSignature sr=sb%3A%2F%2Fh%2Fhub&sig=YQ%3D%3D&se=42&skn=k%20n'),
    ).toEqual({
      resource: 'sb://h/hub',
      encodedResource: 'sb%3A%2F%2Fh%2Fhub',
      signature: 'YQ==',
      expiresAtSeconds: 42,
      keyName: 'k n',
    });
  });

  it('refuses a token without the SharedAccessSignature prefix', () => {
    expect(() => parseSasToken('Bearer abc')).toThrow(
      'the token does not start with "SharedAccessSignature"',
    );
  });

  it('refuses a token without a signature', () => {
    expect(() => parseSasToken('SharedAccessSignature sr=a&se=1&skn=k')).toThrow(
      'the token has no "sig" field',
    );
  });

  it('refuses a non-numeric expiry', () => {
    expect(() => parseSasToken('SharedAccessSignature sr=a&sig=b&se=soon&skn=k')).toThrow(
      `the token's expiry "se=soon" is not a number of seconds`,
    );
  });

  it('refuses a field without a value separator', () => {
    expect(() => parseSasToken('SharedAccessSignature sr=a&sig')).toThrow(
      'the token field "sig" is not name=value',
    );
  });
});

describe('normalizeResourceUri', () => {
  it('drops scheme, port, case and surrounding slashes', () => {
    expect(normalizeResourceUri('sb://LocalHost:5672/Audit/Partitions/0/')).toEqual({
      host: 'localhost',
      path: 'audit/partitions/0',
    });
  });

  it('reads a bracketed IPv6 host', () => {
    expect(normalizeResourceUri('sb://[::1]:5672/audit')).toEqual({ host: '::1', path: 'audit' });
  });
});

describe('resourceCovers', () => {
  it('does not let one host cover another', () => {
    expect(resourceCovers('sb://a/audit', 'sb://b/audit')).toBe(false);
  });
});
