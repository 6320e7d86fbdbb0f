import { generateKeyPairSync, sign } from 'node:crypto';
import { ecPublicJwk } from '../../../src/keys/jwk';
import type { Signer } from '../../../src/keys/types';

/** An in-memory ES256 signer, for tests that need a key but not a key provider. */
export function testSigner(keyId: string): Signer {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    keyId,
    algorithm: 'ES256',
    publicKey: ecPublicJwk(privateKey, keyId),
    sign: async (data) => sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
  };
}
