// These tests talk to a local HTTPS endpoint on 127.0.0.1 that speaks the Key Vault keys REST
// protocol (test/keys/support/local-key-vault.ts), not to Azure. The real @azure/keyvault-keys
// clients run unchanged, including the challenge-based bearer authentication; only the TLS trust
// anchor (a test-only certificate) and the token credential are supplied by the test.
import { createHash } from 'node:crypto';
import { Agent } from 'node:https';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import {
  formatCheckpoint,
  signCheckpoint,
  verifyCheckpointNote,
} from '../../src/integrity/checkpoint';
import { emptyRoot } from '../../src/integrity/rfc6962';
import {
  MissingVaultKeyError,
  UnexpectedKeyTypeError,
  UnknownWrappingKeyError,
} from '../../src/keys/errors';
import { verifySignatureWithJwk } from '../../src/keys/jwk';
import { KeyVaultKeyProvider, type KeyVaultKeyProviderOptions } from '../../src/keys/keyvault';
import type { Signer } from '../../src/keys/types';
import {
  CHALLENGE_RESOURCE,
  CHALLENGE_TENANT,
  LocalKeyVault,
  TLS_CERTIFICATE,
} from './support/local-key-vault';
import { MemoryWrappedKeyStore } from './support/memory-wrapped-key-store';

class RecordingCredential implements TokenCredential {
  readonly calls: { scopes: string[]; tenantId: string | undefined }[] = [];
  constructor(private readonly token: string) {}
  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    this.calls.push({ scopes: ([] as string[]).concat(scopes), tenantId: options?.tenantId });
    return { token: this.token, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

let vault: LocalKeyVault;
let credential: RecordingCredential;

beforeEach(async () => {
  vault = await LocalKeyVault.start('token-for-local-vault');
  credential = new RecordingCredential('token-for-local-vault');
});

afterEach(async () => {
  await vault.stop();
});

function provider(overrides: Partial<KeyVaultKeyProviderOptions> = {}): KeyVaultKeyProvider {
  return new KeyVaultKeyProvider({
    vaultUrl: vault.url,
    credential,
    signingKeyName: 'audit-signing',
    wrappingKeyName: 'audit-wrapping',
    wrappedKeyStore: new MemoryWrappedKeyStore(),
    clientOptions: {
      agent: new Agent({ ca: TLS_CERTIFICATE }),
      // The challenge names vault.azure.net, which a loopback address can never be under.
      disableChallengeResourceVerification: true,
      retryOptions: { maxRetries: 0 },
    },
    ...overrides,
  });
}

function checkpointBody(signer: Signer): string {
  return formatCheckpoint({
    origin: 'audit.example.com/weu/audit/0',
    size: 0,
    rootHash: emptyRoot(),
    partition: '0',
    time: new Date('2025-03-01T12:00:00.000Z'),
    keyId: signer.keyId,
  });
}

describe('KeyVaultKeyProvider signing', () => {
  it('signs with the current key version and names that version', async () => {
    const keyId = vault.addVersion('audit-signing', 'EC');
    const signer = await provider().signer();
    expect(signer.keyId).toBe(keyId);
    expect(signer.publicKey.kid).toBe(keyId);
    expect(signer.algorithm).toBe('ES256');
  });

  it('makes ES256 signatures that verify with the public JWK', async () => {
    vault.addVersion('audit-signing', 'EC');
    const signer = await provider().signer();
    const data = Buffer.from('checkpoint body\n');
    expect(verifySignatureWithJwk(signer.publicKey, data, await signer.sign(data))).toBe(true);
  });

  it('sends only the SHA-256 digest of the data to the vault', async () => {
    vault.addVersion('audit-signing', 'EC');
    const signer = await provider().signer();
    const data = Buffer.from('secret-looking data');
    await signer.sign(data);
    const sign = vault.requests.filter((r) => r.path.endsWith('/sign') && r.authorized);
    expect(sign).toHaveLength(1);
    expect(JSON.parse(sign[0]?.body as string)).toEqual({
      alg: 'ES256',
      value: createHash('sha256').update(data).digest('base64url'),
    });
  });

  it('answers the vault challenge with a token for the resource and tenant it names', async () => {
    vault.addVersion('audit-signing', 'EC');
    await provider().signer();
    expect(vault.requests[0]).toMatchObject({ method: 'GET', authorized: false });
    expect(vault.requests[1]).toMatchObject({ method: 'GET', authorized: true });
    expect(credential.calls[0]).toEqual({
      scopes: [`${CHALLENGE_RESOURCE}/.default`],
      tenantId: CHALLENGE_TENANT,
    });
  });

  it('signs checkpoints that verify against its JWKS', async () => {
    vault.addVersion('audit-signing', 'EC');
    const keys = provider();
    const signer = await keys.signer();
    const note = await signCheckpoint(checkpointBody(signer), signer);
    expect(verifyCheckpointNote(note, await keys.publicJwks()).keyId).toBe(signer.keyId);
  });

  it('moves to a new version after rotation and still verifies checkpoints of the old one', async () => {
    vault.addVersion('audit-signing', 'EC');
    const keys = provider();
    const old = await keys.signer();
    const oldNote = await signCheckpoint(checkpointBody(old), old);
    const rotatedId = vault.addVersion('audit-signing', 'EC');
    expect((await keys.signer()).keyId).toBe(rotatedId);
    const jwks = await keys.publicJwks();
    expect(jwks.keys.map((key) => key.kid)).toEqual([rotatedId, old.keyId]);
    expect(verifyCheckpointNote(oldNote, jwks).keyId).toBe(old.keyId);
  });

  it('lists every enabled version across pages of the versions listing', async () => {
    const ids = [1, 2, 3, 4, 5].map(() => vault.addVersion('audit-signing', 'EC'));
    const jwks = await provider().publicJwks();
    expect(jwks.keys.map((key) => key.kid)).toEqual(ids.reverse());
    expect(vault.requests.filter((r) => r.path.endsWith('/versions') && r.authorized)).toHaveLength(
      3,
    );
  });

  it('leaves disabled versions out of the JWKS', async () => {
    const disabled = vault.addVersion('audit-signing', 'EC');
    const enabled = vault.addVersion('audit-signing', 'EC');
    vault.disable(disabled);
    expect((await provider().publicJwks()).keys.map((key) => key.kid)).toEqual([enabled]);
  });

  it('fails with the vault and key name when the signing key is missing', async () => {
    await expect(provider().signer()).rejects.toThrow(
      new MissingVaultKeyError(vault.url, 'audit-signing'),
    );
    await expect(provider().signer()).rejects.toThrow(
      new Error(
        `Key Vault ${vault.url} has no key audit-signing: create it (the infrastructure program does) or pass createMissingKeys: true`,
      ),
    );
  });

  it('creates a missing EC P-256 signing key when allowed', async () => {
    const signer = await provider({ createMissingKeys: true }).signer();
    const create = vault.requests.filter(
      (r) => r.path === '/keys/audit-signing/create' && r.authorized,
    );
    expect(create).toHaveLength(1);
    expect(JSON.parse(create[0]?.body as string)).toEqual({
      kty: 'EC',
      crv: 'P-256',
      key_ops: ['sign', 'verify'],
      attributes: {},
    });
    expect(signer.keyId.startsWith(`${vault.url}/keys/audit-signing/`)).toBe(true);
  });

  it('refuses a signing key that is not EC P-256', async () => {
    const rsa = vault.addVersion('audit-signing', 'RSA', ['sign', 'verify']);
    await expect(provider().signer()).rejects.toThrow(
      new UnexpectedKeyTypeError(rsa, 'RSA', 'EC P-256'),
    );
    await expect(provider().signer()).rejects.toThrow(
      new Error(`key ${rsa} is RSA, expected EC P-256`),
    );
  });

  it('is refused by the SDK on a loopback host unless challenge resource verification is off', async () => {
    vault.addVersion('audit-signing', 'EC');
    const strict = provider({
      clientOptions: { agent: new Agent({ ca: TLS_CERTIFICATE }), retryOptions: { maxRetries: 0 } },
    });
    await expect(strict.signer()).rejects.toThrow(
      // The SDK's own text, which goes on to name the client option; matched on its start.
      /^The challenge resource 'vault.azure.net' does not match the requested domain\./,
    );
  });
});

describe('KeyVaultKeyProvider wrapping', () => {
  it('wraps with RSA-OAEP-256 under the versioned wrapping key and unwraps again', async () => {
    const keyId = vault.addVersion('audit-wrapping', 'RSA');
    const keys = provider();
    const dataKey = Buffer.alloc(32, 5);
    const wrapped = await keys.wrapKey(dataKey);
    expect(wrapped.keyId).toBe(keyId);
    expect(wrapped.algorithm).toBe('RSA-OAEP-256');
    expect(Buffer.from(await keys.unwrapKey(wrapped)).toString('hex')).toBe(
      dataKey.toString('hex'),
    );
  });

  it('unwraps keys wrapped under a version that has since been rotated', async () => {
    vault.addVersion('audit-wrapping', 'RSA');
    const keys = provider();
    const wrapped = await keys.wrapKey(Buffer.alloc(32, 6));
    const rotated = vault.addVersion('audit-wrapping', 'RSA');
    expect((await keys.wrapKey(Buffer.alloc(32))).keyId).toBe(rotated);
    expect(Buffer.from(await provider().unwrapKey(wrapped)).toString('hex')).toBe('06'.repeat(32));
  });

  it('refuses to unwrap under a key of another vault or another key name', async () => {
    vault.addVersion('audit-wrapping', 'RSA');
    const wrapped = await provider().wrapKey(Buffer.alloc(32));
    const elsewhere = {
      ...wrapped,
      keyId: wrapped.keyId.replace(vault.url, 'https://other.vault.azure.net'),
    };
    await expect(provider().unwrapKey(elsewhere)).rejects.toThrow(
      new UnknownWrappingKeyError(elsewhere.keyId),
    );
    const otherKey = {
      ...wrapped,
      keyId: wrapped.keyId.replace('/audit-wrapping/', '/audit-signing/'),
    };
    await expect(provider().unwrapKey(otherKey)).rejects.toThrow(
      new Error(`no wrapping key ${otherKey.keyId}`),
    );
  });

  it('creates a missing RSA wrapping key when allowed', async () => {
    const wrapped = await provider({ createMissingKeys: true }).wrapKey(Buffer.alloc(32));
    const create = vault.requests.filter(
      (r) => r.path === '/keys/audit-wrapping/create' && r.authorized,
    );
    expect(JSON.parse(create[0]?.body as string)).toEqual({
      kty: 'RSA',
      key_size: 3072,
      key_ops: ['wrapKey', 'unwrapKey'],
      attributes: {},
    });
    expect(wrapped.keyId.startsWith(`${vault.url}/keys/audit-wrapping/`)).toBe(true);
  });
});

describe('KeyVaultKeyProvider HMAC keys', () => {
  it('keeps a random HMAC key wrapped in the store and gives every instance the same key', async () => {
    const wrappingKey = vault.addVersion('audit-wrapping', 'RSA');
    const store = new MemoryWrappedKeyStore();
    const key = await provider({ wrappedKeyStore: store }).hmacKey('redaction');
    expect(key).toHaveLength(32);
    expect(store.entries.get('redaction')?.keyId).toBe(wrappingKey);
    const again = await provider({ wrappedKeyStore: store }).hmacKey('redaction');
    expect(Buffer.from(again).toString('hex')).toBe(Buffer.from(key).toString('hex'));
  });
});
